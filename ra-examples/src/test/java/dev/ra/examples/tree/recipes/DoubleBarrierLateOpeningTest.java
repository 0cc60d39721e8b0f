package dev.ra.examples.tree.recipes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.examples.lease.Lease;
import dev.ra.examples.support.ToolboxCluster;
import dev.ra.examples.tree.TreeClient;
import dev.ra.examples.tree.TreeCommand;
import dev.ra.examples.tree.TreeWorld;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The opening of a double barrier's round (the creation of its {@code ready} node) applied late, once the round is
 * over (sent again after an unknown outcome, or held up on its way), must not open the next round before its members
 * are all in.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DoubleBarrierLateOpeningTest
{
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String BARRIER = "/barriers/rounds";

    @Test
    void anOpeningAppliedAfterTheRoundEndedDoesNotOpenTheNextRound() throws Exception
    {
        final ExecutorService members = Executors.newFixedThreadPool(2);
        try (TreeWorld world = new TreeWorld())
        {
            final TreeClient tree = world.clientOn(ToolboxCluster.APP_NODE);
            try (Lease a = tree.openSession(Duration.ofSeconds(60), () -> { });
                Lease b = tree.openSession(Duration.ofSeconds(60), () -> { });
                Lease c = tree.openSession(Duration.ofSeconds(60), () -> { }))
            {
                final DistributedDoubleBarrier first = new DistributedDoubleBarrier(tree, BARRIER, 2, a.id());
                final DistributedDoubleBarrier second = new DistributedDoubleBarrier(tree, BARRIER, 2, b.id());
                final Future<Boolean> firstIn = members.submit(() -> first.enter(WAIT));
                final Future<Boolean> secondIn = members.submit(() -> second.enter(WAIT));
                assertThat(firstIn.get()).isTrue();
                assertThat(secondIn.get()).isTrue();
                // What the first member sends to open the round, as a copy of it still on its way would be.
                final TreeCommand late = first.opening();
                final Future<Boolean> firstOut = members.submit(() -> first.leave(WAIT));
                final Future<Boolean> secondOut = members.submit(() -> second.leave(WAIT));
                assertThat(firstOut.get()).isTrue();
                assertThat(secondOut.get()).isTrue();
                assertThat(tree.getChildren(BARRIER).orElseThrow()).as("the round is over").isEqualTo(List.of());

                tree.cluster().<Object>command(late, false);

                assertThat(new DistributedDoubleBarrier(tree, BARRIER, 2, c.id()).enter(Duration.ofMillis(300)))
                    .as("one member of two, alone in the next round").isFalse();
            }
        }
        finally
        {
            members.shutdownNow();
        }
    }
}

package dev.ra.examples.tree.recipes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.RaException;
import dev.ra.examples.lease.Lease;
import dev.ra.examples.support.ClusterClient;
import dev.ra.examples.support.ToolboxCluster;
import dev.ra.examples.tree.TreeClient;
import dev.ra.examples.tree.TreeWorld;
import dev.ra.testkit.InJvmCluster;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A member whose create's outcome is unknown leaves no node of its own behind once {@code enter} has failed: such a
 * phantom member would count towards everyone else's barrier (letting them in a member short) and, never leaving,
 * hold everyone's {@code leave} for as long as the session lives.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DistributedDoubleBarrierTest
{
    /** Longer than the lagging client's whole call: every commit takes this long. */
    private static final Duration SYNC = Duration.ofSeconds(1);
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String BARRIER = "/barriers/phase";

    @Test
    void anEnterWhoseCreateOutlastedItLeavesNoPhantomMemberThatLetsTheOthersThrough() throws Exception
    {
        try (TreeWorld world = TreeWorld.withSyncDelay(SYNC))
        {
            final TreeClient plain = world.clientOn(ToolboxCluster.APP_NODE);
            plain.ensurePath(BARRIER);
            try (Lease session = plain.openSession(Duration.ofSeconds(60), () -> { });
                Lease other = plain.openSession(Duration.ofSeconds(60), () -> { });
                TreeClient lagging = new TreeClient(new ClusterClient(world.cluster().system(ToolboxCluster.APP_NODE),
                    world.cluster().members(), Duration.ofMillis(500), Duration.ofMillis(200))))
            {
                final DistributedDoubleBarrier late = new DistributedDoubleBarrier(lagging, BARRIER, 2, session.id());
                boolean failed = false;
                try
                {
                    late.enter(Duration.ofMillis(200));
                }
                catch (final RaException expected)
                {
                    // The outcome is unknown; what matters is what stays in the tree.
                    failed = true;
                }
                assertThat(failed).as("every create outlasts the lagging client's call").isTrue();

                // The create the call gave up on is applied after all (its commit only took a SYNC).
                InJvmCluster.await(() -> plain.exists(BARRIER).orElseThrow().cversion() > 0 ? Boolean.TRUE : null,
                    WAIT, "a create applied under " + BARRIER);
                InJvmCluster.await(() -> plain.getChildren(BARRIER).orElseThrow().isEmpty() ? Boolean.TRUE : null,
                    WAIT, "no member under " + BARRIER + ", not " + plain.getChildren(BARRIER).orElseThrow());

                // So the one member that did enter waits for a second one, as it should.
                assertThat(new DistributedDoubleBarrier(plain, BARRIER, 2, other.id()).enter(Duration.ofMillis(300)))
                    .isFalse();
                assertThat(plain.getChildren(BARRIER).orElseThrow()).isEqualTo(List.of());
            }
        }
    }
}

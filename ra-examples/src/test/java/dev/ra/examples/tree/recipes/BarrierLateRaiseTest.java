package dev.ra.examples.tree.recipes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.examples.support.ToolboxCluster;
import dev.ra.examples.tree.TreeClient;
import dev.ra.examples.tree.TreeCommand;
import dev.ra.examples.tree.TreeWorld;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A raise of a barrier applied late, after the barrier was removed (a copy of the create sent again after an unknown
 * outcome, or held up on its way), must not raise it again: the waiters were let through, and a new wait would block
 * on a barrier nobody set.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BarrierLateRaiseTest
{
    private static final String BARRIER = "/barriers/gate";

    @Test
    void aRaiseAppliedAfterTheRemoveLeavesTheBarrierDown() throws Exception
    {
        try (TreeWorld world = new TreeWorld())
        {
            final TreeClient tree = world.clientOn(ToolboxCluster.APP_NODE);
            tree.ensurePath("/barriers");
            final DistributedBarrier barrier = new DistributedBarrier(tree, BARRIER);
            // What setBarrier sends first, as a copy of it still on its way would be.
            final TreeCommand late = barrier.raising(tree.exists("/barriers").orElseThrow().cversion());
            barrier.setBarrier();
            barrier.removeBarrier();

            tree.cluster().<Object>command(late, false);

            assertThat(tree.exists(BARRIER)).as("the barrier, removed after it was raised").isEmpty();
            assertThat(barrier.waitOnBarrier(Duration.ofMillis(200))).isTrue();
        }
    }
}

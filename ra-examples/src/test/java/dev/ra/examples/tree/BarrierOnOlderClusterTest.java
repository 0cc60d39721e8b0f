package dev.ra.examples.tree;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.examples.support.ToolboxCluster;
import dev.ra.examples.tree.recipes.DistributedBarrier;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A cluster held at an older machine version by a member not yet upgraded refuses the child version check that fences
 * a barrier's raise; the barrier is raised all the same, by the plain create.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BarrierOnOlderClusterTest
{
    @Test
    void aBarrierIsRaisedAndRemovedOnAClusterThatDoesNotTakeTheCheck() throws Exception
    {
        try (TreeWorld world = new TreeWorld(TreeMachine.DEFAULT_UNREACHABLE_WATCH_EXPIRY, "n3"))
        {
            world.cluster().awaitLeader();
            final TreeClient tree = world.clientOn(ToolboxCluster.APP_NODE);
            final DistributedBarrier barrier = new DistributedBarrier(tree, "/barriers/old");

            barrier.setBarrier();

            assertThat(tree.exists("/barriers/old")).isPresent();
            assertThat(barrier.waitOnBarrier(Duration.ofMillis(100))).isFalse();
            barrier.removeBarrier();
            assertThat(barrier.waitOnBarrier(Duration.ofSeconds(10))).isTrue();
        }
    }
}

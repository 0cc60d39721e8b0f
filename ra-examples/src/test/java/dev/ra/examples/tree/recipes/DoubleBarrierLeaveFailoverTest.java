package dev.ra.examples.tree.recipes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ServerId;
import dev.ra.examples.lease.Lease;
import dev.ra.examples.support.ToolboxCluster;
import dev.ra.examples.tree.TreeClient;
import dev.ra.examples.tree.TreePaths;
import dev.ra.examples.tree.TreeWorld;
import dev.ra.testkit.InJvmCluster;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The last member out of a double barrier closes it (deletes {@code ready} with its own node, in one multi). A leader
 * lost while that multi waits to commit leaves its outcome unknown: {@code leave} must look again within its own
 * timeout, as {@code enter} does for its opening, rather than fail a member whose barrier is merely in a failover.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class DoubleBarrierLeaveFailoverTest
{
    /** Every commit takes this long, so the closing multi is still on its way when the leader is killed. */
    private static final Duration SYNC = Duration.ofSeconds(1);
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String BARRIER = "/barriers/failover";

    @Test
    void theLastMemberOutLooksAgainWhenTheLeaderIsLostUnderItsClosing() throws Exception
    {
        final ExecutorService member = Executors.newSingleThreadExecutor();
        try (TreeWorld world = TreeWorld.withSyncDelay(SYNC))
        {
            final TreeClient tree = world.clientOn(ToolboxCluster.APP_NODE);
            try (Lease session = tree.openSession(Duration.ofSeconds(120), () -> { }))
            {
                tree.ensurePath(BARRIER);
                final DistributedDoubleBarrier alone = new DistributedDoubleBarrier(tree, BARRIER, 1, session.id());
                assertThat(alone.enter(WAIT)).isTrue();
                assertThat(tree.exists(TreePaths.child(BARRIER, "ready"))).as("open").isPresent();

                final ServerId leader = world.cluster().awaitLeader();
                final long before = world.cluster().system(leader.node()).overview(leader).lastIndex();
                final Future<Boolean> out = member.submit(() -> alone.leave(WAIT));
                // The closing multi is in the leader's log, not yet committed (every commit takes a SYNC).
                InJvmCluster.await(() -> world.cluster().system(leader.node()).overview(leader).lastIndex() > before ?
                    Boolean.TRUE : null, WAIT, "the closing multi in the leader's log");
                world.cluster().killLeader();

                assertThat(out.get()).as("everyone is out").isTrue();
                assertThat(tree.getChildren(BARRIER).orElseThrow()).as("closed, ready gone with the member").isEmpty();
            }
        }
        finally
        {
            member.shutdownNow();
        }
    }
}

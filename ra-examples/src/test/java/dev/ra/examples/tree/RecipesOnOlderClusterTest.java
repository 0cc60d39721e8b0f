package dev.ra.examples.tree;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ServerId;
import dev.ra.examples.lease.Lease;
import dev.ra.examples.support.ClientSequences;
import dev.ra.examples.support.ToolboxCluster;
import dev.ra.examples.tree.recipes.TreeLock;
import dev.ra.testkit.InJvmCluster;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A cluster held at machine version 0 by a member not yet upgraded refuses the numbered creates of
 * {@link TreeClient#ensurePath} and of a lock contender before the log; the client sends the plain creates, and the
 * path is made and the lock taken all the same.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RecipesOnOlderClusterTest
{
    private static final String OLDER = "n3";
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void ensurePathAndALockWorkOnAClusterThatDoesNotTakeNumberedCreates() throws Exception
    {
        try (TreeWorld world = new TreeWorld(TreeMachine.DEFAULT_UNREACHABLE_WATCH_EXPIRY, OLDER))
        {
            leaderOfTheNewerBuild(world.cluster());
            final TreeClient tree = world.clientOn(ToolboxCluster.APP_NODE);

            tree.ensurePath("/locks/printer");

            assertThat(tree.exists("/locks/printer")).isPresent();
            try (Lease session = tree.openSession(Duration.ofSeconds(60), () -> { }))
            {
                final TreeLock lock = new TreeLock(tree, "/locks/printer", session.id());
                assertThat(lock.acquire(WAIT)).isTrue();
                assertThat(tree.getChildren("/locks/printer").orElseThrow())
                    .containsExactly(TreePaths.name(lock.holdingNode()));
                lock.release();
                InJvmCluster.await(() -> tree.getChildren("/locks/printer").orElseThrow().equals(List.of()) ?
                    Boolean.TRUE : null, WAIT, "the contender node deleted");
            }
            final ServerId leader = world.cluster().awaitLeader();
            assertThat(world.cluster().system(leader.node()).<TreeState, ClientSequences>localQuery(leader,
                TreeState::sequences).result()).as("numbered calls applied").isEqualTo(ClientSequences.NONE);
        }
    }

    /**
     * The in-JVM network hands the caller's command object to the leader, which a leader of the older build then
     * never decodes: the refusal before the log is seen with a leader of this build, checking with the older
     * version's codec.
     */
    private static void leaderOfTheNewerBuild(final ToolboxCluster cluster)
    {
        final ServerId first = cluster.awaitLeader();
        if (first.node().equals(OLDER))
        {
            cluster.system(OLDER).transferLeadership(first, new ServerId(TreeWorld.CLUSTER,
                ToolboxCluster.RA_NODES.get(0)));
        }
        InJvmCluster.await(() ->
        {
            final ServerId now = cluster.awaitLeader();
            return now.node().equals(OLDER) ? null : now;
        }, WAIT, "a leader of the newer build");
    }
}

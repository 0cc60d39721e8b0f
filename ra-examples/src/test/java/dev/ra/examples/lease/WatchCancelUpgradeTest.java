package dev.ra.examples.lease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.InvalidCommandException;
import dev.ra.ProcessRef;
import dev.ra.RaProcess;
import dev.ra.ServerId;
import dev.ra.examples.support.ClusterClient;
import dev.ra.examples.support.ToolboxCluster;
import dev.ra.examples.watch.WatchCommand;
import dev.ra.examples.watch.WatchReply;
import dev.ra.testkit.InJvmCluster;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The watcher's own cancel through a real leader: at machine version 2 only the watch's watcher ends it; a cluster
 * held below version 2 by a member whose build stops at version 1 refuses that cancel before the log (the failure
 * the {@link dev.ra.examples.watch.Watcher} falls back on) and still takes the cancel it knows.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WatchCancelUpgradeTest
{
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** The node whose build stops at machine version 1. */
    private static final String OLDER = "n3";

    @Test
    void aClusterAtVersionTwoLetsOnlyTheWatcherCancelItsWatch()
    {
        try (LeaseWorld world = new LeaseWorld(10_000))
        {
            awaitVersion(world, 2);
            final ClusterClient client = world.clientOn(ToolboxCluster.APP_NODE).cluster();
            try (RaProcess watcher = world.cluster().system(ToolboxCluster.APP_NODE).spawn(message -> { });
                RaProcess other = world.cluster().system(ToolboxCluster.APP_NODE).spawn(message -> { }))
            {
                final ProcessRef ref = watcher.ref();
                assertThat(client.<Object>command(new WatchCommand.Register("w", ref, "", 0), true))
                    .isInstanceOf(WatchReply.Watching.class);

                assertThat(client.<Object>command(new WatchCommand.Cancel("w"), true))
                    .isInstanceOf(WatchReply.Refused.class);
                assertThat(client.<Object>command(new WatchCommand.CancelOwn("w", other.ref()), true))
                    .isInstanceOf(WatchReply.Refused.class);
                assertThat(client.<Object>command(new WatchCommand.CancelOwn("w", ref), true)).isEqualTo(true);
                final String leader = world.cluster().awaitLeader().node();
                InJvmCluster.await(() -> null == world.watch(leader, "w"), WAIT, "the watch to be cancelled");
            }
        }
    }

    @Test
    void aClusterHeldBelowVersionTwoByAnOlderBuildMemberRefusesTheOwnCancelBeforeTheLogAndTakesTheOldOne()
    {
        try (LeaseWorld world = new LeaseWorld(10_000, List.of(OLDER), 1))
        {
            final ToolboxCluster cluster = world.cluster();
            final ServerId leader = leaderOfTheNewerBuild(cluster);
            assertThat(cluster.system(leader.node()).overview(leader).machineVersion().effective()).isLessThan(2);
            final ClusterClient client = world.clientOn(ToolboxCluster.APP_NODE).cluster();
            try (RaProcess watcher = cluster.system(ToolboxCluster.APP_NODE).spawn(message -> { }))
            {
                final ProcessRef ref = watcher.ref();
                client.<Object>command(new WatchCommand.Register("w", ref, "", 0), true);

                assertThatThrownBy(() -> client.command(new WatchCommand.CancelOwn("w", ref), true))
                    .isInstanceOf(InvalidCommandException.class).hasMessageContaining("machine version 2");
                assertThat(client.<Object>command(new WatchCommand.Cancel("w"), true)).isEqualTo(true);
                for (final String node : ToolboxCluster.RA_NODES)
                {
                    InJvmCluster.await(() -> null == world.watch(node, "w"), WAIT, "the watch cancelled on " + node);
                }
            }
        }
    }

    /**
     * The in-JVM network hands the caller's command object to the leader, which a leader of the older build then
     * never decodes: the refusal before the log is seen with a leader of this build, checking with the older
     * version's codec.
     */
    private static ServerId leaderOfTheNewerBuild(final ToolboxCluster cluster)
    {
        final ServerId first = cluster.awaitLeader();
        if (!first.node().equals(OLDER))
        {
            return first;
        }
        final ServerId target = new ServerId(LeaseWorld.CLUSTER, ToolboxCluster.RA_NODES.get(0));
        cluster.system(OLDER).transferLeadership(first, target);
        return InJvmCluster.await(() ->
        {
            final ServerId now = cluster.awaitLeader();
            return now.node().equals(OLDER) ? null : now;
        }, WAIT, "a leader of the newer build");
    }

    private static void awaitVersion(final LeaseWorld world, final int version)
    {
        final ToolboxCluster cluster = world.cluster();
        InJvmCluster.await(() ->
        {
            final ServerId leader = cluster.awaitLeader();
            return cluster.system(leader.node()).overview(leader).machineVersion().effective() >= version ?
                Boolean.TRUE : null;
        }, WAIT, "the switch to machine version " + version + " or later");
    }
}

package dev.ra.examples.tree;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ServerId;
import dev.ra.examples.support.ClusterClient;
import dev.ra.examples.support.ToolboxCluster;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Writes whose commit outlasts one attempt are retried, and the retry answers what the first attempt did: one
 * sequential node, {@code Created} for the call's own node, {@code DataSet} for its own versioned write.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TreeClientRetryTest
{
    private static final Duration LAG = Duration.ofSeconds(1);

    @Test
    void writesWhoseCommitOutlastsOneAttemptAnswerWhatTheirFirstAttemptDid()
    {
        try (TreeWorld world = new TreeWorld())
        {
            final ToolboxCluster cluster = world.cluster();
            final ServerId leader = cluster.awaitLeader();
            final TreeClient plain = world.clientOn(leader.node());
            plain.create("/q", "", CreateMode.PERSISTENT, 0);
            final List<String> followers = ToolboxCluster.RA_NODES.stream().filter(n -> !n.equals(leader.node()))
                .toList();
            final TreeReply sequential;
            final TreeReply created;
            final TreeReply set;
            // Every commit takes a LAG, longer than one attempt of a client on the leader's node: an attempt that
            // may be retried runs out of time while its write is being committed.
            followers.forEach(f -> cluster.network().delay(f, leader.node(), LAG));
            try (TreeClient lagging = new TreeClient(new ClusterClient(cluster.system(leader.node()),
                cluster.members(), Duration.ofSeconds(30), Duration.ofMillis(200))))
            {
                sequential = lagging.create("/q/job-", "x", CreateMode.PERSISTENT_SEQUENTIAL, 0);
                created = lagging.create("/n", "", CreateMode.PERSISTENT, 0);
                set = lagging.setData("/n", "v", 0);
            }
            finally
            {
                followers.forEach(f -> cluster.network().delay(f, leader.node(), Duration.ZERO));
            }

            assertThat(sequential).isInstanceOfSatisfying(TreeReply.Created.class,
                c -> assertThat(c.path()).isEqualTo("/q/job-0000000000"));
            assertThat(plain.getChildren("/q")).contains(List.of("job-0000000000"));
            assertThat(created).isInstanceOf(TreeReply.Created.class);
            assertThat(set).isInstanceOfSatisfying(TreeReply.DataSet.class,
                d -> assertThat(d.stat().version()).isEqualTo(1));
        }
    }
}

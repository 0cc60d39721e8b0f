package dev.ra.examples.kv;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.examples.support.ClusterClient;
import dev.ra.examples.support.ReleaseCursorPolicy;
import dev.ra.examples.support.ToolboxCluster;
import dev.ra.testkit.InJvmCluster;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The KV store on a 3-node in-JVM cluster: the talk's scenarios, a leader failover, a full restart from snapshots, and
 * writes and reads slower than one attempt of the client.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KvScenarioTest
{
    private static final Duration LAG = Duration.ofSeconds(1);

    private final ToolboxCluster world = ToolboxCluster.start("kv", (node, builder) -> builder
        .registerMachine("kv", () -> new KvMachine(ReleaseCursorPolicy.every(8)))
        .minSnapshotInterval(8));

    @AfterEach
    void close()
    {
        world.close();
    }

    private KvClient clientOn(final String node)
    {
        return new KvClient(world.system(node), world.members());
    }

    @Test
    void shouldPutGetDeleteAndCompareAndSetThroughAnyMember()
    {
        final KvClient kv = clientOn(world.followerNode());

        final KvReply.Written written = kv.put("k", "v1");
        assertThat(kv.get("k")).contains("v1");
        assertThat(kv.put("k", "v2").previous()).isEqualTo("v1");
        assertThat(kv.cas("k", "v1", "v3").swapped()).isFalse();
        assertThat(kv.cas("k", "v2", "v3")).extracting(KvReply.CasResult::swapped, KvReply.CasResult::previous)
            .containsExactly(true, "v2");
        assertThat(kv.entry("k")).hasValueSatisfying(e ->
        {
            assertThat(e.value()).isEqualTo("v3");
            assertThat(e.createIndex()).isEqualTo(written.revision());
            assertThat(e.version()).isEqualTo(3);
        });
        assertThat(kv.delete("k").previous()).isEqualTo("v3");
        assertThat(kv.get("k")).isEmpty();
        assertThat(kv.get("never-written")).isEmpty();
    }

    @Test
    void shouldServeStaleButConvergingLocalReadsOnEveryMember()
    {
        clientOn("n1").put("k", "v");

        for (final String node : ToolboxCluster.RA_NODES)
        {
            final KvClient local = clientOn(node);
            InJvmCluster.await(() -> local.localGet("k").isPresent(), Duration.ofSeconds(5), "k on " + node);
            assertThat(local.localGet("k")).contains("v");
        }
    }

    @Test
    void shouldKeepEveryAcknowledgedWriteAcrossALeaderFailover()
    {
        final KvClient before = clientOn(world.followerNode());
        for (int i = 0; i < 20; i++)
        {
            before.put("key" + i, "before" + i);
        }

        final ServerId killed = world.killLeader();
        final String survivor = world.followerNode().equals(killed.node()) ? world.awaitLeader().node() :
            world.followerNode();
        final KvClient after = clientOn(survivor);
        for (int i = 20; i < 40; i++)
        {
            after.put("key" + i, "after" + i);
        }

        for (int i = 0; i < 40; i++)
        {
            assertThat(after.get("key" + i)).contains((i < 20 ? "before" : "after") + i);
        }
        world.restartNode(killed.node());
        final KvClient rejoined = clientOn(killed.node());
        InJvmCluster.await(() -> rejoined.localGet("key39").isPresent(), Duration.ofSeconds(10),
            "the restarted member to catch up");
        assertThat(rejoined.localGet("key0")).contains("before0");
    }

    @Test
    void shouldRecoverTheStoreFromSnapshotsAfterAFullRestart()
    {
        final KvClient kv = clientOn("n1");
        for (int i = 0; i < 60; i++)
        {
            kv.put("key" + (i % 25), "v" + i);
        }
        kv.delete("key0");
        world.awaitSnapshotsEverywhere();

        world.restartAll();
        world.awaitLeader();

        final KvClient restarted = clientOn("n2");
        assertThat(restarted.get("key0")).isEmpty();
        for (int k = 1; k < 25; k++)
        {
            final int last = k + 50 < 60 ? k + 50 : k + 25;
            assertThat(restarted.get("key" + k)).as("key%d", k).isEqualTo(Optional.of("v" + last));
        }
        final RaSystem n3 = world.system("n3");
        assertThat(n3.overview(new ServerId("kv", "n3")).snapshotIndex()).isPositive();
    }

    /**
     * A client on the leader's node whose attempts are cut at 200 ms, with 20 s for the whole call, while the
     * followers' answers take {@link #LAG} to reach the leader: every commit and every consistent read outlasts one
     * attempt, and fits the call easily.
     */
    private KvClient clientOnALaggingLeader(final ServerId leader, final List<String> followers)
    {
        return new KvClient(clusterClientOnALaggingLeader(leader, followers));
    }

    private ClusterClient clusterClientOnALaggingLeader(final ServerId leader, final List<String> followers)
    {
        followers.forEach(f -> world.network().delay(f, leader.node(), LAG));
        return new ClusterClient(world.system(leader.node()), world.members(), Duration.ofSeconds(20),
            Duration.ofMillis(200));
    }

    private List<String> followersOf(final ServerId leader)
    {
        return ToolboxCluster.RA_NODES.stream().filter(n -> !n.equals(leader.node())).toList();
    }

    @Test
    void aPutWhoseCommitOutlastsOneAttemptSucceedsWithinTheCallTimeout()
    {
        final ServerId leader = world.awaitLeader();
        clientOn(leader.node()).put("warm", "up");
        final List<String> followers = followersOf(leader);
        final KvReply.Written written;
        try
        {
            // Not retried after an unknown outcome, so its one attempt has the call's whole time.
            written = clientOnALaggingLeader(leader, followers).put("k", "v");
        }
        finally
        {
            followers.forEach(f -> world.network().delay(f, leader.node(), Duration.ZERO));
        }

        assertThat(written.previous()).isNull();
        assertThat(clientOn(leader.node()).entry("k")).hasValueSatisfying(e ->
        {
            assertThat(e.value()).isEqualTo("v");
            assertThat(e.createIndex()).isEqualTo(written.revision());
        });
    }

    @Test
    void aConsistentGetSlowerThanOneAttemptSucceedsWithinTheCallTimeout()
    {
        final ServerId leader = world.awaitLeader();
        clientOn(leader.node()).put("k", "v");
        final List<String> followers = followersOf(leader);
        final Optional<String> value;
        try
        {
            // Only the local member can run the query: cutting it short and asking the same member again never ends.
            value = clientOnALaggingLeader(leader, followers).get("k");
        }
        finally
        {
            followers.forEach(f -> world.network().delay(f, leader.node(), Duration.ZERO));
        }

        assertThat(value).contains("v");
    }

    @Test
    void anIdempotentCommandSlowerThanOneAttemptSucceedsWithinTheCallTimeout()
    {
        final ServerId leader = world.awaitLeader();
        clientOn(leader.node()).put("warm", "up");
        final List<String> followers = followersOf(leader);
        final KvReply.Written written;
        try
        {
            // Writing the same value again is harmless, so the client may retry it: attempts cut short and sent again
            // must grow until one outlasts the commit.
            written = clusterClientOnALaggingLeader(leader, followers).command(new KvCommand.Put("k", "v"), true);
        }
        finally
        {
            followers.forEach(f -> world.network().delay(f, leader.node(), Duration.ZERO));
        }

        assertThat(written.revision()).isPositive();
        assertThat(clientOn(leader.node()).get("k")).contains("v");
    }
}

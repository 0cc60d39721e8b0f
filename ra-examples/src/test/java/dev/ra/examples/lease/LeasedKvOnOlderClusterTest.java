package dev.ra.examples.lease;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ProcessRef;
import dev.ra.ServerId;
import dev.ra.examples.support.ClientSequences;
import dev.ra.examples.support.ToolboxCluster;
import dev.ra.examples.watch.WatchEvent;
import dev.ra.examples.watch.Watcher;
import dev.ra.testkit.InJvmCluster;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The client's writes through a real leader: at machine version 4 they are numbered (the members remember the
 * client's calls); a cluster held at version 3 by a member not yet upgraded refuses the numbered writes before the
 * log, and the client sends the plain ones, which every member applies alike. Likewise a {@link Watcher}'s
 * registration: numbered at version 5, plain on a cluster held at version 4.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LeasedKvOnOlderClusterTest
{
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** The node whose build stops at machine version 3. */
    private static final String OLDER = "n3";

    @Test
    void aClusterAtVersionFourTakesTheNumberedWrites()
    {
        try (LeaseWorld world = new LeaseWorld(16))
        {
            final ToolboxCluster cluster = world.cluster();
            InJvmCluster.await(() ->
            {
                final ServerId leader = cluster.awaitLeader();
                return cluster.system(leader.node()).overview(leader).machineVersion().effective() >= 4 ?
                    Boolean.TRUE : null;
            }, WAIT, "the switch to machine version 4");

            writeEverything(world.clientOn(ToolboxCluster.APP_NODE));

            final ServerId leader = cluster.awaitLeader();
            assertThat(sequences(world, leader.node())).isNotEqualTo(ClientSequences.NONE);
        }
    }

    @Test
    void aClusterHeldAtVersionThreeIsSentThePlainWrites()
    {
        try (LeaseWorld world = new LeaseWorld(16, List.of(OLDER), 3))
        {
            final ToolboxCluster cluster = world.cluster();
            final ServerId leader = leaderOfTheNewerBuild(cluster);
            // A leader just elected applies the switch to version 3 after its election: version 0 until then.
            InJvmCluster.await(() -> cluster.system(leader.node()).overview(leader).machineVersion().effective() == 3 ?
                Boolean.TRUE : null, WAIT, "the switch to machine version 3");

            final long revision = writeEverything(world.clientOn(ToolboxCluster.APP_NODE));

            for (final String node : ToolboxCluster.RA_NODES)
            {
                InJvmCluster.await(() -> revisionOf(world, node) >= revision ? Boolean.TRUE : null, WAIT,
                    "the writes applied on " + node);
                assertThat(sequences(world, node)).as("numbers on " + node).isEqualTo(ClientSequences.NONE);
            }
        }
    }

    @Test
    void aClusterAtVersionFiveTakesTheNumberedWatchRegistration()
    {
        try (LeaseWorld world = new LeaseWorld(16))
        {
            final ToolboxCluster cluster = world.cluster();
            InJvmCluster.await(() ->
            {
                final ServerId leader = cluster.awaitLeader();
                return cluster.system(leader.node()).overview(leader).machineVersion().effective() >= 5 ?
                    Boolean.TRUE : null;
            }, WAIT, "the switch to machine version 5");

            watchAPlainPut(world.clientOn(ToolboxCluster.APP_NODE));

            assertThat(sequences(world, cluster.awaitLeader().node())).as("the registration's number")
                .isNotEqualTo(ClientSequences.NONE);
        }
    }

    @Test
    void aClusterHeldAtVersionFourIsSentThePlainWatchRegistration()
    {
        try (LeaseWorld world = new LeaseWorld(16, List.of(OLDER), 4))
        {
            final ToolboxCluster cluster = world.cluster();
            final ServerId leader = leaderOfTheNewerBuild(cluster);
            InJvmCluster.await(() -> cluster.system(leader.node()).overview(leader).machineVersion().effective() == 4 ?
                Boolean.TRUE : null, WAIT, "the switch to machine version 4");

            final long revision = watchAPlainPut(world.clientOn(ToolboxCluster.APP_NODE));

            for (final String node : ToolboxCluster.RA_NODES)
            {
                InJvmCluster.await(() -> revisionOf(world, node) >= revision ? Boolean.TRUE : null, WAIT,
                    "the put applied on " + node);
                assertThat(sequences(world, node)).as("numbers on " + node).isEqualTo(ClientSequences.NONE);
            }
        }
    }

    /**
     * Watch a prefix, and see a put under it (sent plain, so that only the registration may be numbered).
     *
     * @return the store's revision after the put.
     */
    private static long watchAPlainPut(final LeasedKvClient kv)
    {
        final Queue<WatchEvent> delivered = new ConcurrentLinkedQueue<>();
        try (Watcher watcher = Watcher.watch(kv.cluster(), "k/", 0, batch -> delivered.addAll(batch.events()),
            compacted -> { }))
        {
            kv.cluster().<Object>command(new LeasedKvCommand.Put("k/a", "a", 0), false);
            InJvmCluster.await(() -> delivered.isEmpty() ? null : Boolean.TRUE, WAIT, "the watcher sent the put");
            assertThat(delivered).extracting(WatchEvent::key).containsExactly("k/a");
        }
        return kv.revision();
    }

    /**
     * @return the store's revision after the writes.
     */
    private static long writeEverything(final LeasedKvClient kv)
    {
        final SessionReply.Granted granted = kv.grant(Duration.ofMinutes(1), (ProcessRef)null);
        assertThat(kv.put("a", "1")).isInstanceOf(LeasedKvReply.Written.class);
        assertThat(kv.put("svc/x", "x", granted.sessionId())).isInstanceOf(LeasedKvReply.Written.class);
        final LeasedKvReply taken = kv.putIf("lock", 0, "me", granted.sessionId());
        assertThat(taken).isInstanceOf(LeasedKvReply.Written.class);
        assertThat(kv.putIf("lock", 0, "other", 0)).isInstanceOf(LeasedKvReply.CompareFailed.class);
        assertThat(kv.delete("a").deleted()).extracting(KeyValue::key).containsExactly("a");
        assertThat(kv.put("svc/y", "y")).isInstanceOf(LeasedKvReply.Written.class);
        assertThat(kv.deletePrefix("svc/y").deleted()).extracting(KeyValue::key).containsExactly("svc/y");
        assertThat(kv.revoke(granted.sessionId())).isEqualTo(
            new SessionReply.Ended(granted.sessionId(), true, List.of("svc/x", "lock")));
        assertThat(kv.range("")).isEmpty();
        return kv.revision();
    }

    private static ClientSequences sequences(final LeaseWorld world, final String node)
    {
        return world.cluster().system(node).<LeasedKvState, ClientSequences>localQuery(
            new ServerId(LeaseWorld.CLUSTER, node), LeasedKvState::sequences).result();
    }

    private static long revisionOf(final LeaseWorld world, final String node)
    {
        return world.cluster().system(node).<LeasedKvState, Long>localQuery(new ServerId(LeaseWorld.CLUSTER, node),
            LeasedKvState::revision).result();
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
}

package dev.ra.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.RaException;
import dev.ra.RaftRole;
import dev.ra.ServerId;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.KvMachine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A silent partition ({@link NettyTransport#mute}): the leader's node and its peers drop each other's frames while
 * their connections stay up, so no transport reports the other down (the failure timeout is far away) and only
 * silence tells. The other members elect a leader and commit a write; the former leader, still connected and still
 * taking itself for the leader, must not answer a consistent query with what it had (a stale read); once the frames
 * flow again it follows and reads the write.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SilentPartitionTest
{
    /** Far above the test's waits: the transports never report the muted peers down. */
    private static final Duration FAILURE_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void aLeaderCutOffSilentlyIsReplacedAndNeverAnswersAConsistentQueryWithAStaleValue()
    {
        final LoopbackTransports transports = new LoopbackTransports(3, b -> b.failureTimeout(FAILURE_TIMEOUT));
        try (InJvmCluster cluster = new InJvmCluster(3, transports, b -> b.registerMachine("kv", KvMachine::new)))
        {
            transports.awaitConnected(WAIT);
            final List<ServerId> members = cluster.serverIds("kv");
            cluster.system("n1").startCluster("kv", "kv", members);
            final ServerId old = cluster.awaitLeader(members, WAIT);
            cluster.system(old).processCommand(old, new KvMachine.Put("x", "before"));
            final List<ServerId> others = new ArrayList<>(members);
            others.remove(old);

            final NettyTransport oldTransport = transports.transport(old.node());
            for (final ServerId other : others)
            {
                oldTransport.mute(other.node());
                transports.transport(other.node()).mute(old.node());
            }
            final ServerId next = InJvmCluster.await(() -> cluster.leaderOf(others), WAIT, "a leader among " + others);
            cluster.system(next).processCommand(next, new KvMachine.Put("x", "after"));

            // Connections up, frames lost: neither side was told the other is down.
            for (final ServerId other : others)
            {
                assertThat(oldTransport.isReachable(other.node())).as(other.node() + " from " + old.node()).isTrue();
                assertThat(transports.transport(other.node()).isReachable(old.node())).isTrue();
            }
            assertThatThrownBy(() -> cluster.system(old).<Map<String, String>, String>consistentQuery(old,
                state -> state.get("x"), Duration.ofSeconds(2)))
                .as("a consistent query at the former leader, cut off from the members that committed x=after")
                .isInstanceOf(RaException.class);

            for (final ServerId other : others)
            {
                oldTransport.unmute(other.node());
                transports.transport(other.node()).unmute(old.node());
            }
            InJvmCluster.await(() -> cluster.system(old).overview(old).role() == RaftRole.FOLLOWER ? Boolean.TRUE :
                null, WAIT, "the former leader to follow");
            assertThat(cluster.system(old).<Map<String, String>, String>consistentQuery(old, state -> state.get("x"))
                .result()).isEqualTo("after");

        }
    }
}

package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ServerId;
import dev.ra.core.CallError;
import dev.ra.protocol.NodeMessage;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.KvMachine;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Bytes that do not decode as a command, sent by another node, are refused by the leader with a clear error before
 * they reach the log: appended, they would stop every member when applied.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class InvalidCommandTest
{
    @Test
    void leaderRefusesUndecodableCommandBytesAndKeepsServing() throws Exception
    {
        try (InJvmCluster cluster = new InJvmCluster(3))
        {
            final List<ServerId> members = cluster.startCluster("kv", new KvMachine());
            final ServerId leader = cluster.awaitLeader(members, Duration.ofSeconds(10));
            final byte[] garbage = {(byte)0xFE, 0x01, 0x02, 0x03};
            final NodeMessage.CallReply answer = RogueCaller.call(cluster, leader, 42, garbage);
            assertThat(answer.callId()).isEqualTo(42);
            assertThat(answer.status()).isEqualTo(NodeMessage.CallStatus.FAILED);
            assertThat(answer.error()).isEqualTo(CallError.INVALID_COMMAND);

            assertThat(cluster.system(leader).isRunning(leader)).isTrue();
            final Object previous = cluster.system(leader).processCommand(leader, new KvMachine.Put("k", "v"),
                Duration.ofSeconds(10)).reply();
            assertThat(previous).isNull();
            for (final ServerId member : members)
            {
                assertThat(cluster.system(member).isRunning(member)).as(member + " still runs").isTrue();
            }
        }
    }
}

package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ServerId;
import dev.ra.codec.Bytes;
import dev.ra.core.CallError;
import dev.ra.protocol.NodeMessage;
import dev.ra.protocol.ServerRequest;
import dev.ra.protocol.UserCommand;
import dev.ra.spi.Transport;
import dev.ra.spi.TransportListener;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.KvMachine;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
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
            final CompletableFuture<NodeMessage.CallReply> reply = new CompletableFuture<>();
            final Transport rogue = cluster.network().newTransport();
            rogue.start("rogue", new TransportListener()
            {
                @Override
                public void onMessage(final String fromNode, final NodeMessage message)
                {
                    if (message instanceof NodeMessage.CallReply callReply)
                    {
                        reply.complete(callReply);
                    }
                }

                @Override
                public void onNodeUp(final String node)
                {
                }

                @Override
                public void onNodeDown(final String node)
                {
                }
            });
            try
            {
                final byte[] garbage = {(byte)0xFE, 0x01, 0x02, 0x03};
                rogue.send(leader.node(), new NodeMessage.ServerCall(42, leader,
                    new ServerRequest.Command(UserCommand.ofData(Bytes.wrap(garbage)))));

                final NodeMessage.CallReply answer = reply.get(10, TimeUnit.SECONDS);
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
            finally
            {
                rogue.close();
            }
        }
    }
}

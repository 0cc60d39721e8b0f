package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.CommandResult;
import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.codec.Bytes;
import dev.ra.codec.Codecs;
import dev.ra.protocol.NodeMessage;
import dev.ra.runtime.injvm.InJvmNetwork;
import dev.ra.spi.Transport;
import dev.ra.testkit.CounterMachine;
import dev.ra.testkit.InJvmCluster;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A reply completes only the call it answers: one sent to the node that sends the reply, made by this run of the
 * calling node. Neither another node (forged or misrouted) nor a late answer to a call of the node's previous run
 * (restarted under the same id) may complete a call.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReplySenderTest
{
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final long FORGED = 999L;

    private final InJvmNetwork network = new InJvmNetwork();
    /** Per node, the transport of its current run. */
    private final Map<String, Transport> transports = new ConcurrentHashMap<>();
    /** Per node, the call ids its current run sent (server calls and starts). */
    private final Map<String, Set<Long>> sentCallIds = new ConcurrentHashMap<>();
    private final InJvmCluster cluster = new InJvmCluster(3, Duration.ZERO, this::recordingTransport,
        b -> b.registerMachine("counter", CounterMachine::new));
    private final ServerId member = new ServerId("c", "n2");

    private Transport recordingTransport(final String node)
    {
        final Set<Long> ids = ConcurrentHashMap.newKeySet();
        sentCallIds.put(node, ids);
        final Transport transport = new ForwardingTransport(network.newTransport())
        {
            @Override
            public void send(final String to, final NodeMessage message)
            {
                if (message instanceof NodeMessage.ServerCall call)
                {
                    ids.add(call.callId());
                }
                else if (message instanceof NodeMessage.StartServer start)
                {
                    ids.add(start.callId());
                }
                super.send(to, message);
            }
        };
        transports.put(node, transport);
        return transport;
    }

    @AfterEach
    void close()
    {
        cluster.close();
        network.close();
    }

    @Test
    void aReplyFromANodeTheCallWasNotSentToIsDropped() throws Exception
    {
        final RaSystem client = cluster.system("n1");
        client.startCluster("c", "counter", List.of(member));
        // The call reaches nobody, so no true answer comes; n3 answers it in n2's stead.
        network.cutOneWay("n1", "n2");
        sentCallIds.get("n1").clear();
        final CompletableFuture<CommandResult<Long>> call =
            client.processCommandAsync(member, 5L, Duration.ofSeconds(2));
        InJvmCluster.await(() -> !sentCallIds.get("n1").isEmpty(), WAIT, "the call to be sent");
        for (final long id : sentCallIds.get("n1"))
        {
            transports.get("n3").send("n1", forgedReply(id));
        }

        assertThatThrownBy(() -> call.get(WAIT.toSeconds(), TimeUnit.SECONDS))
            .as("the call times out: the only answer came from a node it was not sent to")
            .isInstanceOf(ExecutionException.class);
    }

    @Test
    void aLateReplyToACallOfTheNodesPreviousRunDoesNotCompleteACallOfTheNewRun() throws Exception
    {
        final RaSystem first = cluster.system("n1");
        first.startCluster("c", "counter", List.of(member));
        assertThat(first.<Long>processCommand(member, 1L).reply()).isEqualTo(1L);
        final Set<Long> previousRun = Set.copyOf(sentCallIds.get("n1"));
        cluster.stopNode("n1");

        final RaSystem second = cluster.startNode("n1");
        second.registerCluster("c", new CounterMachine(), List.of(member));
        InJvmCluster.await(() -> transports.get("n2").isReachable("n1"), WAIT, "n2 to reach the new n1");
        network.cutOneWay("n1", "n2");
        final CompletableFuture<CommandResult<Long>> call =
            second.processCommandAsync(member, 5L, Duration.ofSeconds(2));
        InJvmCluster.await(() -> !sentCallIds.get("n1").isEmpty(), WAIT, "the call to be sent");
        // n2 answers, late, the calls the previous run made: as its server would once they commit.
        for (final long id : previousRun)
        {
            transports.get("n2").send("n1", forgedReply(id));
        }

        assertThatThrownBy(() -> call.get(WAIT.toSeconds(), TimeUnit.SECONDS))
            .as("the call times out: the only answers were to calls of the previous run")
            .isInstanceOf(ExecutionException.class);
    }

    private NodeMessage.CallReply forgedReply(final long callId)
    {
        return new NodeMessage.CallReply(callId, NodeMessage.CallStatus.OK,
            Bytes.wrap(Codecs.generic().toBytes(FORGED)), member, null, "");
    }
}

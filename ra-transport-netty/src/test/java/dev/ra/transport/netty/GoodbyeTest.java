package dev.ra.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ClusterUnavailableException;
import dev.ra.CommandOutcomeUnknownException;
import dev.ra.CommandResult;
import dev.ra.ProcessRef;
import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.codec.Bytes;
import dev.ra.protocol.NodeMessage;
import dev.ra.runtime.memory.InMemoryStorage;
import dev.ra.spi.TransportListener;
import dev.ra.testkit.CounterMachine;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.ThreadPerTask;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The GOODBYE frame, driven frame by frame from a scripted peer ({@link ScriptedPeer}): a closing transport writes
 * what it had queued, then GOODBYE, and handles nothing after it; a peer's GOODBYE is reported as the node leaving
 * (not down). And the rule it serves: a command in flight to a node that says goodbye was not taken there (here the
 * cluster's only member, so the call ends "not applied"), while one to a node whose connection just closes has an
 * unknown outcome.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GoodbyeTest
{
    private static final String CLUSTER_ID = "goodbye";
    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void aClosingTransportWritesWhatItQueuedThenGoodbyeAndHandlesNothingAfter() throws Exception
    {
        final Recorder recorder = new Recorder();
        try (ScriptedPeer b = new ScriptedPeer("b", CLUSTER_ID);
            NettyTransport a = transport(b))
        {
            a.start("a", recorder);
            final Socket link = connect(a, b);
            for (long i = 1; i <= 100; i++)
            {
                a.send("b", message("b", i));
            }
            final CompletableFuture<Void> closing = CompletableFuture.runAsync(a::close, ThreadPerTask.EXECUTOR);

            for (long i = 1; i <= 100; i++)
            {
                assertThat(ScriptedPeer.readMessage(link)).isEqualTo(message("b", i));
            }
            assertThat(nextFrameType(link)).as("GOODBYE after the queued messages").isEqualTo(FrameFormat.GOODBYE);
            b.sendMessage(link, message("a", 999));
            ScriptedPeer.quietlyClose(link);
            closing.get(10, TimeUnit.SECONDS);

            assertThat(recorder.received).as("nothing handled after the GOODBYE").isEmpty();
            assertThat(recorder.statusChanges).containsExactly("up b");
        }
    }

    @Test
    void aPeersGoodbyeIsReportedAsTheNodeLeavingNotGoingDown() throws Exception
    {
        final Recorder recorder = new Recorder();
        try (ScriptedPeer b = new ScriptedPeer("b", CLUSTER_ID);
            NettyTransport a = transport(b))
        {
            a.start("a", recorder);
            final Socket link = connect(a, b);

            b.sendGoodbye(link);

            assertThat(ScriptedPeer.awaitClosedByNode(link, WAIT)).as("the node closed the connection").isTrue();
            InJvmCluster.await(() -> recorder.statusChanges.contains("left b"), WAIT, "b reported left");
            assertThat(a.isReachable("b")).isFalse();
            assertThat(recorder.statusChanges).containsExactly("up b", "left b");
        }
    }

    @Test
    void aCommandInFlightToANodeThatSaysGoodbyeWasNotApplied() throws Exception
    {
        final Throwable failure = commandInFlightWhenTheNodeGoes(true);

        assertThat(failure).isInstanceOf(ClusterUnavailableException.class).hasMessageContaining("not applied");
    }

    @Test
    void aCommandInFlightToANodeWhoseConnectionJustClosesHasAnUnknownOutcome() throws Exception
    {
        final Throwable failure = commandInFlightWhenTheNodeGoes(false);

        assertThat(failure).isInstanceOf(CommandOutcomeUnknownException.class);
    }

    /**
     * A real node calls the only member of a cluster, hosted by the scripted peer; the peer reads the call and then
     * either says goodbye or just closes the connection.
     *
     * @return how the call failed.
     */
    private static Throwable commandInFlightWhenTheNodeGoes(final boolean sayGoodbye) throws Exception
    {
        try (ScriptedPeer p = new ScriptedPeer("p", CLUSTER_ID);
            RaSystem n1 = InJvmCluster.testDefaults(RaSystem.builder().nodeId("n1").transport(transport(p))
                .storage(new InMemoryStorage())).build())
        {
            final Socket link = p.acceptDial(WAIT);
            ScriptedPeer.readHandshake(link, FrameFormat.HELLO);
            p.sendWelcome(link, "n1");
            final ServerId member = new ServerId("c", "p");
            n1.registerCluster("c", new CounterMachine(), List.of(member));

            final CompletableFuture<CommandResult<Long>> call = n1.processCommandAsync(member, 1L,
                Duration.ofSeconds(2));
            assertThat(ScriptedPeer.readMessage(link)).isInstanceOf(NodeMessage.ServerCall.class);
            if (sayGoodbye)
            {
                p.sendGoodbye(link);
            }
            else
            {
                ScriptedPeer.quietlyClose(link);
            }
            try
            {
                call.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                throw new AssertionError("the call succeeded");
            }
            catch (final ExecutionException ex)
            {
                return ex.getCause();
            }
        }
    }

    private static Socket connect(final NettyTransport a, final ScriptedPeer b) throws Exception
    {
        final Socket link = b.acceptDial(WAIT);
        ScriptedPeer.readHandshake(link, FrameFormat.HELLO);
        b.sendWelcome(link, "a");
        InJvmCluster.await(() -> a.isReachable("b"), WAIT, "a to see b up");
        return link;
    }

    /**
     * The type of the next frame that is not a heartbeat.
     */
    private static int nextFrameType(final Socket socket) throws Exception
    {
        while (true)
        {
            final ScriptedPeer.Frame frame = ScriptedPeer.readFrame(socket);
            if (frame.type() != FrameFormat.HEARTBEAT)
            {
                return frame.type();
            }
        }
    }

    private static NettyTransport transport(final ScriptedPeer peer)
    {
        return new NettyTransport(NettyTransportConfig.builder().clusterId(CLUSTER_ID)
            .peer(peer.node(), peer.address())
            .heartbeatInterval(Duration.ofMillis(100)).failureTimeout(Duration.ofSeconds(10))
            .reconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(100)).build());
    }

    private static NodeMessage message(final String to, final long sequence)
    {
        return new NodeMessage.ProcessMessage(new ProcessRef(to, sequence), null, Bytes.wrap(new byte[] {1, 2, 3}));
    }

    /**
     * What a transport reported: node up, down and left in order, and the messages received.
     */
    private static final class Recorder implements TransportListener
    {
        final List<String> statusChanges = new CopyOnWriteArrayList<>();
        final List<NodeMessage> received = new CopyOnWriteArrayList<>(new ArrayList<>());

        @Override
        public void onMessage(final String fromNode, final NodeMessage message)
        {
            received.add(message);
        }

        @Override
        public void onNodeUp(final String node)
        {
            statusChanges.add("up " + node);
        }

        @Override
        public void onNodeDown(final String node)
        {
            statusChanges.add("down " + node);
        }

        @Override
        public void onNodeLeft(final String node)
        {
            statusChanges.add("left " + node);
        }
    }
}

package dev.ra.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ProcessRef;
import dev.ra.ServerId;
import dev.ra.codec.Bytes;
import dev.ra.protocol.NodeMessage;
import dev.ra.spi.TransportListener;
import dev.ra.testkit.InJvmCluster;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A message sent just as the last connection to a node closes is dropped with what was queued then, never left queued
 * for the next connection: that one may reach a restarted node, which must not get messages meant for its previous
 * run (Erlang drops them too). One thread sends without pause while the connection is cut, many rounds; after each
 * the node is down and nothing may be queued for it.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class StaleQueuedMessageTest
{
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final int ROUNDS = 60;

    @Test
    void nothingSentAsTheLastConnectionClosesStaysQueuedForTheNext() throws Exception
    {
        final LoopbackTransports transports = new LoopbackTransports(2);
        try (NettyTransport n1 = (NettyTransport)transports.newTransport("n1");
            NettyTransport n2 = (NettyTransport)transports.newTransport("n2"))
        {
            n2.start("n2", new Quiet());
            n1.start("n1", new Quiet());
            for (int round = 0; round < ROUNDS; round++)
            {
                InJvmCluster.await(() -> n1.isReachable("n2") && n2.isReachable("n1"), WAIT, "the nodes to connect");
                final Thread sender = new Thread(() ->
                {
                    long sequence = 0;
                    while (n1.isReachable("n2"))
                    {
                        n1.send("n2", new NodeMessage.ProcessMessage(new ProcessRef("n2", ++sequence),
                            new ServerId("c", "n1"), Bytes.wrap(new byte[] {1})));
                    }
                }, "sender");
                sender.start();
                n1.block("n2");
                sender.join(WAIT.toMillis());
                assertThat(sender.isAlive()).as("the sender stopped once n2 was unreachable").isFalse();
                assertThat(n1.peerStats().get("n2").queued())
                    .as("messages queued for n2 while it is down, in round %d", round).isZero();
                n1.unblock("n2");
            }
        }
    }

    /**
     * A node that dials again while its older connection is open lost that one or restarted: what was still queued
     * for the older one (its socket full, the old run no longer reading) must not be written to the new run.
     */
    @Test
    void whatWasQueuedForAConnectionItsDialerAbandonedIsNotWrittenOnItsNewOne() throws Exception
    {
        try (ScriptedPeer b = new ScriptedPeer("b", "test");
            NettyTransport a = new NettyTransport(NettyTransportConfig.builder().clusterId("test")
                .peer(b.node(), b.address()).heartbeatInterval(Duration.ofMillis(100))
                .failureTimeout(Duration.ofSeconds(60)).handshakeTimeout(Duration.ofSeconds(60))
                .reconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(100)).build()))
        {
            a.start("a", new Quiet());
            // a's own dial is left unanswered: it stays in its handshake, so a dials nothing else.
            final Socket aDialed = b.acceptDial(WAIT);
            ScriptedPeer.readHandshake(aDialed, FrameFormat.HELLO);
            final Socket first = b.dial(a.localAddress());
            b.sendHello(first, "a");
            b.awaitWelcome(first);
            InJvmCluster.await(() -> a.isReachable("b"), WAIT, "a to see b up");

            // b's first run stops reading: a's socket fills and messages stay queued (far more than the socket
            // buffers take, which grow as they fill; the messages share one array).
            final byte[] large = new byte[64 * 1024];
            long sequence = 0;
            while (a.peerStats().get("b").queued() < 1_000 && sequence < 20_000)
            {
                a.send("b", new NodeMessage.ProcessMessage(new ProcessRef("b", ++sequence), new ServerId("c", "a"),
                    Bytes.wrap(large)));
            }
            assertThat(a.peerStats().get("b").queued()).as("messages queued behind the full socket").isPositive();

            // b, restarted, dials again while a still holds the old connection; a then sends one message to it.
            final Socket second = b.dial(a.localAddress());
            b.sendHello(second, "a");
            b.awaitWelcome(second);
            // WELCOME goes out before a takes the connection on: wait until it did (the second connection opened),
            // then for the end of that step (connectionCount takes the link's monitor, held through it). A message
            // sent before then is for the run a knew, and dropped with its queue.
            InJvmCluster.await(() -> a.peerStats().get("b").connectionsOpened() == 2, WAIT,
                "a to take the new connection on");
            InJvmCluster.await(() -> a.link("b").connectionCount() == 1, WAIT, "a to close the abandoned connection");
            final NodeMessage toNewRun = new NodeMessage.ProcessMessage(new ProcessRef("b", 999_999),
                new ServerId("c", "a"), Bytes.wrap(new byte[] {1}));
            a.send("b", toNewRun);
            assertThat(ScriptedPeer.readMessage(second)).as("the first message b's new run reads").isEqualTo(toNewRun);
        }
    }

    /**
     * A connection in use that closes while another is open hands over to that one, which may come from a restarted
     * run of the node (a node dials again once its old run is gone, and a half-open connection to that run stays open
     * here until it breaks): what was still queued for the closed one (its socket full, the old run no longer reading)
     * is dropped, since the node is reported down, never written on the other.
     */
    @Test
    void whatWasQueuedForAConnectionThatClosesIsNotWrittenOnTheStandbyThatTakesOver() throws Exception
    {
        final List<String> statusChanges = new CopyOnWriteArrayList<>();
        try (ScriptedPeer b = new ScriptedPeer("b", "test");
            NettyTransport a = new NettyTransport(NettyTransportConfig.builder().clusterId("test")
                .peer(b.node(), b.address()).heartbeatInterval(Duration.ofMillis(100))
                .failureTimeout(Duration.ofSeconds(60)).handshakeTimeout(Duration.ofSeconds(60))
                .reconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(100)).build()))
        {
            a.start("a", new Quiet(statusChanges));
            // a's dial (the preferred connection, a having the smaller id) reaches b's first run.
            final Socket toOldRun = b.acceptDial(WAIT);
            ScriptedPeer.readHandshake(toOldRun, FrameFormat.HELLO);
            b.sendWelcome(toOldRun, "a");
            InJvmCluster.await(() -> a.isReachable("b"), WAIT, "a to see b up");

            // b's first run stops reading: a's socket fills and messages stay queued.
            final byte[] large = new byte[64 * 1024];
            long sequence = 0;
            while (a.peerStats().get("b").queued() < 1_000 && sequence < 20_000)
            {
                a.send("b", new NodeMessage.ProcessMessage(new ProcessRef("b", ++sequence), new ServerId("c", "a"),
                    Bytes.wrap(large)));
            }
            assertThat(a.peerStats().get("b").queued()).as("messages queued behind the full socket").isPositive();

            // b's next run dials a: a standby, since a's own dial is the preferred one. Then the old run's
            // connection breaks and the standby takes over.
            final Socket fromNewRun = b.dial(a.localAddress());
            b.sendHello(fromNewRun, "a");
            b.awaitWelcome(fromNewRun);
            InJvmCluster.await(() -> a.peerStats().get("b").connectionsOpened() == 2, WAIT,
                "a to take the new connection on");
            ScriptedPeer.quietlyClose(toOldRun);
            InJvmCluster.await(() -> statusChanges.size() >= 3, WAIT, "a to report b down and up, " + statusChanges);
            assertThat(statusChanges).containsExactly("up b", "down b", "up b");
            final NodeMessage toNewRun = new NodeMessage.ProcessMessage(new ProcessRef("b", 999_999),
                new ServerId("c", "a"), Bytes.wrap(new byte[] {1}));
            a.send("b", toNewRun);
            assertThat(ScriptedPeer.readMessage(fromNewRun)).as("the first message b's new run reads")
                .isEqualTo(toNewRun);
        }
    }

    /** Records the node's ups and downs only. */
    private record Quiet(List<String> statusChanges) implements TransportListener
    {
        Quiet()
        {
            this(new CopyOnWriteArrayList<>());
        }

        @Override
        public void onMessage(final String fromNode, final NodeMessage message)
        {
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
    }
}

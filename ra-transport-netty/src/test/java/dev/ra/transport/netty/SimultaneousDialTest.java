package dev.ra.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ProcessRef;
import dev.ra.ServerId;
import dev.ra.codec.Bytes;
import dev.ra.protocol.NodeMessage;
import dev.ra.spi.TransportListener;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.LoopbackPorts;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two nodes that dial each other at once end up with two connections. Both ends agree to send on the one dialed by
 * the smaller node id, but the other may still carry messages the peer sent before it switched, so it must not be torn
 * down while in use, and the node must never be reported down while a connection to it is open.
 *
 * <p>The first tests drive one side by hand ({@link ScriptedPeer}) to force each interleaving exactly; the last runs
 * two real transports that dial each other at the same instant, many times, and checks that no message sent while
 * connected is lost and no node is reported down. Loopback only.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SimultaneousDialTest
{
    private static final String CLUSTER_ID = "test";
    /** Generous for a loaded machine: only the tests' own steps are timed by it, never a wanted outcome. */
    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void whenTheSmallerIdsDialCompletesLastTheConnectionItReplacesStillDeliversUntilQuiet() throws Exception
    {
        // The real node is "a" (smaller): its own dial is the one both ends keep. Its failure timeout, which is also
        // how long a superseded connection must be quiet before it closes, is far longer than the test's steps.
        final Recorder recorder = new Recorder();
        try (ScriptedPeer b = new ScriptedPeer("b", CLUSTER_ID);
            NettyTransport a = transport(b, Duration.ofSeconds(3)))
        {
            a.start("a", recorder);
            final Socket aDialed = b.acceptDial(WAIT);
            assertThat(ScriptedPeer.readHandshake(aDialed, FrameFormat.HELLO).nodeId()).isEqualTo("a");

            // b's own dial completes first and carries traffic both ways.
            final Socket bDialed = b.dial(a.localAddress());
            b.sendHello(bDialed, "a");
            b.awaitWelcome(bDialed);
            InJvmCluster.await(() -> a.isReachable("b"), WAIT, "a to see b up");
            a.send("b", message("a", "b", 1));
            assertThat(ScriptedPeer.readMessage(bDialed)).isEqualTo(message("a", "b", 1));

            // Now a's dial completes too: a switches to it ...
            b.sendWelcome(aDialed, "a");
            InJvmCluster.await(() -> a.stats().connectionsOpened() == 2, WAIT, "a to take its own dial");
            a.send("b", message("a", "b", 2));
            assertThat(ScriptedPeer.readMessage(aDialed)).isEqualTo(message("a", "b", 2));

            // ... while b has not switched yet and still sends on its own dial: nothing it sends there is lost.
            b.sendMessage(bDialed, message("b", "a", 100));
            b.sendMessage(aDialed, message("b", "a", 101));
            recorder.awaitMessages(Set.of(100L, 101L));

            // Once b's dial has been quiet (heartbeats only) for the failure timeout, a retires it, and only it.
            assertThat(ScriptedPeer.awaitClosedByNode(bDialed, WAIT)).as("the quiet duplicate closed").isTrue();
            assertThat(a.stats().connectionsReplaced()).isEqualTo(1);
            a.send("b", message("a", "b", 3));
            assertThat(ScriptedPeer.readMessage(aDialed)).isEqualTo(message("a", "b", 3));
            assertThat(recorder.statusChanges).containsExactly("up b");
        }
    }

    @Test
    void whenTheLargerIdsDialCompletesFirstAClosingConnectionHandsOverToTheOtherAndReportsTheLoss() throws Exception
    {
        // The real node is "b" (larger): the scripted "a" dials the connection both ends keep.
        final Recorder recorder = new Recorder();
        try (ScriptedPeer a = new ScriptedPeer("a", CLUSTER_ID);
            NettyTransport b = transport(a, Duration.ofSeconds(30)))
        {
            b.start("b", recorder);
            final Socket bDialed = a.acceptDial(WAIT);
            assertThat(ScriptedPeer.readHandshake(bDialed, FrameFormat.HELLO).nodeId()).isEqualTo("b");
            a.sendWelcome(bDialed, "b");
            InJvmCluster.await(() -> b.isReachable("a"), WAIT, "b to see a up");
            b.send("a", message("b", "a", 1));
            assertThat(ScriptedPeer.readMessage(bDialed)).isEqualTo(message("b", "a", 1));

            // a's dial completes: b switches to it at once (it answered WELCOME), a still sends on b's dial.
            final Socket aDialed = a.dial(b.localAddress());
            a.sendHello(aDialed, "b");
            a.awaitWelcome(aDialed);
            InJvmCluster.await(() -> b.stats().connectionsOpened() == 2, WAIT, "b to take a's dial");
            a.sendMessage(bDialed, message("a", "b", 100));
            recorder.awaitMessages(Set.of(100L));
            b.send("a", message("b", "a", 2));
            assertThat(ScriptedPeer.readMessage(aDialed)).isEqualTo(message("b", "a", 2));

            // The connection in use breaks while the other is still open: b carries on over the other, but what was
            // in flight on the broken one is lost, so a is reported down and at once up again (the runtime fails the
            // calls that awaited an answer sent there instead of letting them wait for their timeout), and what was
            // still queued is dropped (StaleQueuedMessageTest).
            ScriptedPeer.quietlyClose(aDialed);
            InJvmCluster.await(() -> b.link("a").connectionCount() == 1, WAIT, "b to notice the close");
            b.send("a", message("b", "a", 3));
            assertThat(ScriptedPeer.readMessage(bDialed)).isEqualTo(message("b", "a", 3));
            InJvmCluster.await(() -> recorder.statusChanges.size() >= 3, WAIT,
                "b to report the loss of the connection in use, " + recorder.statusChanges);
            assertThat(recorder.statusChanges).containsExactly("up a", "down a", "up a");
            assertThat(b.isReachable("a")).isTrue();

            // When the last connection closes a is down; b then dials again and a is up again.
            ScriptedPeer.quietlyClose(bDialed);
            InJvmCluster.await(() -> recorder.statusChanges.size() == 4, WAIT, "b to report a down");
            final Socket redialed = a.acceptDial(WAIT);
            ScriptedPeer.readHandshake(redialed, FrameFormat.HELLO);
            a.sendWelcome(redialed, "b");
            InJvmCluster.await(() -> recorder.statusChanges.size() == 5, WAIT, "b to report a up again");
            assertThat(recorder.statusChanges).containsExactly("up a", "down a", "up a", "down a", "up a");
            assertThat(b.stats().messagesDropped()).isZero();
        }
    }

    @Test
    void aDuplicateThePeerClosesItselfIsForgottenSilently() throws Exception
    {
        final Recorder recorder = new Recorder();
        try (ScriptedPeer a = new ScriptedPeer("a", CLUSTER_ID);
            NettyTransport b = transport(a, Duration.ofSeconds(30)))
        {
            b.start("b", recorder);
            final Socket bDialed = a.acceptDial(WAIT);
            ScriptedPeer.readHandshake(bDialed, FrameFormat.HELLO);
            a.sendWelcome(bDialed, "b");
            final Socket aDialed = a.dial(b.localAddress());
            a.sendHello(aDialed, "b");
            a.awaitWelcome(aDialed);
            InJvmCluster.await(() -> b.link("a").connectionCount() == 2, WAIT, "b to hold both connections");

            ScriptedPeer.quietlyClose(bDialed);
            InJvmCluster.await(() -> b.link("a").connectionCount() == 1, WAIT, "b to forget the duplicate");
            b.send("a", message("b", "a", 1));
            assertThat(ScriptedPeer.readMessage(aDialed)).isEqualTo(message("b", "a", 1));
            assertThat(recorder.statusChanges).containsExactly("up a");
        }
    }

    /**
     * A node dials only when it has no connection left, so a new connection dialed by the node that dialed an open one
     * means it lost that one (or restarted: a half-open connection to a crashed process stays open here until the
     * failure timeout). The older one is closed, and what was in flight on it is lost: the node must be reported down
     * (then up), else the calls that awaited its answers wait for their whole timeout and monitors of the processes
     * of a restarted node never fire.
     */
    @Test
    void aNewConnectionDialedByTheNodeThatDialedTheOpenOneReportsTheNodeDownAndUp() throws Exception
    {
        final Recorder recorder = new Recorder();
        try (ScriptedPeer b = new ScriptedPeer("b", CLUSTER_ID);
            NettyTransport a = transport(b, Duration.ofSeconds(30)))
        {
            a.start("a", recorder);
            // a's own dial is left unanswered: it stays in its handshake, so a dials nothing else.
            final Socket aDialed = b.acceptDial(WAIT);
            ScriptedPeer.readHandshake(aDialed, FrameFormat.HELLO);
            final Socket first = b.dial(a.localAddress());
            b.sendHello(first, "a");
            b.awaitWelcome(first);
            InJvmCluster.await(() -> a.isReachable("b"), WAIT, "a to see b up");
            a.send("b", message("a", "b", 1));
            assertThat(ScriptedPeer.readMessage(first)).isEqualTo(message("a", "b", 1));

            // b, restarted, dials again while a still holds the old connection.
            final Socket second = b.dial(a.localAddress());
            b.sendHello(second, "a");
            b.awaitWelcome(second);
            assertThat(ScriptedPeer.awaitClosedByNode(first, WAIT)).as("the abandoned connection closed").isTrue();
            InJvmCluster.await(() -> recorder.statusChanges.size() >= 3, WAIT,
                "a to report b down and up again, " + recorder.statusChanges);
            assertThat(recorder.statusChanges).containsExactly("up b", "down b", "up b");
            a.send("b", message("a", "b", 2));
            assertThat(ScriptedPeer.readMessage(second)).isEqualTo(message("a", "b", 2));
        }
    }

    @Test
    void twoRealNodesDialingEachOtherAtOnceLoseNoMessageAndNeverReportADown() throws Exception
    {
        final int rounds = 6;
        for (int round = 0; round < rounds; round++)
        {
            final InetSocketAddress addressA = new InetSocketAddress("127.0.0.1", LoopbackPorts.freePort());
            final InetSocketAddress addressB = new InetSocketAddress("127.0.0.1", LoopbackPorts.freePort());
            final Recorder atA = new Recorder();
            final Recorder atB = new Recorder();
            // A 1 ms backoff makes the larger id dial at once too, so both dials race on every round.
            try (NettyTransport a = new NettyTransport(racingConfig(addressA, "b", addressB));
                NettyTransport b = new NettyTransport(racingConfig(addressB, "a", addressA)))
            {
                final Thread startB = new Thread(() -> b.start("b", atB), "start-b");
                startB.start();
                a.start("a", atA);
                startB.join();

                // Both send as soon as they see the other up, through the whole handshake race.
                final Set<Long> sentByA = sendWhileConnecting(a, "a", "b");
                final Set<Long> sentByB = sendWhileConnecting(b, "b", "a");
                atB.awaitMessages(sentByA);
                atA.awaitMessages(sentByB);
                // The pair converges on one connection, and neither side ever reported the other down.
                InJvmCluster.await(() -> a.link("b").connectionCount() == 1 && b.link("a").connectionCount() == 1,
                    WAIT, "one connection per pair");
                assertThat(atA.statusChanges).containsExactly("up b");
                assertThat(atB.statusChanges).containsExactly("up a");
            }
        }
    }

    private static NettyTransportConfig racingConfig(final InetSocketAddress listen, final String peer,
        final InetSocketAddress peerAddress)
    {
        return NettyTransportConfig.builder().clusterId(CLUSTER_ID).listenAddress(listen).peer(peer, peerAddress)
            .heartbeatInterval(Duration.ofMillis(100)).failureTimeout(Duration.ofMillis(2000))
            .handshakeTimeout(Duration.ofSeconds(20))
            .reconnectBackoff(Duration.ofMillis(1), Duration.ofMillis(50)).build();
    }

    /**
     * Send numbered messages for a while, each only when the peer is reachable, so that each one must arrive.
     */
    private static Set<Long> sendWhileConnecting(final NettyTransport from, final String fromNode,
        final String toNode) throws InterruptedException
    {
        InJvmCluster.await(() -> from.isReachable(toNode), WAIT, fromNode + " to see " + toNode + " up");
        final Set<Long> sent = new java.util.HashSet<>();
        for (long i = 1; i <= 200; i++)
        {
            if (from.isReachable(toNode))
            {
                from.send(toNode, message(fromNode, toNode, i));
                sent.add(i);
            }
            if (i % 20 == 0)
            {
                Thread.sleep(1);
            }
        }
        return sent;
    }

    private static NettyTransport transport(final ScriptedPeer peer, final Duration failureTimeout)
    {
        // A long handshake timeout: the scripted side answers each handshake only when the test says so.
        return new NettyTransport(NettyTransportConfig.builder().clusterId(CLUSTER_ID)
            .peer(peer.node(), peer.address())
            .heartbeatInterval(Duration.ofMillis(100)).failureTimeout(failureTimeout)
            .handshakeTimeout(Duration.ofSeconds(60))
            .reconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(100)).build());
    }

    /**
     * A message whose process id carries a sequence number, so that the receiver can tell which arrived.
     */
    private static NodeMessage message(final String from, final String to, final long sequence)
    {
        return new NodeMessage.ProcessMessage(new ProcessRef(to, sequence), new ServerId("c", from),
            Bytes.wrap(new byte[] {1, 2, 3}));
    }

    /**
     * What a transport reported: node up/down in order, and the sequence numbers of the messages received.
     */
    private static final class Recorder implements TransportListener
    {
        final List<String> statusChanges = new CopyOnWriteArrayList<>();
        final Set<Long> received = ConcurrentHashMap.newKeySet();

        @Override
        public void onMessage(final String fromNode, final NodeMessage message)
        {
            received.add(((NodeMessage.ProcessMessage)message).to().id());
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

        void awaitMessages(final Set<Long> expected)
        {
            try
            {
                InJvmCluster.await(() -> received.containsAll(expected), WAIT, "messages " + expected.size() +
                    " to arrive");
            }
            catch (final AssertionError ex)
            {
                final List<Long> missing = new ArrayList<>(expected);
                missing.removeAll(received);
                throw new AssertionError("lost " + missing.size() + " messages, e.g. " +
                    missing.subList(0, Math.min(10, missing.size())) + "; status " + statusChanges, ex);
            }
        }
    }
}

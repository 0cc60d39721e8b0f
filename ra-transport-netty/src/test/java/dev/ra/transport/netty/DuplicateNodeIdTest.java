package dev.ra.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.ProcessRef;
import dev.ra.ServerId;
import dev.ra.codec.BufferReader;
import dev.ra.codec.BufferWriter;
import dev.ra.codec.Bytes;
import dev.ra.codec.CodecException;
import dev.ra.protocol.NodeMessage;
import dev.ra.spi.TransportListener;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.LoopbackPorts;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two running processes that claim the same node id (a settings file copied to another host, a node started again
 * elsewhere while the old process still runs): the second one's connections are refused, naming the node id and both
 * addresses, and the first one and its peers go on undisturbed.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DuplicateNodeIdTest
{
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** Marks a message as the impostor's (in its process id). */
    private static final long FROM_IMPOSTOR = 7_000_000;

    /**
     * Before, n2 took the impostor's connection as n1's: being dialed by the smaller id, it replaced the genuine n1's,
     * so n2 reported n1 down and up again at each of the two processes' redials (failing the calls that awaited an
     * answer), handed the impostor's messages to the runtime as n1's, and sent the impostor messages meant for n1.
     */
    @Test
    void aSecondProcessClaimingARunningNodesIdIsRefusedAndTheFirstGoesOnUndisturbed() throws Exception
    {
        // A node counts as running for four heartbeat intervals after it was last heard: 4 s here, whatever the load.
        final LoopbackTransports transports = new LoopbackTransports(2, b -> b
            .heartbeatInterval(Duration.ofSeconds(1)).failureTimeout(Duration.ofSeconds(30)));
        final InetSocketAddress impostorAddress = new InetSocketAddress("127.0.0.1", LoopbackPorts.freePort());
        final Recorder atN1 = new Recorder();
        final Recorder atN2 = new Recorder();
        final Recorder atImpostor = new Recorder();
        try (NettyTransport n1 = (NettyTransport)transports.newTransport("n1");
            NettyTransport n2 = (NettyTransport)transports.newTransport("n2");
            NettyTransport impostor = new NettyTransport(transports.config("n1").listenAddress(impostorAddress)
                .build()))
        {
            n2.start("n2", atN2);
            n1.start("n1", atN1);
            transports.awaitConnected(WAIT);
            impostor.start("n1", atImpostor);
            InJvmCluster.await(() -> impostor.isReachable("n2") || impostor.stats().connectionsRefused() > 0, WAIT,
                "the impostor to be connected or refused");

            for (int i = 1; i <= 20; i++)
            {
                impostor.send("n2", message("n2", FROM_IMPOSTOR + i, "n1"));
                n1.send("n2", message("n2", i, "n1"));
                n2.send("n1", message("n1", i, "n2"));
                Thread.sleep(20);
            }
            InJvmCluster.await(() -> atN1.received.size() + atImpostor.received.size() >= 20 &&
                atN2.received.size() >= 20, WAIT, "the messages to arrive");

            assertThat(atN2.received).as("what n2 handed its runtime as n1's").hasSize(20)
                .noneMatch(m -> m.to().id() > FROM_IMPOSTOR);
            assertThat(atImpostor.received).as("n2's messages to n1 that reached the impostor").isEmpty();
            assertThat(atN1.received).as("n2's messages to n1").hasSize(20);
            assertThat(atN2.statusChanges).as("n1's ups and downs seen by n2").containsExactly("up n1");
            InJvmCluster.await(() -> impostor.stats().connectionsRefused() > 0, WAIT, "the impostor to be refused");
            assertThat(impostor.isReachable("n2")).as("the impostor connected to n2").isFalse();
            final String genuine = "127.0.0.1:" + n1.localAddress().getPort();
            final String second = "127.0.0.1:" + impostorAddress.getPort();
            assertThat(n2.peerStats().get("n1").duplicateRefusal()).as("what n2 says of the refusal")
                .contains("another process runs node n1", "listening on " + genuine, "listening on " + second);
            assertThat(impostor.peerStats().get("n2").duplicateRefusal()).as("what the impostor says of it")
                .contains("n2 refused this node: another process runs node n1", genuine, second);
            assertThat(n1.peerStats().get("n2").duplicateRefusal()).as("what the genuine n1 says").isNull();
        }
    }

    /**
     * A node whose process died without a word (its host lost) is started again, and dials a peer while that peer's
     * connection to the old process is still open, silent until the failure timeout. Before, the new run's connection
     * was only a standby there (the old one, dialed by the smaller id, was preferred): the peer went on sending to the
     * dead process until the failure timeout. Now it is taken at once, and the old run's connection closed.
     */
    @Test
    void aRestartedNodeIsTakenAtOnceWhileTheConnectionToItsOldRunLingers() throws Exception
    {
        final Recorder atA = new Recorder();
        try (ScriptedPeer b = new ScriptedPeer("b", "test");
            NettyTransport a = new NettyTransport(NettyTransportConfig.builder().clusterId("test")
                .peer(b.node(), b.address()).heartbeatInterval(Duration.ofMillis(100))
                .failureTimeout(Duration.ofSeconds(60)).handshakeTimeout(Duration.ofSeconds(60))
                .reconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(100)).build()))
        {
            a.start("a", atA);
            final Socket toOldRun = b.acceptDial(WAIT);
            ScriptedPeer.readHandshake(toOldRun, FrameFormat.HELLO);
            ScriptedPeer.sendFrame(toOldRun, FrameFormat.WELCOME, handshakeOfRun("b", "a", "0ld", b.address()));
            InJvmCluster.await(() -> a.isReachable("b"), WAIT, "a to see b up");

            // The old run is gone: nothing more comes from it (no heartbeat), for longer than a live node is silent.
            Thread.sleep(1_000);
            final Socket fromNewRun = b.dial(a.localAddress());
            ScriptedPeer.sendFrame(fromNewRun, FrameFormat.HELLO, handshakeOfRun("b", "a", "n3w", b.address()));
            b.awaitWelcome(fromNewRun);

            assertThat(ScriptedPeer.awaitClosedByNode(toOldRun, WAIT)).as("the old run's connection closed").isTrue();
            final NodeMessage toNewRun = message("b", 1, "a");
            a.send("b", toNewRun);
            assertThat(ScriptedPeer.readMessage(fromNewRun)).as("what a sent after the restart").isEqualTo(toNewRun);
            assertThat(atA.statusChanges).as("b's ups and downs").containsExactly("up b", "down b", "up b");
            assertThat(a.peerStats().get("b").duplicateRefusal()).as("a refusal").isNull();
        }
    }

    /**
     * The check is made on each handshake, a caller connection's included: a second process claiming b, while b's
     * process is connected and heard from, is refused on both, with a reason naming b, both runs and both addresses.
     */
    @Test
    void aSecondProcessIsRefusedItsPeerLinkAndItsCallerConnections() throws Exception
    {
        try (ScriptedPeer b = new ScriptedPeer("b", "test");
            NettyTransport a = new NettyTransport(NettyTransportConfig.builder().clusterId("test")
                .peer(b.node(), b.address()).heartbeatInterval(Duration.ofSeconds(1))
                .failureTimeout(Duration.ofSeconds(60)).handshakeTimeout(Duration.ofSeconds(60))
                .reconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(100)).build()))
        {
            a.start("a", new Recorder());
            final Socket toB = b.acceptDial(WAIT);
            ScriptedPeer.readHandshake(toB, FrameFormat.HELLO);
            ScriptedPeer.sendFrame(toB, FrameFormat.WELCOME, handshakeOfRun("b", "a", "first", b.address()));
            b.keepAlive(toB);
            InJvmCluster.await(() -> a.isReachable("b"), WAIT, "a to see b up");

            final InetSocketAddress elsewhere = new InetSocketAddress("127.0.0.1", 9);
            for (final int type : new int[] {FrameFormat.HELLO, FrameFormat.CALLER_HELLO})
            {
                final Socket second = b.dial(a.localAddress());
                ScriptedPeer.sendFrame(second, type, handshakeOfRun("b", "a", "second", elsewhere));
                final ScriptedPeer.Frame answer = ScriptedPeer.readFrame(second);
                assertThat(answer.type()).as("the answer to handshake type %d", type).isEqualTo(FrameFormat.REFUSE);
                assertThat(new BufferReader(answer.body()).readString()).as("the reason")
                    .startsWith("another process runs node b (run first, listening on " +
                        b.address().getHostString() + ":" + b.address().getPort())
                    .contains("(run second, listening on 127.0.0.1:9)");
            }
            assertThat(a.isReachable("b")).as("b, still connected").isTrue();
            assertThat(a.peerStats().get("b").connectionsOpened()).as("connections to b").isEqualTo(1);
            assertThat(a.peerStats().get("b").duplicateRefusal()).contains("another process runs node b");
        }
    }

    /**
     * A running node that heartbeats less often than this one (its own settings: every 5 s here, every 100 ms on a) is
     * quiet for longer than four of this node's intervals between two heartbeats. Before, a second process claiming
     * its id in such a pause was taken for its restart: the running node's connection was closed, the node reported
     * down, and the running node itself refused from then on. The handshake now says how often the sender
     * heartbeats, and a connection counts as running for four of the longer of the two intervals.
     */
    @Test
    void aRunningNodeThatHeartbeatsLessOftenIsNotTakenForGoneBetweenItsHeartbeats() throws Exception
    {
        final Recorder atA = new Recorder();
        try (ScriptedPeer b = new ScriptedPeer("b", "test");
            NettyTransport a = new NettyTransport(NettyTransportConfig.builder().clusterId("test")
                .peer(b.node(), b.address()).heartbeatInterval(Duration.ofMillis(100))
                .failureTimeout(Duration.ofSeconds(60)).handshakeTimeout(Duration.ofSeconds(60))
                .reconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(100)).build()))
        {
            a.start("a", atA);
            final Socket toB = b.acceptDial(WAIT);
            ScriptedPeer.readHandshake(toB, FrameFormat.HELLO);
            ScriptedPeer.sendFrame(toB, FrameFormat.WELCOME,
                handshakeOfRun("b", "a", "first", b.address(), 5_000));
            InJvmCluster.await(() -> a.isReachable("b"), WAIT, "a to see b up");
            ScriptedPeer.sendFrame(toB, FrameFormat.HEARTBEAT, new byte[0]);
            // Well within b's own interval, and longer than four of a's.
            Thread.sleep(600);

            final Socket second = b.dial(a.localAddress());
            ScriptedPeer.sendFrame(second, FrameFormat.HELLO,
                handshakeOfRun("b", "a", "second", new InetSocketAddress("127.0.0.1", 9), 5_000));
            assertThat(ScriptedPeer.readFrame(second).type()).as("the answer to the second process")
                .isEqualTo(FrameFormat.REFUSE);
            assertThat(a.isReachable("b")).as("b, still connected").isTrue();
            assertThat(atA.statusChanges).as("b's ups and downs").containsExactly("up b");
        }
    }

    /**
     * A node's threads make their calls on caller connections as soon as a peer is back (restarted), while the node's
     * peer link waits for its next redial. Before, those connections were not looked at: a second process claiming
     * the node's id got the peer link in the meantime, so the peer took the second process for the node while
     * handing the node's calls, on its caller connections, to the runtime too, and refused the node's peer link.
     */
    @Test
    void aSecondProcessIsRefusedWhileTheNodesCallerConnectionIsInUse() throws Exception
    {
        try (ScriptedPeer b = new ScriptedPeer("b", "test");
            NettyTransport a = new NettyTransport(NettyTransportConfig.builder().clusterId("test").allowNode("b")
                .heartbeatInterval(Duration.ofSeconds(1)).failureTimeout(Duration.ofSeconds(60))
                .handshakeTimeout(Duration.ofSeconds(60)).build()))
        {
            a.start("a", new Recorder());
            final Socket caller = b.dial(a.localAddress());
            ScriptedPeer.sendFrame(caller, FrameFormat.CALLER_HELLO,
                handshakeOfRun("b", "a", "first", b.address(), 1_000));
            assertThat(ScriptedPeer.readFrame(caller).type()).as("the answer to b's caller connection")
                .isEqualTo(FrameFormat.WELCOME);

            final Socket second = b.dial(a.localAddress());
            ScriptedPeer.sendFrame(second, FrameFormat.HELLO,
                handshakeOfRun("b", "a", "second", new InetSocketAddress("127.0.0.1", 9), 1_000));
            final ScriptedPeer.Frame answer = ScriptedPeer.readFrame(second);
            assertThat(answer.type()).as("the answer to the second process's peer link")
                .isEqualTo(FrameFormat.REFUSE);
            assertThat(new BufferReader(answer.body()).readString()).as("the reason")
                .startsWith("another process runs node b (run first").contains("(run second");
            assertThat(a.isReachable("b")).as("the second process taken for b").isFalse();
        }
    }

    /**
     * The run and the address follow the version range, where the nodes of versions 2 to 8 ignore what they find; a
     * node of version 8 or older sends none, and is checked by id alone, as before.
     */
    @Test
    void theRunIsSentFromVersion9OnAndIgnoredByOlderReaders()
    {
        final Handshake current = roundTrip(Handshake.of("d", "n1", "n2", ProtocolVersions.NEWEST, "r1", "h:1",
            250));
        assertThat(current.run()).isEqualTo("r1");
        assertThat(current.listensOn()).isEqualTo("h:1");
        assertThat(current.heartbeatMillis()).isEqualTo(250);
        final Handshake older = roundTrip(Handshake.of("d", "n1", "n2", ProtocolVersions.RUN_ID - 1, "r1", "h:1",
            250));
        assertThat(older.run()).as("the run of a node of version 8").isNull();
        assertThat(older.newest()).isEqualTo(ProtocolVersions.RUN_ID - 1);
        assertThat(roundTrip(Handshake.of("d", "n1", "n2", ProtocolVersions.NEWEST, "r1", "h:1", 250).withoutRange())
            .run()).as("the run in a handshake of version 1").isNull();
    }

    /**
     * A run id or listen address of any length was read (up to a frame's 64 KiB) and copied into the ERROR lines and
     * refusals naming two processes: a peer's garbage made them unreadable. Refused as malformed now.
     */
    @Test
    void aRunOrListenAddressTooLongIsMalformed()
    {
        final String longRun = "r".repeat(Handshake.MAX_RUN_CHARS + 1);
        assertThatThrownBy(() -> roundTrip(Handshake.of("d", "n1", "n2", ProtocolVersions.NEWEST, longRun, "h:1",
            250))).isInstanceOf(CodecException.class).hasMessageContaining("run id of " + longRun.length());
        final String longAddress = "h".repeat(Handshake.MAX_LISTENS_ON_CHARS) + ":1";
        assertThatThrownBy(() -> roundTrip(Handshake.of("d", "n1", "n2", ProtocolVersions.NEWEST, "r1", longAddress,
            250))).isInstanceOf(CodecException.class).hasMessageContaining("listen address");
        assertThat(roundTrip(Handshake.of("d", "n1", "n2", ProtocolVersions.NEWEST, "r".repeat(64),
            "h".repeat(250) + ":65535", 250)).run()).hasSize(64);
    }

    private static Handshake roundTrip(final Handshake handshake)
    {
        final BufferWriter out = new BufferWriter(64);
        handshake.encode(out);
        return Handshake.decode(new BufferReader(out.toByteArray()));
    }

    /** A handshake of version 9, written field by field as the protocol lays it out. */
    private static byte[] handshakeOfRun(final String node, final String expectedPeer, final String run,
        final InetSocketAddress listensOn)
    {
        return handshakeOfRun(node, expectedPeer, run, listensOn, 100);
    }

    /** The same, saying that the sender heartbeats every {@code heartbeatMs}. */
    private static byte[] handshakeOfRun(final String node, final String expectedPeer, final String run,
        final InetSocketAddress listensOn, final long heartbeatMs)
    {
        final BufferWriter out = new BufferWriter(64);
        out.writeString(FrameFormat.MAGIC).writeString("test").writeString(node).writeString(expectedPeer)
            .writeVarLong(1).writeVarLong(9).writeString(run)
            .writeString(listensOn.getHostString() + ":" + listensOn.getPort()).writeVarLong(heartbeatMs);
        return out.toByteArray();
    }

    private static NodeMessage.ProcessMessage message(final String toNode, final long id, final String fromNode)
    {
        return new NodeMessage.ProcessMessage(new ProcessRef(toNode, id), new ServerId("c", fromNode),
            Bytes.wrap(new byte[] {1}));
    }

    /** Records the process messages and the ups and downs a node's runtime is told of. */
    private static final class Recorder implements TransportListener
    {
        final List<NodeMessage.ProcessMessage> received = new CopyOnWriteArrayList<>();
        final List<String> statusChanges = new CopyOnWriteArrayList<>();

        @Override
        public void onMessage(final String fromNode, final NodeMessage message)
        {
            if (message instanceof NodeMessage.ProcessMessage m)
            {
                received.add(m);
            }
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

package dev.ra.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ProcessRef;
import dev.ra.ServerId;
import dev.ra.codec.BufferReader;
import dev.ra.codec.BufferWriter;
import dev.ra.codec.Bytes;
import dev.ra.protocol.NodeMessage;
import dev.ra.protocol.ServerRequest;
import dev.ra.spi.CallerReceive;
import dev.ra.spi.TransportListener;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.ThreadPerTask;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Protocol versions in the handshake (docs/UPGRADES.md): two nodes speak the newest version both have; a node with
 * none in common is refused, with both ranges named on both sides and in the peer's stats; a node of version 1 (the
 * release before ranges, whose handshake has none and which closes on one that has) still connects both ways. The
 * other node is played by hand ({@link ScriptedPeer}) to claim ranges no release has yet. Loopback only.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ProtocolVersionTest
{
    private static final String CLUSTER_ID = "test";
    private static final Duration WAIT = Duration.ofSeconds(20);
    /** The oldest version of a later release that no longer speaks this one's. */
    private static final int NEWER = ProtocolVersions.NEWEST + 1;

    @Test
    void aDialerSpeakingOnlyNewerVersionsIsRefusedWithBothRanges() throws Exception
    {
        try (ScriptedPeer b = new ScriptedPeer("b", CLUSTER_ID);
            NettyTransport a = transport(b))
        {
            a.start("a", new Recorder());
            final Socket socket = b.dial(a.localAddress());
            ScriptedPeer.sendFrame(socket, FrameFormat.HELLO, b.rangedHandshake("a", NEWER, NEWER + 1));
            final ScriptedPeer.Frame answer = ScriptedPeer.readFrame(socket);
            assertThat(answer.type()).isEqualTo(FrameFormat.REFUSE);
            final BufferReader body = new BufferReader(answer.body());
            final String reason = body.readString();
            assertNamesBothRanges(reason);
            assertThat(body.readVarLong()).as("the refuser's oldest version").isEqualTo(ProtocolVersions.OLDEST);
            assertThat(body.readVarLong()).as("the refuser's newest version").isEqualTo(ProtocolVersions.NEWEST);
            assertThat(ScriptedPeer.awaitClosedByNode(socket, WAIT)).isTrue();
            final PeerStats stats = a.peerStats().get("b");
            assertNamesBothRanges(stats.versionRefusal());
            assertThat(stats.up()).isFalse();
            assertThat(stats.protocolVersion()).isZero();
        }
    }

    @Test
    void anAcceptorRefusingForVersionsShowsInTheDialersStats() throws Exception
    {
        try (ScriptedPeer b = new ScriptedPeer("b", CLUSTER_ID);
            NettyTransport a = transport(b))
        {
            a.start("a", new Recorder());
            final Socket dialed = b.acceptDial(WAIT);
            final Handshake hello = ScriptedPeer.readHandshake(dialed, FrameFormat.HELLO);
            assertThat(hello.ranged()).isTrue();
            assertThat(hello.oldest()).isEqualTo(ProtocolVersions.OLDEST);
            assertThat(hello.newest()).isEqualTo(ProtocolVersions.NEWEST);
            // A later release that no longer speaks a's versions refuses as this one does: reason, then its range.
            final int later = ProtocolVersions.NEWEST + 1;
            final String why = "no protocol version in common: node a speaks versions 1 to " +
                ProtocolVersions.NEWEST + ", node b speaks versions " + later + " to " + (later + 1);
            ScriptedPeer.sendFrame(dialed, FrameFormat.REFUSE, new BufferWriter(64).writeString(why)
                .writeVarLong(later).writeVarLong(later + 1).toByteArray());
            InJvmCluster.await(() -> null != a.peerStats().get("b").versionRefusal(), WAIT, "a to record the refusal");
            assertThat(a.peerStats().get("b").versionRefusal()).contains("b refused this node").contains(why);
        }
    }

    @Test
    void anAcceptorWelcomingWithOnlyNewerVersionsIsRefusedByTheDialer() throws Exception
    {
        try (ScriptedPeer b = new ScriptedPeer("b", CLUSTER_ID);
            NettyTransport a = transport(b))
        {
            final Recorder recorder = new Recorder();
            a.start("a", recorder);
            final Socket dialed = b.acceptDial(WAIT);
            ScriptedPeer.readHandshake(dialed, FrameFormat.HELLO);
            ScriptedPeer.sendFrame(dialed, FrameFormat.WELCOME, b.rangedHandshake("a", NEWER, NEWER + 1));
            assertThat(ScriptedPeer.awaitClosedByNode(dialed, WAIT)).as("a closes the connection").isTrue();
            assertNamesBothRanges(a.peerStats().get("b").versionRefusal());
            assertThat(recorder.events).as("never reported up").isEmpty();
        }
    }

    @Test
    void aNodeOfVersionOneConnectsBothWays() throws Exception
    {
        try (ScriptedPeer b = new ScriptedPeer("b", CLUSTER_ID);
            NettyTransport a = transport(b))
        {
            final Recorder recorder = new Recorder();
            a.start("a", recorder);

            // a dials b with its range; b, of version 1, closes on the bytes it does not know, without a word.
            final Socket first = b.acceptDial(WAIT);
            assertThat(ScriptedPeer.readHandshake(first, FrameFormat.HELLO).ranged()).isTrue();
            ScriptedPeer.quietlyClose(first);
            // a dials again with the handshake of version 1, which b welcomes in kind.
            final Socket second = b.acceptDial(WAIT);
            assertThat(ScriptedPeer.readHandshake(second, FrameFormat.HELLO).ranged()).as("second HELLO").isFalse();
            b.sendWelcome(second, "a");
            InJvmCluster.await(() -> a.isReachable("b"), WAIT, "a to see b up");
            assertThat(a.peerStats().get("b").protocolVersion()).isEqualTo(1);
            a.send("b", message("a", "b", 1));
            assertThat(ScriptedPeer.readMessage(second)).isEqualTo(message("a", "b", 1));

            // b dials a with the handshake of version 1: a answers without a range (b would close on one).
            final Socket bDialed = b.dial(a.localAddress());
            b.sendHello(bDialed, "a");
            final ScriptedPeer.Frame welcome = ScriptedPeer.readFrame(bDialed);
            assertThat(welcome.type()).isEqualTo(FrameFormat.WELCOME);
            final BufferWriter legacy = new BufferWriter(64);
            Handshake.of(CLUSTER_ID, "a", "b").withoutRange().encode(legacy);
            assertThat(welcome.body()).as("a WELCOME exactly as version 1 writes it").isEqualTo(legacy.toByteArray());
            b.keepAlive(bDialed);
            b.sendMessage(bDialed, message("b", "a", 2));
            InJvmCluster.await(() -> recorder.events.contains("message 2"), WAIT, "a to receive b's message");
            assertThat(a.peerStats().get("b").versionRefusal()).isNull();
        }
    }

    @Test
    void aCallerConnectionToANodeOfVersionOneAsksAgainWithoutARange() throws Exception
    {
        try (ScriptedPeer b = new ScriptedPeer("b", CLUSTER_ID);
            NettyTransport a = transport(b))
        {
            final Recorder recorder = new Recorder();
            a.start("a", recorder);
            final Socket link = b.acceptDial(WAIT);
            ScriptedPeer.readHandshake(link, FrameFormat.HELLO);
            b.sendWelcome(link, "a");
            InJvmCluster.await(() -> a.isReachable("b"), WAIT, "a to see b up");

            final NodeMessage.ServerCall call = new NodeMessage.ServerCall(7, new ServerId("c", "b"),
                new ServerRequest.Members());
            final CompletableFuture<CallerReceive> outcome = CompletableFuture.supplyAsync(() ->
                a.sendAndReceiveOnCaller("b", call, System.nanoTime() + WAIT.toNanos()), ThreadPerTask.EXECUTOR);
            final Socket first = b.acceptDial(WAIT);
            assertThat(ScriptedPeer.readHandshake(first, FrameFormat.CALLER_HELLO).ranged()).isTrue();
            ScriptedPeer.quietlyClose(first);
            final Socket second = b.acceptDial(WAIT);
            assertThat(ScriptedPeer.readHandshake(second, FrameFormat.CALLER_HELLO).ranged()).isFalse();
            final BufferWriter welcome = new BufferWriter(64);
            Handshake.of(CLUSTER_ID, "b", "a").withoutRange().encode(welcome);
            ScriptedPeer.sendFrame(second, FrameFormat.WELCOME, welcome.toByteArray());
            assertThat(ScriptedPeer.readMessage(second)).isEqualTo(call);
            b.sendMessage(second, new NodeMessage.CallReply(7, NodeMessage.CallStatus.OK, Bytes.wrap(new byte[] {1}),
                null, null, ""));
            assertThat(outcome.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(CallerReceive.ANSWERED);
            assertThat(recorder.events).contains("CallReply");
        }
    }

    @Test
    void twoNodesOfThisReleaseSpeakItsNewestVersion() throws Exception
    {
        final LoopbackTransports transports = new LoopbackTransports(2);
        final NettyTransport n1 = (NettyTransport)transports.newTransport("n1");
        final NettyTransport n2 = (NettyTransport)transports.newTransport("n2");
        try (n1; n2)
        {
            n1.start("n1", new Recorder());
            n2.start("n2", new Recorder());
            transports.awaitConnected(WAIT);
            assertThat(n1.peerStats().get("n2").protocolVersion()).isEqualTo(ProtocolVersions.NEWEST);
            assertThat(n2.peerStats().get("n1").protocolVersion()).isEqualTo(ProtocolVersions.NEWEST);
            assertThat(n1.peerStats().get("n2").versionRefusal()).isNull();
        }
    }

    @Test
    void versionsAgreeOnTheNewestCommonOne()
    {
        assertThat(ProtocolVersions.agree(1, 1)).isEqualTo(1);
        // A peer of a later release, which speaks versions up to NEWEST + 3.
        final int later = ProtocolVersions.NEWEST + 3;
        assertThat(ProtocolVersions.agree(1, later)).isEqualTo(ProtocolVersions.NEWEST);
        assertThat(ProtocolVersions.agree(ProtocolVersions.NEWEST, later)).isEqualTo(ProtocolVersions.NEWEST);
        assertThat(ProtocolVersions.agree(ProtocolVersions.NEWEST + 1, later)).isZero();
        // A peer of an earlier release.
        assertThat(ProtocolVersions.agree(1, ProtocolVersions.NEWEST - 1)).isEqualTo(ProtocolVersions.NEWEST - 1);
    }

    private static void assertNamesBothRanges(final String reason)
    {
        assertThat(reason).isNotNull().contains("no protocol version in common")
            .contains("node b speaks versions " + NEWER + " to " + (NEWER + 1))
            .contains("node a speaks versions " + ProtocolVersions.OLDEST + " to " + ProtocolVersions.NEWEST);
    }

    private static NettyTransport transport(final ScriptedPeer peer)
    {
        return new NettyTransport(NettyTransportConfig.builder().clusterId(CLUSTER_ID)
            .peer(peer.node(), peer.address())
            .heartbeatInterval(Duration.ofMillis(100)).failureTimeout(Duration.ofSeconds(10))
            .handshakeTimeout(Duration.ofSeconds(60))
            .reconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(100)).build());
    }

    private static NodeMessage message(final String from, final String to, final long sequence)
    {
        return new NodeMessage.ProcessMessage(new ProcessRef(to, sequence), new ServerId("c", from),
            Bytes.wrap(new byte[] {1, 2, 3}));
    }

    /** What a transport reported: up and down, and the sequence numbers of the messages received. */
    private static final class Recorder implements TransportListener
    {
        final List<String> events = new CopyOnWriteArrayList<>();

        @Override
        public void onMessage(final String fromNode, final NodeMessage message)
        {
            events.add(message instanceof NodeMessage.ProcessMessage process ? "message " + process.to().id() :
                message.getClass().getSimpleName());
        }

        @Override
        public void onNodeUp(final String node)
        {
            events.add("up " + node);
        }

        @Override
        public void onNodeDown(final String node)
        {
            events.add("down " + node);
        }
    }
}

package dev.ra.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ProcessRef;
import dev.ra.ServerId;
import dev.ra.codec.BufferReader;
import dev.ra.codec.Bytes;
import dev.ra.protocol.FailedCommand;
import dev.ra.protocol.NodeMessage;
import dev.ra.spi.PeerFeature;
import dev.ra.spi.TransportListener;
import dev.ra.testkit.InJvmCluster;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a node writes on a connection depends on the protocol version that connection's handshake agreed, not on the
 * version of whichever handshake with the node completed last (another peer connection, or a caller connection): a
 * frame or a message the connection's version does not have closes it at an older node. Node "b" is scripted
 * ({@link ScriptedPeer}) to agree a different version on each of its connections.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ConnectionVersionTest
{
    private static final Duration WAIT = Duration.ofSeconds(20);
    /** How long b watches a connection for a frame that must not come (only the old code's failure waits). */
    private static final Duration WATCH = Duration.ofSeconds(1);

    @Test
    void noFenceIsWrittenOnAConnectionWhoseVersionHasNoneWhateverTheNewOneAgreed() throws Exception
    {
        try (ScriptedPeer b = new ScriptedPeer("b", "test"); NettyTransport a = transport(b))
        {
            a.start("a", new Quiet());
            final Socket aDialed = b.acceptDial(WAIT);
            ScriptedPeer.readHandshake(aDialed, FrameFormat.HELLO);
            // b's dial completes first, agreeing the version before FENCE existed: a sends message 1 on it.
            final Socket bDialed = b.dial(a.localAddress());
            ScriptedPeer.sendFrame(bDialed, FrameFormat.HELLO,
                b.rangedHandshake("a", ProtocolVersions.OLDEST, ProtocolVersions.SWITCH_FENCE - 1));
            b.awaitWelcome(bDialed);
            InJvmCluster.await(() -> a.isReachable("b"), WAIT, "a to see b up");
            a.send("b", message(1));
            assertThat(ScriptedPeer.readMessage(bDialed)).isEqualTo(message(1));

            // a's own dial (the preferred one) completes with the newest version: a switches to it.
            ScriptedPeer.sendFrame(aDialed, FrameFormat.WELCOME,
                b.rangedHandshake("a", ProtocolVersions.OLDEST, ProtocolVersions.NEWEST));
            b.keepAlive(aDialed);
            InJvmCluster.await(() -> a.stats().connectionsOpened() == 2, WAIT, "a to take its own dial");
            a.send("b", message(2));

            // The old connection's version has no FENCE (a node of that version closes the connection on it), so the
            // switch is immediate, as with such a node: message 2 goes on the new connection at once.
            assertThat(messageWithin(aDialed, WAIT)).as("message 2 on the new connection").isEqualTo(message(2));
            assertThat(frameTypesWithin(bDialed, WATCH)).as("frames on the old connection after message 1")
                .doesNotContain(FrameFormat.FENCE);
        }
    }

    @Test
    void aCallerConnectionsHandshakeDoesNotChangeWhatThePeerLinkCarries() throws Exception
    {
        try (ScriptedPeer b = new ScriptedPeer("b", "test"); NettyTransport a = transport(b))
        {
            a.start("a", new Quiet());
            // The peer link agrees a version without failed-command notices ...
            final Socket link = b.acceptDial(WAIT);
            ScriptedPeer.readHandshake(link, FrameFormat.HELLO);
            ScriptedPeer.sendFrame(link, FrameFormat.WELCOME,
                b.rangedHandshake("a", ProtocolVersions.OLDEST, ProtocolVersions.FAILED_NOTICE - 1));
            b.keepAlive(link);
            InJvmCluster.await(() -> a.isReachable("b"), WAIT, "a to see b up");
            // ... and then a caller connection from b completes its handshake with the newest.
            final Socket caller = b.dial(a.localAddress());
            ScriptedPeer.sendFrame(caller, FrameFormat.CALLER_HELLO,
                b.rangedHandshake("a", ProtocolVersions.OLDEST, ProtocolVersions.NEWEST));
            ScriptedPeer.readHandshake(caller, FrameFormat.WELCOME);
            InJvmCluster.await(() -> a.stats().callerConnectionsOpened() == 1, WAIT, "a to take the caller connection");

            assertThat(a.peerStats().get("b").protocolVersion()).as("the version spoken on the peer link")
                .isEqualTo(ProtocolVersions.FAILED_NOTICE - 1);
            assertThat(a.supports("b", PeerFeature.FAILED_COMMAND_NOTICE)).as("b takes failed-command notices")
                .isFalse();
            // A notice the runtime sends anyway (a bug there) is refused by the peer link's version, not written.
            a.send("b", new NodeMessage.FailedNotice(new ProcessRef("b", 9), new ServerId("c", "a"),
                List.of(new FailedCommand("x", FailedCommand.Kind.APPLY_THREW, "x.Boom", null, 1))));
            a.send("b", message(1));
            assertThat(ScriptedPeer.readMessage(link)).as("the first message on the peer link").isEqualTo(message(1));
        }
    }

    private static NettyTransport transport(final ScriptedPeer b)
    {
        return new NettyTransport(NettyTransportConfig.builder().clusterId("test")
            .peer(b.node(), b.address()).heartbeatInterval(Duration.ofMillis(100))
            .failureTimeout(Duration.ofSeconds(30)).handshakeTimeout(Duration.ofSeconds(60))
            .reconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(100)).build());
    }

    /** @return the next message on the connection within the time, skipping other frames; null if none came. */
    private static NodeMessage messageWithin(final Socket socket, final Duration time) throws IOException
    {
        for (final ScriptedPeer.Frame frame : framesWithin(socket, time, true))
        {
            if (frame.type() == FrameFormat.MESSAGE)
            {
                return WireCodec.INSTANCE.decode(new BufferReader(frame.body()));
            }
        }
        return null;
    }

    private static List<Integer> frameTypesWithin(final Socket socket, final Duration time) throws IOException
    {
        final List<Integer> types = new ArrayList<>();
        for (final ScriptedPeer.Frame frame : framesWithin(socket, time, false))
        {
            if (frame.type() != FrameFormat.HEARTBEAT)
            {
                types.add(frame.type());
            }
        }
        return types;
    }

    /** The frames read within the time (up to the first message if {@code untilMessage}). */
    private static List<ScriptedPeer.Frame> framesWithin(final Socket socket, final Duration time,
        final boolean untilMessage) throws IOException
    {
        final List<ScriptedPeer.Frame> frames = new ArrayList<>();
        final long deadline = System.nanoTime() + time.toNanos();
        socket.setSoTimeout(50);
        try
        {
            while (System.nanoTime() - deadline < 0)
            {
                try
                {
                    final ScriptedPeer.Frame frame = ScriptedPeer.readFrame(socket);
                    frames.add(frame);
                    if (untilMessage && frame.type() == FrameFormat.MESSAGE)
                    {
                        break;
                    }
                }
                catch (final SocketTimeoutException ex)
                {
                    // Nothing in this slice: look again.
                }
            }
            return frames;
        }
        finally
        {
            socket.setSoTimeout(10_000);
        }
    }

    private static NodeMessage message(final long sequence)
    {
        return new NodeMessage.ProcessMessage(new ProcessRef("b", sequence), new ServerId("c", "a"),
            Bytes.wrap(new byte[] {1, 2, 3}));
    }

    private static final class Quiet implements TransportListener
    {
        @Override
        public void onMessage(final String fromNode, final NodeMessage message)
        {
        }

        @Override
        public void onNodeUp(final String node)
        {
        }

        @Override
        public void onNodeDown(final String node)
        {
        }
    }
}

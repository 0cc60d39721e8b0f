package dev.ra.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ProcessRef;
import dev.ra.ServerId;
import dev.ra.codec.Bytes;
import dev.ra.protocol.NodeMessage;
import dev.ra.spi.TransportListener;
import dev.ra.testkit.InJvmCluster;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A node that leaves (its transport closes) while it has two connections to another node (a simultaneous dial): the
 * other node reads the two on different threads and, on reading GOODBYE on either, takes the node as gone and closes
 * both, trusting that every message and answer the node sent came before the GOODBYE. So the queue and the GOODBYE go
 * on the one connection that carries the node's last messages (the old one while its FENCE is unanswered, else the
 * one in use), and the other gets neither: it is closed when the other node closes it on the GOODBYE, or after the
 * leave's bound. Node "b" is scripted ({@link ScriptedPeer}) to read each connection when the test says.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LeaveWithTwoConnectionsTest
{
    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void leavingWhileAFenceIsUnansweredWritesTheQueueAndGoodbyeAfterTheFenceNotOnTheNewConnection() throws Exception
    {
        try (ScriptedPeer b = new ScriptedPeer("b", "test"); NettyTransport a = transport(b))
        {
            a.start("a", new Quiet());
            final Switched c = switchConnections(a, b);
            // Message 2 waits for b to read the old connection up to the FENCE; a leaves meanwhile.
            a.send("b", message(2));
            a.close();

            assertThat(ScriptedPeer.readMessage(c.old())).isEqualTo(message(1));
            assertThat(nextFrameType(c.old())).isEqualTo(FrameFormat.FENCE);
            assertThat(ScriptedPeer.readMessage(c.old())).as("after the FENCE").isEqualTo(message(2));
            assertThat(nextFrameType(c.old())).isEqualTo(FrameFormat.GOODBYE);
            assertThat(framesUntilClosed(c.current())).as("frames on the new connection").isEmpty();
        }
    }

    @Test
    void leavingWithAQuietStandbyWritesGoodbyeOnlyAfterTheLastMessageOnTheConnectionInUse() throws Exception
    {
        try (ScriptedPeer b = new ScriptedPeer("b", "test"); NettyTransport a = transport(b))
        {
            a.start("a", new Quiet());
            final Switched c = switchConnections(a, b);
            assertThat(ScriptedPeer.readMessage(c.old())).isEqualTo(message(1));
            assertThat(nextFrameType(c.old())).isEqualTo(FrameFormat.FENCE);
            ScriptedPeer.sendFrame(c.old(), FrameFormat.FENCE_READ, new byte[0]);
            a.send("b", message(2));
            assertThat(ScriptedPeer.readMessage(c.current())).isEqualTo(message(2));
            // The old connection is a quiet standby now; a sends message 3 on the one in use, and leaves.
            a.send("b", message(3));
            a.close();

            // b reads the standby first: a GOODBYE there would tell b that a left before message 3 was read.
            assertThat(framesUntilClosed(c.old())).as("frames on the standby").isEmpty();
            assertThat(ScriptedPeer.readMessage(c.current())).isEqualTo(message(3));
            assertThat(nextFrameType(c.current())).isEqualTo(FrameFormat.GOODBYE);
        }
    }

    /** The connections after a's switch: b's dial, holding message 1 unread, and a's own, now in use. */
    private record Switched(Socket old, Socket current)
    {
    }

    private static Switched switchConnections(final NettyTransport a, final ScriptedPeer b) throws IOException
    {
        final byte[] handshake = b.rangedHandshake("a", ProtocolVersions.OLDEST, ProtocolVersions.NEWEST);
        final Socket aDialed = b.acceptDial(WAIT);
        ScriptedPeer.readHandshake(aDialed, FrameFormat.HELLO);
        final Socket bDialed = b.dial(a.localAddress());
        ScriptedPeer.sendFrame(bDialed, FrameFormat.HELLO, handshake);
        b.awaitWelcome(bDialed);
        InJvmCluster.await(() -> a.isReachable("b"), WAIT, "a to see b up");
        a.send("b", message(1));
        InJvmCluster.await(() -> a.stats().messagesSent() == 1, WAIT, "a to write message 1");
        ScriptedPeer.sendFrame(aDialed, FrameFormat.WELCOME, handshake);
        b.keepAlive(aDialed);
        InJvmCluster.await(() -> a.stats().connectionsOpened() == 2, WAIT, "a to take its own dial");
        return new Switched(bDialed, aDialed);
    }

    private static NettyTransport transport(final ScriptedPeer b)
    {
        return new NettyTransport(NettyTransportConfig.builder().clusterId("test")
            .peer(b.node(), b.address()).heartbeatInterval(Duration.ofMillis(100))
            .failureTimeout(Duration.ofSeconds(30)).handshakeTimeout(Duration.ofSeconds(60))
            .reconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(100)).build());
    }

    private static int nextFrameType(final Socket socket) throws IOException
    {
        for (int i = 0; i < 1_000; i++)
        {
            final ScriptedPeer.Frame frame = ScriptedPeer.readFrame(socket);
            if (frame.type() != FrameFormat.HEARTBEAT)
            {
                return frame.type();
            }
        }
        throw new AssertionError("only heartbeats on the connection");
    }

    /** The types of the frames read (heartbeats left out) until the node closed the connection. */
    private static List<Integer> framesUntilClosed(final Socket socket) throws IOException
    {
        final List<Integer> types = new ArrayList<>();
        for (int frames = 0; frames < 10_000; frames++)
        {
            try
            {
                final int type = ScriptedPeer.readFrame(socket).type();
                if (type != FrameFormat.HEARTBEAT)
                {
                    types.add(type);
                }
            }
            catch (final EOFException | SocketException ex)
            {
                return types;
            }
        }
        return types;
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

package dev.ra.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ProcessRef;
import dev.ra.ServerId;
import dev.ra.codec.BufferReader;
import dev.ra.codec.Bytes;
import dev.ra.protocol.NodeMessage;
import dev.ra.spi.TransportListener;
import dev.ra.testkit.InJvmCluster;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Messages from one node to another arrive in the order sent, also when the sender switches the connection it sends
 * on while the first stays open (a simultaneous dial whose preferred connection completes second): the receiver reads
 * the two connections on different threads, so nothing may be written on the new one before the receiver has read
 * what was written on the old one. Node "b" is scripted ({@link ScriptedPeer}) to hold the old connection unread.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SwitchOrderTest
{
    private static final Duration WAIT = Duration.ofSeconds(20);
    /** How long b watches the new connection for a message written too early (only the old code's failure waits). */
    private static final Duration WATCH = Duration.ofSeconds(1);

    @Test
    void nothingIsWrittenOnTheNewConnectionUntilThePeerReadTheOldOneUpToItsFence() throws Exception
    {
        try (ScriptedPeer b = new ScriptedPeer("b", "test");
            NettyTransport a = new NettyTransport(NettyTransportConfig.builder().clusterId("test")
                .peer(b.node(), b.address()).heartbeatInterval(Duration.ofMillis(100))
                .failureTimeout(Duration.ofSeconds(30)).handshakeTimeout(Duration.ofSeconds(60))
                .reconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(100)).build()))
        {
            a.start("a", new Quiet());
            final byte[] handshake = b.rangedHandshake("a", ProtocolVersions.OLDEST, ProtocolVersions.NEWEST);
            final Socket aDialed = b.acceptDial(WAIT);
            ScriptedPeer.readHandshake(aDialed, FrameFormat.HELLO);

            // b's dial completes first: a sends message 1 on it, which b leaves unread for now.
            final Socket bDialed = b.dial(a.localAddress());
            ScriptedPeer.sendFrame(bDialed, FrameFormat.HELLO, handshake);
            b.awaitWelcome(bDialed);
            InJvmCluster.await(() -> a.isReachable("b"), WAIT, "a to see b up");
            a.send("b", message(1));
            InJvmCluster.await(() -> a.stats().messagesSent() == 1, WAIT, "a to write message 1");

            // a's own dial (the preferred one) completes: a switches to it and sends message 2.
            ScriptedPeer.sendFrame(aDialed, FrameFormat.WELCOME, handshake);
            b.keepAlive(aDialed);
            InJvmCluster.await(() -> a.stats().connectionsOpened() == 2, WAIT, "a to take its own dial");
            a.send("b", message(2));

            assertThat(messageWithin(aDialed, WATCH))
                .as("a message written on the new connection while message 1 is unread on the old one").isNull();
            assertThat(ScriptedPeer.readMessage(bDialed)).isEqualTo(message(1));
            assertThat(nextFrameType(bDialed)).as("the frame after message 1 on the old connection")
                .isEqualTo(FrameFormat.FENCE);
            ScriptedPeer.sendFrame(bDialed, FrameFormat.FENCE_READ, new byte[0]);
            assertThat(ScriptedPeer.readMessage(aDialed)).isEqualTo(message(2));

            // From now on a sends on the new connection only; the old one retires once quiet, as before.
            a.send("b", message(3));
            assertThat(ScriptedPeer.readMessage(aDialed)).isEqualTo(message(3));
            assertThat(a.stats().messagesDropped()).isZero();
        }
    }

    @Test
    void anOldConnectionThatClosesBeforeItsFenceIsReadReportsTheNodeDownAndUpThenTheNewOneCarriesOn() throws Exception
    {
        final List<String> statusChanges = new CopyOnWriteArrayList<>();
        try (ScriptedPeer b = new ScriptedPeer("b", "test");
            NettyTransport a = new NettyTransport(NettyTransportConfig.builder().clusterId("test")
                .peer(b.node(), b.address()).heartbeatInterval(Duration.ofMillis(100))
                .failureTimeout(Duration.ofSeconds(30)).handshakeTimeout(Duration.ofSeconds(60))
                .reconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(100)).build()))
        {
            a.start("a", new Quiet(statusChanges));
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
            a.send("b", message(2));

            // b goes away from the old connection without reading it: message 1 may be lost, which a reports as
            // for any lost connection, dropping message 2 with the rest of its queue, as at any down (the new
            // connection may reach another run of b). What a sends from then on goes over the new one.
            ScriptedPeer.quietlyClose(bDialed);
            InJvmCluster.await(() -> statusChanges.size() >= 3, WAIT, "a to report the loss, " + statusChanges);
            assertThat(statusChanges).containsExactly("up b", "down b", "up b");
            assertThat(a.isReachable("b")).isTrue();
            a.send("b", message(3));
            assertThat(ScriptedPeer.readMessage(aDialed)).isEqualTo(message(3));
        }
    }

    /** @return the next message on the connection within the time, skipping heartbeats; null if none came. */
    private static NodeMessage messageWithin(final Socket socket, final Duration time) throws IOException
    {
        final long deadline = System.nanoTime() + time.toNanos();
        socket.setSoTimeout(50);
        try
        {
            while (System.nanoTime() - deadline < 0)
            {
                try
                {
                    final ScriptedPeer.Frame frame = ScriptedPeer.readFrame(socket);
                    if (frame.type() == FrameFormat.MESSAGE)
                    {
                        return WireCodec.INSTANCE.decode(new BufferReader(frame.body()));
                    }
                }
                catch (final SocketTimeoutException ex)
                {
                    // Nothing in this slice: look again.
                }
            }
            return null;
        }
        finally
        {
            socket.setSoTimeout(10_000);
        }
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

    private static NodeMessage message(final long sequence)
    {
        return new NodeMessage.ProcessMessage(new ProcessRef("b", sequence), new ServerId("c", "a"),
            Bytes.wrap(new byte[] {1, 2, 3}));
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

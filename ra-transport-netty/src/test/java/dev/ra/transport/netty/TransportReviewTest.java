package dev.ra.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ProcessRef;
import dev.ra.ServerId;
import dev.ra.codec.BufferWriter;
import dev.ra.codec.Bytes;
import dev.ra.protocol.NodeMessage;
import dev.ra.protocol.ServerRequest;
import dev.ra.spi.TransportListener;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.LoopbackPorts;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Bad input and odd sequences that must not take a node down, leak, or leave it stuck: each test states what is wrong
 * on the code it was written against and what the transport must do instead.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TransportReviewTest
{
    private static final String CLUSTER_ID = "review";
    private static final Duration WAIT = Duration.ofSeconds(10);

    /**
     * A dial whose handshake completes while the node is blocked is closed (right), but the link stays marked as
     * dialing for good: the connection was established, so the dial's close listener does not retry, and the
     * handshake-done step that clears the mark is skipped when the attach is refused. {@code unblock} then schedules
     * a dial that never happens, and a node that cannot dial back (a client node, a scripted peer) stays cut off.
     * Correct: once unblocked the node dials again.
     */
    @Test
    void aDialCompletingWhileTheNodeIsBlockedIsDialedAgainOnceUnblocked() throws Exception
    {
        final Recorder recorder = new Recorder();
        try (ScriptedPeer b = new ScriptedPeer("b", CLUSTER_ID);
            NettyTransport a = transport(b, builder -> builder))
        {
            a.start("a", recorder);
            final Socket first = b.acceptDial(WAIT);
            ScriptedPeer.readHandshake(first, FrameFormat.HELLO);
            a.block("b");
            b.sendWelcome(first, "a");
            assertThat(ScriptedPeer.awaitClosedByNode(first, WAIT)).as("blocked: the connection is closed").isTrue();

            a.unblock("b");
            final Socket second;
            try
            {
                second = b.acceptDial(WAIT);
            }
            catch (final SocketTimeoutException ex)
            {
                throw new AssertionError("a never dialed b again after unblocking it", ex);
            }
            ScriptedPeer.readHandshake(second, FrameFormat.HELLO);
            b.sendWelcome(second, "a");
            InJvmCluster.await(() -> a.isReachable("b"), WAIT, "a to reach b again");
        }
    }

    /**
     * Before the handshake a connection is a stranger's, yet its first frame may declare any length up to the full
     * frame limit (16 MiB by default), and the node buffers that much for it until the handshake timeout: a few
     * hundred connections that each send a length prefix and a large body hold gigabytes. A handshake frame is tiny.
     * Correct: before the handshake a frame longer than any handshake could be is refused at once, before its body is
     * buffered, and the connection closed.
     */
    @Test
    void aFrameLongerThanAnyHandshakeIsRefusedBeforeTheHandshake() throws Exception
    {
        final int port = LoopbackPorts.freePort();
        try (NettyTransport a = new NettyTransport(NettyTransportConfig.builder().clusterId(CLUSTER_ID)
            .listenAddress(new InetSocketAddress("127.0.0.1", port)).handshakeTimeout(Duration.ofSeconds(60))
            .build()))
        {
            a.start("a", new Recorder());
            try (Socket stranger = new Socket())
            {
                stranger.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
                final DataOutputStream out = new DataOutputStream(stranger.getOutputStream());
                try
                {
                    out.writeInt(8 << 20);
                    out.writeByte(FrameFormat.VERSION);
                    out.writeByte(FrameFormat.HELLO);
                    out.write(new byte[256 << 10]);
                    out.flush();
                }
                catch (final IOException ex)
                {
                    // The node closed the connection on the length already.
                }
                assertThat(closedByNode(stranger, WAIT))
                    .as("a stranger's 8 MiB frame before the handshake is refused, not buffered").isTrue();
            }
            assertThat(a.stats().framesRejected()).isEqualTo(1);
        }
    }

    /**
     * A caller connection's replies are written whatever the socket's state: a dialer that sends calls and never reads
     * its replies makes the node buffer every reply in memory, without bound, until the failure timeout (the caller
     * connections' own rule is one call at a time, whose reply is read before the next). Correct: the replies queued
     * for such a connection stay bounded (about the write watermark), or the connection is closed.
     */
    @Test
    void aCallerThatNeverReadsItsRepliesDoesNotMakeTheNodeBufferThemWithoutBound() throws Exception
    {
        final int calls = 160;
        final int replyBytes = 256 << 10;
        final AtomicReference<NettyTransport> node = new AtomicReference<>();
        final AtomicInteger answered = new AtomicInteger();
        final TransportListener answering = new Recorder()
        {
            @Override
            public void onMessage(final String fromNode, final NodeMessage message)
            {
                if (message instanceof NodeMessage.ServerCall call)
                {
                    node.get().send(fromNode, new NodeMessage.CallReply(call.callId(), NodeMessage.CallStatus.OK,
                        Bytes.wrap(new byte[replyBytes]), null, null, ""));
                    answered.incrementAndGet();
                }
            }
        };
        final int port = LoopbackPorts.freePort();
        try (NettyTransport a = new NettyTransport(NettyTransportConfig.builder().clusterId(CLUSTER_ID)
            .listenAddress(new InetSocketAddress("127.0.0.1", port)).allowNode("caller")
            .heartbeatInterval(Duration.ofMillis(100)).failureTimeout(Duration.ofSeconds(60)).build());
            ScriptedPeer caller = new ScriptedPeer("caller", CLUSTER_ID))
        {
            node.set(a);
            a.start("a", answering);
            final Socket socket = caller.dial(new InetSocketAddress("127.0.0.1", port));
            caller.sendCallerHello(socket, "a");
            ScriptedPeer.readHandshake(socket, FrameFormat.WELCOME);
            final Channel channel = InJvmCluster.await(() -> a.link("caller").callerConnections.stream().findFirst()
                .orElse(null), WAIT, "the caller connection on the node");
            try
            {
                for (int i = 1; i <= calls; i++)
                {
                    caller.sendMessage(socket, new NodeMessage.ServerCall(i, new ServerId("c", "a"),
                        new ServerRequest.Members()));
                }
            }
            catch (final IOException ex)
            {
                // The node closed the connection: one way to stop buffering for it.
            }
            InJvmCluster.await(() -> !channel.isActive() || answered.get() == calls, WAIT,
                "the node to answer every call or close the connection");
            final long pending = InJvmCluster.await(() -> pendingBytes(channel), WAIT, "pending bytes");
            assertThat(!channel.isActive() || pending <= 8 << 20)
                .as("open with %d bytes of replies buffered for a caller that does not read", pending).isTrue();
        }
    }

    /**
     * {@code maxFrameBytes} takes any int from 1024 up, but the decoder adds the two header bytes to it in int
     * arithmetic: at {@code Integer.MAX_VALUE} the limit overflows to a negative number and every frame, the HELLO
     * first, is refused as too long, so a node configured so (say, "no limit") never connects to anyone and says only
     * that each frame "exceeds the maximum -2147483647". Correct: such a value is refused with a clear error when
     * configured, or it works.
     */
    @Test
    void aMaximumFrameSizeAtTheTopOfTheIntRangeIsRefusedOrWorks()
    {
        try
        {
            NettyTransportConfig.builder().maxFrameBytes(Integer.MAX_VALUE);
        }
        catch (final IllegalArgumentException ex)
        {
            assertThat(ex).hasMessageContaining("maxFrameBytes");
            return;
        }
        final LoopbackTransports two = new LoopbackTransports(2, b -> b.maxFrameBytes(Integer.MAX_VALUE));
        try (NettyTransport n1 = (NettyTransport)two.newTransport("n1");
            NettyTransport n2 = (NettyTransport)two.newTransport("n2"))
        {
            n1.start("n1", new Recorder());
            n2.start("n2", new Recorder());
            two.awaitConnected(WAIT);
        }
    }

    /**
     * A node may not speak for another (docs/TRANSPORT.md, "Security"): an {@code AppliedNotice} must come from the
     * node of the leader it names, but its sibling {@code RejectedNotice} is not checked, so any peer can tell a
     * client process that a member on a third node rejected its pipelined command, and the client resends a command
     * that may well have been appended. Correct: a RejectedNotice naming a member of another node closes the
     * connection as a forgery, as an AppliedNotice does.
     */
    @Test
    void aRejectedNoticeOnBehalfOfAnotherNodesMemberIsRefused() throws Exception
    {
        final Recorder recorder = new Recorder();
        try (ScriptedPeer b = new ScriptedPeer("b", CLUSTER_ID);
            NettyTransport a = transport(b, builder -> builder))
        {
            a.start("a", recorder);
            final Socket link = b.acceptDial(WAIT);
            ScriptedPeer.readHandshake(link, FrameFormat.HELLO);
            b.sendWelcome(link, "a");
            InJvmCluster.await(() -> a.isReachable("b"), WAIT, "a to see b up");

            b.sendMessage(link, new NodeMessage.RejectedNotice(new ProcessRef("a", 1), new ServerId("c", "n3"),
                null, "correlation"));

            assertThat(ScriptedPeer.awaitClosedByNode(link, WAIT)).as("the forged notice closes the connection")
                .isTrue();
            assertThat(recorder.received).as("the forged notice never reaches the runtime").isEmpty();
        }
    }

    /**
     * A frame of another frame version is not read as one of this version, even when its body would decode: the
     * connection is closed and the message never reaches the runtime.
     */
    @Test
    void aMessageFrameOfAnotherFrameVersionClosesTheConnection() throws Exception
    {
        final Recorder recorder = new Recorder();
        try (ScriptedPeer b = new ScriptedPeer("b", CLUSTER_ID);
            NettyTransport a = transport(b, builder -> builder))
        {
            a.start("a", recorder);
            final Socket link = b.acceptDial(WAIT);
            ScriptedPeer.readHandshake(link, FrameFormat.HELLO);
            b.sendWelcome(link, "a");
            InJvmCluster.await(() -> a.isReachable("b"), WAIT, "a to see b up");
            final NodeMessage message = new NodeMessage.ProcessMessage(new ProcessRef("a", 1), null,
                Bytes.wrap(new byte[] {1, 2, 3}));
            b.sendMessage(link, message);
            InJvmCluster.await(() -> recorder.received.size() == 1, WAIT, "the message of this frame version");

            final BufferWriter body = new BufferWriter(64);
            WireCodec.INSTANCE.encode(message, body);
            final BufferWriter frame = new BufferWriter(body.position() + 6);
            frame.writeInt(body.position() + FrameFormat.HEADER_BYTES).writeByte(FrameFormat.VERSION + 1)
                .writeByte(FrameFormat.MESSAGE).writeRaw(body.toByteArray(), 0, body.position());
            synchronized (link)
            {
                link.getOutputStream().write(frame.toByteArray());
                link.getOutputStream().flush();
            }

            assertThat(ScriptedPeer.awaitClosedByNode(link, WAIT)).as("a frame of version " +
                (FrameFormat.VERSION + 1) + " closes the connection").isTrue();
            assertThat(recorder.received).as("only the message of this frame version reached the runtime")
                .hasSize(1);
        }
    }

    /**
     * A transport that was closed can still be started: it binds its port, accepts connections and starts I/O threads
     * that nothing ever stops (close() returns at once the second time). Correct: a closed transport stays closed; it
     * neither listens nor leaves threads behind (start may refuse).
     */
    @Test
    void aClosedTransportNeitherListensNorStartsThreadsWhenStarted() throws Exception
    {
        final int port = LoopbackPorts.freePort();
        final NettyTransport a = new NettyTransport(NettyTransportConfig.builder().clusterId(CLUSTER_ID)
            .listenAddress(new InetSocketAddress("127.0.0.1", port)).build());
        a.close();
        try
        {
            a.start("closed", new Recorder());
        }
        catch (final RuntimeException ex)
        {
            // Refusing to start is fine.
        }
        finally
        {
            a.close();
        }
        try (ServerSocket probe = new ServerSocket())
        {
            probe.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port));
        }
        catch (final IOException ex)
        {
            throw new AssertionError("the closed transport listens on port " + port, ex);
        }
        assertThat(Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("ra-closed-net"))
            .filter(Thread::isAlive).toList()).as("I/O threads of the closed transport").isEmpty();
    }

    // ----------------------------------------------------------------------------------------------------------------

    /**
     * Messages to a node without a connection (down, not dialed yet) are dropped, and counted in the node's totals,
     * but not in that peer's own count: {@code PeerStats.messagesDropped} (and the meter
     * {@code ra.transport.messages.dropped{peer=...}}, which docs/OPERATIONS.md suggests alerting on) stayed at 0 for a
     * peer that was down, the very case it is documented for.
     */
    @Test
    void messagesDroppedForWantOfAConnectionCountInThePeersOwnStatistics() throws Exception
    {
        try (NettyTransport a = new NettyTransport(NettyTransportConfig.builder().clusterId(CLUSTER_ID)
            .peer("b", new InetSocketAddress("127.0.0.1", LoopbackPorts.freePort()))
            .heartbeatInterval(Duration.ofMillis(100)).failureTimeout(Duration.ofSeconds(10))
            .reconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(100)).build()))
        {
            a.start("a", new Recorder());
            for (int i = 1; i <= 3; i++)
            {
                a.send("b", new NodeMessage.ProcessMessage(new ProcessRef("b", i), new ServerId("c", "a"),
                    Bytes.wrap(new byte[] {1})));
            }

            assertThat(a.stats().messagesDropped()).as("dropped in all").isEqualTo(3);
            assertThat(a.peerStats().get("b").messagesDropped()).as("dropped for b").isEqualTo(3);
        }
    }

    private static NettyTransport transport(final ScriptedPeer peer,
        final UnaryOperator<NettyTransportConfig.Builder> customizer)
    {
        return new NettyTransport(customizer.apply(NettyTransportConfig.builder().clusterId(CLUSTER_ID)
            .peer(peer.node(), peer.address())
            .heartbeatInterval(Duration.ofMillis(100)).failureTimeout(Duration.ofSeconds(10))
            .reconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(100))).build());
    }

    /**
     * @return the bytes written to the channel and not yet handed to its socket (read on its event loop).
     */
    private static Long pendingBytes(final Channel channel)
    {
        try
        {
            return channel.eventLoop().submit(() ->
            {
                final ChannelOutboundBuffer buffer = channel.unsafe().outboundBuffer();
                return null == buffer ? 0L : buffer.totalPendingWriteBytes();
            }).get(5, TimeUnit.SECONDS);
        }
        catch (final Exception ex)
        {
            // The event loop is gone with its transport: nothing is pending there.
            return 0L;
        }
    }

    /**
     * Read and discard until the other end closes the socket.
     *
     * @return whether it did within the timeout.
     */
    private static boolean closedByNode(final Socket socket, final Duration timeout) throws IOException
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        socket.setSoTimeout(50);
        final InputStream in = socket.getInputStream();
        final byte[] sink = new byte[4096];
        while (System.nanoTime() - deadline < 0)
        {
            try
            {
                if (in.read(sink) < 0)
                {
                    return true;
                }
            }
            catch (final SocketTimeoutException ex)
            {
                // Nothing yet: look again.
            }
            catch (final SocketException ex)
            {
                return true;
            }
        }
        return false;
    }

    /**
     * What a transport reported.
     */
    private static class Recorder implements TransportListener
    {
        final List<NodeMessage> received = new CopyOnWriteArrayList<>();
        final List<String> statusChanges = new CopyOnWriteArrayList<>();

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
    }
}

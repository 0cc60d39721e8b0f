package dev.ra.transport.netty;

import dev.ra.codec.BufferReader;
import dev.ra.codec.BufferWriter;
import dev.ra.codec.CodecException;
import dev.ra.protocol.NodeMessage;
import dev.ra.spi.CallerReceive;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dialing end of a caller connection: a plain blocking socket owned by one application thread, over which that
 * thread sends its synchronous calls to one node and reads their answers itself (see
 * {@link NettyTransport#sendAndReceiveOnCaller}). It opens with CALLER_HELLO ({@link FrameFormat}) and is then
 * checked like any connection: deployment and node ids in the handshake, length-prefixed frames up to the maximum
 * size, only call replies after it.
 *
 * <p>Used by one thread at a time: the thread that opened it, which takes it for each call and releases it after; the
 * transport's reaper closes it once idle (its thread may have ended), and the transport closes it when it closes.
 */
final class CallerConnection implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(CallerConnection.class);
    private static final int INITIAL_BUFFER_BYTES = 8 * 1024;
    /**
     * Larger calls go the usual way: a write this small fits the send buffer of a socket with one call at a time
     * on it, so the caller never blocks writing to a node that stopped reading (a write has no timeout), and a large
     * command gains nothing measurable from the wake-ups saved.
     */
    private static final int MAX_CALL_FRAME_BYTES = 64 * 1024;
    /**
     * How often a caller waiting for an answer looks whether the node went silent or down meanwhile: the runtime then
     * stops waiting for the answer ({@code TransportListener.onNodeSilent}), and so must the caller's thread.
     */
    private static final long LINK_CHECK_MILLIS = 20;

    private final NettyTransport transport;
    private final String node;
    private final PeerLink link;
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final BufferWriter writer = new BufferWriter(1024);
    private byte[] buffer = new byte[INITIAL_BUFFER_BYTES];
    /** Unconsumed bytes are buffer[start, end). */
    private int start;
    private int end;
    /** Held by its thread during a call, and for good by the reaper once it closed it for idleness. */
    private final AtomicBoolean taken = new AtomicBoolean(true);
    private volatile long idleSinceNanos;
    /** A call failed on it after touching the socket: the stream is in an unknown state. */
    private boolean broken;
    /** The protocol version this connection's handshake agreed: calls are written in it. */
    private int protocol;
    /** {@link PeerLink#downs} when it was dialed: the incarnation of the node it talks to. */
    long peerDowns;
    /**
     * Whether the node was heard when the current call was sent: only then does its going silent end the wait (the
     * runtime stops waiting for the answers it owed then; a call sent to a node already silent waits on).
     */
    private boolean heardAtSend;
    /** When the current call's wait first saw the node reported silent, or 0. */
    private long silentSeenNanos;

    private CallerConnection(final NettyTransport transport, final PeerLink link, final Socket socket)
        throws IOException
    {
        this.transport = transport;
        this.node = link.node;
        this.link = link;
        this.peerDowns = link.downs;
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        this.idleSinceNanos = System.nanoTime();
    }

    /**
     * Dial the node and complete the handshake.
     *
     * @param transport     of this node.
     * @param link          to the node.
     * @param deadlineNanos of the call that needs the connection; dialing gives up by then at the latest.
     * @return the connection.
     * @throws IOException if the node cannot be reached in time or refuses.
     */
    static CallerConnection open(final NettyTransport transport, final PeerLink link, final long deadlineNanos)
        throws IOException
    {
        final boolean ranged = !link.protocol.dialWithoutRange();
        try
        {
            return open(transport, link, deadlineNanos, ranged);
        }
        catch (final ClosedOnHandshake ex)
        {
            if (!ranged)
            {
                throw ex;
            }
            // As a node of protocol version 1 does on a HELLO with a version range: ask again without one.
            LOG.debug("{}: {}; dialing again with a handshake of protocol version 1", transport.localNode(),
                ex.getMessage());
            return open(transport, link, deadlineNanos, false);
        }
    }

    private static CallerConnection open(final NettyTransport transport, final PeerLink link,
        final long deadlineNanos, final boolean ranged) throws IOException
    {
        final NettyTransportConfig config = transport.config;
        final long handshakeDeadline = Math.min(deadlineNanos, System.nanoTime() +
            config.connectTimeout.toNanos() + config.handshakeTimeout.toNanos());
        final Socket socket = new Socket();
        try
        {
            socket.setTcpNoDelay(true);
            final long connectMillis = Math.min(config.connectTimeout.toMillis(), millisUntil(deadlineNanos));
            if (connectMillis <= 0)
            {
                throw new SocketTimeoutException("no time left to dial " + link.node);
            }
            socket.connect(link.dialAddress(), (int)connectMillis);
            if (socket.getLocalSocketAddress().equals(socket.getRemoteSocketAddress()))
            {
                // Connected to itself (see SelfConnection): not the node.
                socket.setSoLinger(true, 0);
                throw new IOException("connected to itself dialing " + link.address + ": nobody listens there");
            }
            final CallerConnection connection = new CallerConnection(transport, link, socket);
            connection.handshake(handshakeDeadline, ranged);
            return connection;
        }
        catch (final IOException | RuntimeException ex)
        {
            closeQuietly(socket);
            throw ex instanceof IOException io ? io : new IOException(ex.getMessage(), ex);
        }
    }

    private void handshake(final long deadlineNanos, final boolean ranged) throws IOException
    {
        FrameFormat.startFrame(writer, FrameFormat.CALLER_HELLO);
        final Handshake hello = Handshake.of(transport.config.clusterId, transport.localNode(), node,
            transport.config.newestProtocol, transport.run, transport.listensOn(), transport.heartbeatIntervalMillis());
        (ranged ? hello : hello.withoutRange()).encode(writer);
        FrameFormat.finishFrame(writer);
        write();
        final int length;
        try
        {
            length = readFrame(deadlineNanos);
        }
        catch (final EOFException ex)
        {
            throw new ClosedOnHandshake(node + " closed the caller connection without answering its handshake");
        }
        final int type = frameType();
        final BufferReader body = body(length);
        consume(length);
        if (type == FrameFormat.REFUSE)
        {
            throw new IOException(node + " refused a caller connection: " + body.readString());
        }
        if (type != FrameFormat.WELCOME)
        {
            throw new IOException(node + " answered a caller connection's handshake with frame type " + type);
        }
        final Handshake welcome = Handshake.decode(body);
        if (!welcome.nodeId().equals(node) || !welcome.clusterId().equals(transport.config.clusterId))
        {
            throw new IOException("expected node " + node + " of deployment " + transport.config.clusterId +
                ", found " + welcome.nodeId() + " of " + welcome.clusterId());
        }
        protocol = ProtocolVersions.agree(welcome.oldest(), welcome.newest(), transport.config.newestProtocol);
        if (0 == protocol)
        {
            throw new IOException(ProtocolVersions.noCommonVersion(transport.localNode(), node, welcome.oldest(),
                welcome.newest()));
        }
    }

    /** The node closed the connection before answering its handshake. */
    private static final class ClosedOnHandshake extends EOFException
    {
        private static final long serialVersionUID = 1L;

        ClosedOnHandshake(final String message)
        {
            super(message);
        }
    }

    /**
     * Take the connection for a call (a new one is taken by its opener).
     *
     * @param nowNanos     now.
     * @param maxIdleNanos how long it may have been idle: the node closes it after twice that.
     * @return false if it was closed for idleness, now or by the reaper; the caller then dials a new one.
     */
    boolean take(final long nowNanos, final long maxIdleNanos)
    {
        if (!taken.compareAndSet(false, true))
        {
            return false;
        }
        if (nowNanos - idleSinceNanos > maxIdleNanos)
        {
            close();
            return false;
        }
        return true;
    }

    /**
     * The call is over and the connection intact: it is idle from now on.
     */
    void release()
    {
        idleSinceNanos = System.nanoTime();
        taken.set(false);
    }

    /**
     * @return whether the last call failed after touching the socket (then the connection is of no further use).
     */
    boolean isBroken()
    {
        return broken;
    }

    /**
     * Close the connection if no call holds it and it has been idle too long (its thread may have ended).
     *
     * @return whether it was closed.
     */
    boolean reapIfIdle(final long nowNanos, final long maxIdleNanos)
    {
        if (nowNanos - idleSinceNanos <= maxIdleNanos || !taken.compareAndSet(false, true))
        {
            return false;
        }
        if (System.nanoTime() - idleSinceNanos <= maxIdleNanos)
        {
            // Its thread used and released it in between.
            taken.set(false);
            return false;
        }
        close();
        return true;
    }

    /**
     * Send a call and read until its reply, which goes to the transport's listener on this thread.
     *
     * @param call          to send.
     * @param deadlineNanos after which to stop waiting.
     * @return how it ended; if the connection is then {@link #isBroken() broken} it must be closed.
     */
    CallerReceive call(final NodeMessage.ServerCall call, final long deadlineNanos)
    {
        if (!transport.writer.encodeFrame(call, writer, node, protocol) || writer.position() > MAX_CALL_FRAME_BYTES)
        {
            return CallerReceive.NOT_SENT;
        }
        broken = true;
        heardAtSend = !link.silent;
        silentSeenNanos = 0;
        try
        {
            if (end > start || in.available() > 0)
            {
                // Nothing comes unasked on an idle caller connection but the node's GOODBYE: it left, and writing
                // now could make it reset the connection before the GOODBYE is read. Not written: safe to resend.
                final int length = readFrame(deadlineNanos);
                return frameType() == FrameFormat.GOODBYE && length == FrameFormat.HEADER_BYTES ?
                    CallerReceive.NODE_LEFT : CallerReceive.NOT_SENT;
            }
            write();
        }
        catch (final IOException ex)
        {
            // A frame is acted on only once complete, and a failed write did not hand all of it to the socket.
            LOG.debug("{}: a caller connection to {} failed before the call was sent: {}", transport.localNode(), node,
                ex.toString());
            return CallerReceive.NOT_SENT;
        }
        transport.counters.messagesSent.increment();
        try
        {
            while (true)
            {
                final int length = readFrame(deadlineNanos);
                if (frameType() == FrameFormat.GOODBYE && length == FrameFormat.HEADER_BYTES)
                {
                    // The node closed in order before answering: it did not act on the call (broken: closed).
                    consume(length);
                    return CallerReceive.NODE_LEFT;
                }
                final NodeMessage.CallReply reply = replyIn(length);
                consume(length);
                if (null != reply && reply.callId() == call.callId())
                {
                    transport.counters.messagesReceived.increment();
                    broken = false;
                    transport.listener().onMessage(node, reply);
                    return CallerReceive.ANSWERED;
                }
            }
        }
        catch (final SocketTimeoutException ex)
        {
            return CallerReceive.DEADLINE_PASSED;
        }
        catch (final IOException | CodecException ex)
        {
            transport.warnings.warn("{}: the caller connection to {} failed while a call was in flight: {}",
                transport.localNode(), node, ex.toString());
            return CallerReceive.CONNECTION_LOST;
        }
    }

    /**
     * @return the reply the frame carries, or null for a heartbeat.
     */
    private NodeMessage.CallReply replyIn(final int length) throws IOException
    {
        final int type = frameType();
        if (type == FrameFormat.HEARTBEAT && length == FrameFormat.HEADER_BYTES)
        {
            return null;
        }
        if (type != FrameFormat.MESSAGE)
        {
            throw new IOException("frame type " + type + " on a caller connection");
        }
        final NodeMessage message = WireCodec.INSTANCE.decode(body(length));
        if (!(message instanceof NodeMessage.CallReply reply))
        {
            throw new IOException("a " + message.getClass().getSimpleName() + " on a caller connection");
        }
        return reply;
    }

    /**
     * @return the type of the frame at {@code start}.
     */
    private int frameType()
    {
        return buffer[start + FrameFormat.LENGTH_BYTES + 1];
    }

    /**
     * A reader over the body of the frame at {@code start}, in this connection's reused buffer: decoding copies out
     * all it keeps (a {@link BufferReader} never hands out its array), as for a node's connections
     * ({@code ConnectionHandler}).
     */
    private BufferReader body(final int length)
    {
        final int bodyStart = start + FrameFormat.LENGTH_BYTES + FrameFormat.HEADER_BYTES;
        return new BufferReader(buffer, bodyStart, length - FrameFormat.HEADER_BYTES);
    }

    private void write() throws IOException
    {
        out.write(writer.array(), 0, writer.position());
        transport.counters.bytesWritten.add(writer.position());
    }

    /**
     * Read until a whole frame is buffered at {@code start}, checking its header.
     *
     * @return the frame's length after its prefix.
     */
    private int readFrame(final long deadlineNanos) throws IOException
    {
        fill(FrameFormat.LENGTH_BYTES, deadlineNanos);
        final long length = ((buffer[start] & 0xFFL) << 24) | ((buffer[start + 1] & 0xFFL) << 16) |
            ((buffer[start + 2] & 0xFFL) << 8) | (buffer[start + 3] & 0xFFL);
        if (length < FrameFormat.HEADER_BYTES || length > transport.config.maxFrameBytes + FrameFormat.HEADER_BYTES)
        {
            throw new IOException("frame length " + length + " outside [" + FrameFormat.HEADER_BYTES + ", " +
                (transport.config.maxFrameBytes + FrameFormat.HEADER_BYTES) + "]");
        }
        fill(FrameFormat.LENGTH_BYTES + (int)length, deadlineNanos);
        final int version = buffer[start + FrameFormat.LENGTH_BYTES] & 0xFF;
        if (version != FrameFormat.VERSION)
        {
            throw new IOException("unsupported frame version " + version);
        }
        transport.counters.bytesRead.add(FrameFormat.LENGTH_BYTES + length);
        return (int)length;
    }

    private void consume(final int frameLength)
    {
        start += FrameFormat.LENGTH_BYTES + frameLength;
        if (start == end)
        {
            start = 0;
            end = 0;
        }
    }

    private void fill(final int needed, final long deadlineNanos) throws IOException
    {
        if (end - start >= needed)
        {
            return;
        }
        if (buffer.length - start < needed)
        {
            final byte[] target = needed > buffer.length ? new byte[Math.max(needed, buffer.length * 2)] : buffer;
            System.arraycopy(buffer, start, target, 0, end - start);
            buffer = target;
            end -= start;
            start = 0;
        }
        while (end - start < needed)
        {
            final long remainingMillis = millisUntil(deadlineNanos);
            if (remainingMillis <= 0)
            {
                throw new SocketTimeoutException("no answer from " + node + " in time");
            }
            socket.setSoTimeout((int)Math.min(LINK_CHECK_MILLIS, remainingMillis));
            final int read;
            try
            {
                read = in.read(buffer, end, buffer.length - end);
            }
            catch (final SocketTimeoutException ex)
            {
                if (link.downs != peerDowns || givesUpOnSilence())
                {
                    // The runtime was told and stops waiting for this answer; the thread must not wait on.
                    throw new SocketTimeoutException(node + " went silent or down while a call awaited its answer");
                }
                continue;
            }
            if (read < 0)
            {
                throw new EOFException(node + " closed the caller connection");
            }
            end += read;
        }
    }

    /**
     * The runtime gives up on a call to a node once it has been silent for as long again as it took to be reported
     * silent (a whole minimum election timeout unheard, when its followers campaign): so does the waiting caller, but
     * only for a node that was heard when the call was sent.
     */
    private boolean givesUpOnSilence()
    {
        if (!heardAtSend || !link.silent)
        {
            silentSeenNanos = 0;
            return false;
        }
        final long now = System.nanoTime();
        final long lastHeard = link.lastHeardNanos;
        if (silentSeenNanos == 0)
        {
            silentSeenNanos = now;
        }
        return now - lastHeard >= 2 * (silentSeenNanos - lastHeard);
    }

    private static long millisUntil(final long deadlineNanos)
    {
        final long remaining = deadlineNanos - System.nanoTime();
        return remaining <= 0 ? 0 : Math.max(1, TimeUnit.NANOSECONDS.toMillis(remaining));
    }

    @Override
    public void close()
    {
        closeQuietly(socket);
    }

    private static void closeQuietly(final Socket socket)
    {
        try
        {
            socket.close();
        }
        catch (final IOException ex)
        {
            LOG.debug("closing a caller connection failed", ex);
        }
    }
}

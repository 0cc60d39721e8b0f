package dev.ra.transport.netty;

import dev.ra.codec.BufferReader;
import dev.ra.codec.BufferWriter;
import dev.ra.codec.CodecException;
import dev.ra.protocol.NodeMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The protocol of one connection, on its event loop: the handshake (HELLO, then WELCOME or REFUSE), then heartbeats
 * and messages, and GOODBYE when either end closes in order. Any frame that does not fit the protocol closes the
 * connection with a logged reason; nothing it carried reaches the runtime. Not thread safe; confined to the
 * channel's event loop.
 */
final class ConnectionHandler extends ChannelInboundHandlerAdapter
{
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionHandler.class);
    /** Version refusals under their own name, so an operator can find them (and tests that provoke them hide them). */
    private static final Logger REFUSALS = LoggerFactory.getLogger(ProtocolVersions.class);
    private static final int INITIAL_FRAME_BYTES = 256;
    private static final int MAX_REUSED_FRAME_BYTES = 64 << 10;
    /**
     * How many FENCE_READ answers may wait unsent on a connection: a node writes one FENCE per switch away from it, so
     * more mean it sends FENCE frames without reading the answers, which would otherwise pile up here without bound.
     */
    static final int MAX_UNSENT_FENCE_READS = 16;

    private final NettyTransport transport;
    private final boolean accepted;
    /** The node this connection was dialed to; null for an accepted connection until its HELLO arrives. */
    private String peer;
    /** Accepted with CALLER_HELLO: one thread's synchronous calls, never the node's peer link. */
    private boolean callerConnection;
    /** The protocol version the handshake agreed; 0 until then. */
    private volatile int protocol;
    private volatile boolean established;
    /** The other node's counters, once the handshake told which node it is. */
    private PeerCounters peerCounters = PeerCounters.UNKNOWN;
    private boolean closing;
    /**
     * This end left (its transport closes): nothing more is written or handled here. It said GOODBYE here, or on the
     * other connection to the node, which carries its last messages. Read on other threads.
     */
    private volatile boolean left;
    /** When a frame last arrived: read by other threads, to tell a running peer from a gone one (DuplicateRuns). */
    private volatile long lastReadNanos;
    /** The peer's run and where it listens, as its handshake said (null if it did not say: version 8 or older). */
    private volatile String peerRun;
    private volatile String peerListensOn;
    /** How often the peer's handshake said it heartbeats (0 if it did not say). */
    private volatile long peerHeartbeatNanos;
    /** When the last message (not heartbeat) arrived, or the handshake completed: a standby retires when quiet. */
    private long lastMessageReadNanos;
    private long lastWriteNanos;
    private ScheduledFuture<?> timer;
    /** Whether this connection's event loop, which reads it and checks it, was listening: set once established. */
    private ListeningWatch listening;
    /** FENCE_READ answers written here and not yet handed to the socket. */
    private int unsentFenceReads;
    /** Dialed: whether the HELLO carried this node's version range; whether the other node answered it at all. */
    private boolean helloRanged;
    private boolean helloAnswered;
    /**
     * An established connection's frames are copied here to be decoded, one after the other: the decoder copies out
     * all it keeps (a {@link BufferReader} never hands out its array), so one array serves every frame instead of one
     * allocated per frame. A frame larger than {@link #MAX_REUSED_FRAME_BYTES} gets an array of its own, so that an
     * occasional large frame (a snapshot chunk) does not keep its size on every connection.
     */
    private byte[] frameBytes = new byte[INITIAL_FRAME_BYTES];

    ConnectionHandler(final NettyTransport transport, final boolean accepted, final String dialedNode)
    {
        this.transport = transport;
        this.accepted = accepted;
        this.peer = dialedNode;
    }

    boolean established()
    {
        return established;
    }

    /**
     * Write FENCE on a connection this node no longer sends on, on its event loop, after what was written there.
     */
    static void writeFence(final Channel channel)
    {
        final ConnectionHandler handler = channel.pipeline().get(ConnectionHandler.class);
        if (null == handler)
        {
            return;
        }
        channel.eventLoop().execute(() ->
        {
            final ChannelHandlerContext ctx = channel.pipeline().context(handler);
            if (null != ctx && !handler.closing && !handler.left && channel.isActive())
            {
                handler.writeFrame(ctx, FrameFormat.FENCE, new BufferWriter(0));
            }
        });
    }

    /** @return the run the peer's handshake named; null if none (yet). */
    String peerRun()
    {
        return peerRun;
    }

    /** @return where the peer's handshake said it listens; null if it did not say. */
    String peerListensOn()
    {
        return peerListensOn;
    }

    /** @return how often the peer's handshake said it heartbeats, in nanoseconds; 0 if it did not say. */
    long peerHeartbeatNanos()
    {
        return peerHeartbeatNanos;
    }

    /** @return when a frame last arrived here ({@link System#nanoTime()}). */
    long lastReadNanos()
    {
        return lastReadNanos;
    }

    /** @return the protocol version the handshake agreed; 0 until it completed. */
    int protocol()
    {
        return protocol;
    }

    /**
     * @return the protocol version the connection's handshake agreed (0 if not known): what may be written there,
     *         whatever another connection to the same node agreed.
     */
    static int protocolOf(final Channel channel)
    {
        final ConnectionHandler handler = channel.pipeline().get(ConnectionHandler.class);
        return null == handler ? 0 : handler.protocol;
    }

    boolean left()
    {
        return left;
    }

    /**
     * This node leaves (its transport closes): on the connection's event loop, after the writes queued before it,
     * write GOODBYE, handle no further frame, and close once it is flushed, or after {@code boundMs} at the latest.
     *
     * @param ctx         this handler's context.
     * @param writeQueued writes what is still queued for the peer, before the GOODBYE.
     * @param boundMs     how long the flush may take.
     */
    void leave(final ChannelHandlerContext ctx, final Runnable writeQueued, final long boundMs)
    {
        if (left)
        {
            return;
        }
        if (established && ctx.channel().isActive())
        {
            writeQueued.run();
        }
        left = true;
        closing = true;
        if (!established || !ctx.channel().isActive())
        {
            ctx.close();
            return;
        }
        final ByteBuf out = ctx.alloc().ioBuffer(FrameFormat.LENGTH_BYTES + FrameFormat.HEADER_BYTES);
        out.writeInt(FrameFormat.HEADER_BYTES).writeByte(FrameFormat.VERSION).writeByte(FrameFormat.GOODBYE);
        transport.counters.bytesWritten.add(out.readableBytes());
        peerCounters.bytesWritten.add(out.readableBytes());
        transport.counters.flushes.increment();
        ctx.writeAndFlush(out).addListener(f -> closeAfterGoodbye(ctx));
        ctx.executor().schedule(() -> ctx.close(), boundMs, TimeUnit.MILLISECONDS);
    }

    /**
     * This node leaves, and says GOODBYE on another connection to the node, the one that carries its last messages:
     * on this one it writes nothing more, handles nothing more, and waits for the node to close it on reading that
     * GOODBYE (or closes it after {@code boundMs}). A GOODBYE here too could be read first, on another thread of the
     * node, which would then close both connections with this node's last messages still unread on the other.
     */
    void leaveQuietly(final ChannelHandlerContext ctx, final long boundMs)
    {
        if (left)
        {
            return;
        }
        left = true;
        closing = true;
        if (!established || !ctx.channel().isActive())
        {
            ctx.close();
            return;
        }
        ctx.executor().schedule(() -> ctx.close(), boundMs, TimeUnit.MILLISECONDS);
    }

    /**
     * On a peer link only the output is shut after the GOODBYE (FIN, or TLS's close_notify) and reading goes on,
     * discarding, until the peer closes on reading the GOODBYE (or the bound passes): a full close now would answer
     * what the peer still sends with a reset, and a peer whose write fails on a reset closes its connection before it
     * reads the GOODBYE. A caller connection closes at once: its dialer reads only during a call, and checks for a
     * GOODBYE before it writes one.
     */
    private void closeAfterGoodbye(final ChannelHandlerContext ctx)
    {
        final SslHandler ssl = ctx.pipeline().get(SslHandler.class);
        if (callerConnection || !ctx.channel().isActive())
        {
            ctx.close();
        }
        else if (null != ssl)
        {
            ssl.closeOutbound();
        }
        else if (ctx.channel() instanceof DuplexChannel duplex)
        {
            duplex.shutdownOutput();
        }
        else
        {
            ctx.close();
        }
    }

    /** Something was written: no heartbeat needed this interval (on a caller connection: a reply, not idle). */
    void wrote()
    {
        lastWriteNanos = System.nanoTime();
    }

    @Override
    public void channelActive(final ChannelHandlerContext ctx)
    {
        lastReadNanos = System.nanoTime();
        lastWriteNanos = lastReadNanos;
        final long handshakeMs = transport.config.handshakeTimeout.toMillis();
        timer = ctx.executor().schedule(() ->
        {
            if (!established)
            {
                refuse(ctx, "no handshake within " + handshakeMs + " ms", false);
            }
        }, handshakeMs, TimeUnit.MILLISECONDS);
        final SslHandler ssl = ctx.pipeline().get(SslHandler.class);
        if (!accepted)
        {
            if (null == ssl)
            {
                sendHello(ctx);
            }
            else
            {
                ssl.handshakeFuture().addListener(f ->
                {
                    if (f.isSuccess())
                    {
                        sendHello(ctx);
                    }
                });
            }
        }
        ctx.fireChannelActive();
    }

    private void sendHello(final ChannelHandlerContext ctx)
    {
        final String mismatch = transport.refusals.certificateRefusal(ctx.channel(), peer);
        if (null != mismatch)
        {
            refuse(ctx, "the server's certificate is not that of " + peer + ": " + mismatch, false);
            return;
        }
        final PeerLink link = transport.link(peer);
        Handshake hello = Handshake.of(transport.config.clusterId, transport.localNode(), peer,
            transport.config.newestProtocol, transport.run, transport.listensOn(),
            transport.heartbeatIntervalMillis());
        if (null != link && link.protocol.dialWithoutRange())
        {
            hello = hello.withoutRange();
        }
        helloRanged = hello.ranged();
        final BufferWriter body = new BufferWriter(64);
        hello.encode(body);
        writeFrame(ctx, FrameFormat.HELLO, body);
    }

    private void writeFrame(final ChannelHandlerContext ctx, final int type, final BufferWriter body)
    {
        final int length = FrameFormat.HEADER_BYTES + body.position();
        final ByteBuf out = ctx.alloc().ioBuffer(FrameFormat.LENGTH_BYTES + length);
        out.writeInt(length).writeByte(FrameFormat.VERSION).writeByte(type).writeBytes(body.array(), 0,
            body.position());
        transport.counters.bytesWritten.add(out.readableBytes());
        peerCounters.bytesWritten.add(out.readableBytes());
        transport.counters.flushes.increment();
        lastWriteNanos = System.nanoTime();
        ctx.writeAndFlush(out, ctx.voidPromise());
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        final ByteBuf frame = (ByteBuf)msg;
        try
        {
            if (closing || established && transport.faults.isMuted(peer))
            {
                // A muted node's frames are lost unread (fault injection, see LinkFaults): not even heard.
                return;
            }
            lastReadNanos = System.nanoTime();
            if (established && !callerConnection)
            {
                transport.heard(peer, lastReadNanos);
            }
            transport.counters.bytesRead.add(FrameFormat.LENGTH_BYTES + frame.readableBytes());
            peerCounters.bytesRead.add(FrameFormat.LENGTH_BYTES + frame.readableBytes());
            onFrame(ctx, frame);
        }
        finally
        {
            ReferenceCountUtil.release(frame);
        }
    }

    private void onFrame(final ChannelHandlerContext ctx, final ByteBuf frame)
    {
        if (frame.readableBytes() < FrameFormat.HEADER_BYTES)
        {
            reject(ctx, "a frame of " + frame.readableBytes() + " bytes has no header");
            return;
        }
        final int version = frame.readUnsignedByte();
        final int type = frame.readUnsignedByte();
        if (version != FrameFormat.VERSION)
        {
            reject(ctx, "unsupported frame version " + version);
            return;
        }
        try
        {
            if (!established)
            {
                onHandshakeFrame(ctx, type, ByteBufUtil.getBytes(frame));
            }
            else
            {
                onEstablishedFrame(ctx, type, frame);
            }
        }
        catch (final CodecException ex)
        {
            reject(ctx, "malformed frame of type " + type + ": " + ex.getMessage());
        }
    }

    private void onHandshakeFrame(final ChannelHandlerContext ctx, final int type, final byte[] body)
    {
        if (accepted && (type == FrameFormat.HELLO || type == FrameFormat.CALLER_HELLO))
        {
            callerConnection = type == FrameFormat.CALLER_HELLO;
            final Handshake hello = Handshake.decode(new BufferReader(body));
            final String refusal = transport.refusals.refusal(hello, ctx.channel());
            final String duplicate = null == refusal ? transport.refusals.duplicateRun(hello, ctx.channel()) : null;
            if (null != duplicate)
            {
                writeFrame(ctx, FrameFormat.REFUSE, new BufferWriter(64).writeText(duplicate));
                refuseDuplicate(ctx, hello.nodeId(), duplicate, hello.run(), true);
                return;
            }
            if (null != refusal)
            {
                final BufferWriter reason = new BufferWriter(64).writeText(refusal);
                writeFrame(ctx, FrameFormat.REFUSE, reason);
                refuse(ctx, "refused " + hello.nodeId() + " from " + ctx.channel().remoteAddress() + ": " + refusal,
                    true);
                return;
            }
            final int version = ProtocolVersions.agree(hello.oldest(), hello.newest(),
                transport.config.newestProtocol);
            if (0 == version)
            {
                final String why = ProtocolVersions.noCommonVersion(transport.localNode(), hello.nodeId(),
                    hello.oldest(), hello.newest());
                // The reason, then this node's range: a node of version 1 reads the reason alone.
                writeFrame(ctx, FrameFormat.REFUSE, new BufferWriter(64).writeText(why)
                    .writeVarLong(ProtocolVersions.OLDEST).writeVarLong(transport.config.newestProtocol));
                refuseVersions(ctx, hello.nodeId(), "refused " + hello.nodeId() + " from " +
                    ctx.channel().remoteAddress() + ": " + why, true);
                return;
            }
            peer = hello.nodeId();
            Handshake welcome = Handshake.of(transport.config.clusterId, transport.localNode(), peer,
                transport.config.newestProtocol, transport.run, transport.listensOn(),
                transport.heartbeatIntervalMillis());
            if (!hello.ranged())
            {
                // A node of version 1 closes on a handshake with bytes it does not know.
                welcome = welcome.withoutRange();
            }
            final BufferWriter welcomeBody = new BufferWriter(64);
            welcome.encode(welcomeBody);
            writeFrame(ctx, FrameFormat.WELCOME, welcomeBody);
            establish(ctx, false, version, hello);
        }
        else if (!accepted && type == FrameFormat.WELCOME)
        {
            helloAnswered = true;
            final Handshake welcome = Handshake.decode(new BufferReader(body));
            if (!welcome.nodeId().equals(peer) || !welcome.clusterId().equals(transport.config.clusterId))
            {
                refuse(ctx, "expected node " + peer + " of deployment " + transport.config.clusterId + ", found " +
                    welcome.nodeId() + " of " + welcome.clusterId(), false);
                return;
            }
            final int version = ProtocolVersions.agree(welcome.oldest(), welcome.newest(),
                transport.config.newestProtocol);
            if (0 == version)
            {
                refuseVersions(ctx, peer, ProtocolVersions.noCommonVersion(transport.localNode(), peer,
                    welcome.oldest(), welcome.newest()), false);
                return;
            }
            final String duplicate = transport.refusals.duplicateRun(welcome, ctx.channel());
            if (null != duplicate)
            {
                // The address dialed now leads to another process than the one connected (a name moved to it).
                refuseDuplicate(ctx, peer, duplicate, welcome.run(), false);
                return;
            }
            establish(ctx, true, version, welcome);
        }
        else if (!accepted && type == FrameFormat.REFUSE)
        {
            helloAnswered = true;
            final BufferReader reader = new BufferReader(body);
            final String reason = peer + " refused this node: " + reader.readString();
            if (reader.remaining() > 0)
            {
                // The refuser's version range follows the reason: the nodes have no protocol version in common.
                refuseVersions(ctx, peer, reason, false);
            }
            else if (reason.startsWith(DuplicateRuns.PREFIX, peer.length() + " refused this node: ".length()))
            {
                refuseDuplicate(ctx, peer, reason, "refused by " + peer, false);
            }
            else
            {
                refuse(ctx, reason, false);
            }
        }
        else
        {
            reject(ctx, "frame type " + type + " before the handshake");
        }
    }

    private void establish(final ChannelHandlerContext ctx, final boolean dialedByLocal, final int version,
        final Handshake claim)
    {
        protocol = version;
        peerRun = claim.run();
        peerListensOn = claim.listensOn();
        peerHeartbeatNanos = TimeUnit.MILLISECONDS.toNanos(claim.heartbeatMillis());
        established = true;
        final FrameDecoder frames = ctx.pipeline().get(FrameDecoder.class);
        if (null != frames)
        {
            frames.handshakeDone();
        }
        lastMessageReadNanos = System.nanoTime();
        timer.cancel(false);
        final PeerLink link = transport.link(peer);
        peerCounters = null == link ? PeerCounters.UNKNOWN : link.counters;
        if (callerConnection)
        {
            establishCallerConnection(ctx);
            return;
        }
        if (!transport.attach(peer, ctx.channel(), dialedByLocal, claim))
        {
            if (dialedByLocal && null != link)
            {
                // This dial is over: its close is not retried (it got through the handshake), so unblock() must be
                // free to dial again.
                transport.dialer.handshakeDone(link);
            }
            LOG.debug("{}: closing a new connection to {}: transport closed, node blocked, or another run of it " +
                "connected", transport.localNode(), peer);
            closeRefused(ctx);
            return;
        }
        if (dialedByLocal)
        {
            transport.dialer.handshakeDone(transport.link(peer));
        }
        final long intervalNanos = transport.heartbeatIntervalNanos();
        final long failureNanos = transport.config.failureTimeout.toNanos();
        listening = new ListeningWatch(intervalNanos, failureNanos, System.nanoTime());
        timer = ctx.executor().scheduleAtFixedRate(() -> tick(ctx, intervalNanos, failureNanos), intervalNanos,
            intervalNanos, TimeUnit.NANOSECONDS);
    }

    /**
     * A caller connection writes nothing but replies (its dialer reads only while it waits for one) and is closed
     * once it has carried nothing, neither a call nor a reply, for the failure timeout, unless a call on it still
     * awaits its reply; its dialer never reuses it once idle for half of that.
     */
    private void establishCallerConnection(final ChannelHandlerContext ctx)
    {
        transport.counters.callerConnectionsOpened.increment();
        final long failureNanos = transport.config.failureTimeout.toNanos();
        final long intervalNanos = transport.config.heartbeatInterval.toNanos();
        listening = new ListeningWatch(intervalNanos, failureNanos, System.nanoTime());
        timer = ctx.executor().scheduleAtFixedRate(() ->
        {
            final long now = System.nanoTime();
            // After a stall of this node a call may wait unread here: the connection is not idle until it was heard
            // from for nothing while this node listened.
            listening.check(now);
            if (listening.unheardNanos(now, lastReadNanos) > failureNanos && now - lastWriteNanos > failureNanos &&
                !transport.incomingCallers.awaitsReply(peer, ctx.channel()))
            {
                LOG.debug("{}: closing an idle caller connection from {}", transport.localNode(), peer);
                closing = true;
                ctx.close();
            }
        }, intervalNanos, intervalNanos, TimeUnit.NANOSECONDS);
        if (!transport.incomingCallers.attach(peer, ctx.channel()))
        {
            closeRefused(ctx);
        }
    }

    /**
     * The transport would not keep this connection, whose handshake is done (the other node counts it as open): if
     * the transport is closing, the other node is told it left, here if no other peer connection to it is open, else on
     * the one that carries this node's last messages, and this one waits to be closed, as every other one does.
     */
    private void closeRefused(final ChannelHandlerContext ctx)
    {
        if (transport.isClosed() && !callerConnection && transport.hasPeerConnection(peer))
        {
            // The GOODBYE goes on the connection that carries this node's last messages (OrderlyLeave).
            leaveQuietly(ctx, OrderlyLeave.BOUND_MS);
            return;
        }
        if (transport.isClosed())
        {
            leave(ctx, () ->
            {
            }, OrderlyLeave.BOUND_MS);
            return;
        }
        closing = true;
        ctx.close();
    }

    private void tick(final ChannelHandlerContext ctx, final long intervalNanos, final long failureNanos)
    {
        if (closing)
        {
            return;
        }
        final long now = System.nanoTime();
        if (listening.check(now))
        {
            LOG.debug("{}: this node stalled (a check on {} ran late): the stall is not counted as its silence",
                transport.localNode(), peer);
        }
        final PeerLink link = transport.link(peer);
        if (null != link && link.active == ctx.channel())
        {
            link.readerChecked(now, listening.resumedNanos());
        }
        if (listening.unheardNanos(now, lastReadNanos) > failureNanos)
        {
            LOG.warn("{}: nothing heard from {} for {} ms: closing the connection", transport.localNode(), peer,
                TimeUnit.NANOSECONDS.toMillis(now - lastReadNanos));
            ctx.close();
            return;
        }
        if (transport.isRetirable(peer, ctx.channel(), lastMessageReadNanos, now))
        {
            transport.counters.connectionsReplaced.increment();
            LOG.info("{}: closing the duplicate connection to {} ({}): the other one carries the traffic",
                transport.localNode(), peer, ctx.channel().remoteAddress());
            ctx.close();
            return;
        }
        // Not while the socket takes no writes: the peer is not reading what is queued (a heartbeat would land behind
        // it anyway), and one that never reads but keeps sending would have them pile up without bound.
        if (now - lastWriteNanos >= intervalNanos - intervalNanos / 4 && ctx.channel().isWritable())
        {
            transport.counters.heartbeatsSent.increment();
            writeFrame(ctx, FrameFormat.HEARTBEAT, new BufferWriter(0));
        }
    }

    /**
     * @return a reader over a copy of the frame's body, in {@link #frameBytes} unless it is too large to keep.
     */
    private BufferReader reader(final ByteBuf body)
    {
        final int length = body.readableBytes();
        byte[] into = frameBytes;
        if (length > into.length)
        {
            into = new byte[Math.max(length, Math.min(MAX_REUSED_FRAME_BYTES, into.length * 2))];
            if (into.length <= MAX_REUSED_FRAME_BYTES)
            {
                frameBytes = into;
            }
        }
        body.readBytes(into, 0, length);
        return new BufferReader(into, 0, length);
    }

    private void onEstablishedFrame(final ChannelHandlerContext ctx, final int type, final ByteBuf body)
    {
        if (type == FrameFormat.HEARTBEAT)
        {
            if (body.isReadable())
            {
                reject(ctx, "a heartbeat with a body");
            }
            return;
        }
        if (type == FrameFormat.GOODBYE && !callerConnection)
        {
            if (body.isReadable())
            {
                reject(ctx, "a goodbye with a body");
                return;
            }
            // The peer closes: it answered before this all it will answer, and handles nothing more from here.
            closing = true;
            transport.peerLeft(peer);
            ctx.close();
            return;
        }
        if ((type == FrameFormat.FENCE || type == FrameFormat.FENCE_READ) && !callerConnection)
        {
            if (body.isReadable())
            {
                reject(ctx, "a fence with a body");
            }
            else if (type == FrameFormat.FENCE)
            {
                answerFence(ctx);
            }
            else
            {
                transport.fenceRead(peer, ctx.channel());
            }
            return;
        }
        if (type != FrameFormat.MESSAGE)
        {
            reject(ctx, "frame type " + type + " after the handshake");
            return;
        }
        final NodeMessage message;
        try
        {
            message = WireCodec.INSTANCE.decode(reader(body));
        }
        catch (final CodecException ex)
        {
            if (!UndecodableCorrelationException.onlyTheCorrelation(ex))
            {
                throw ex;
            }
            // The frame is whole and the peer speaks the protocol; only a value of the application's is unknown here.
            transport.counters.messagesDropped.increment();
            transport.warnings.warn("{}: dropping a message from {}: {}", transport.localNode(), peer,
                ex.getMessage());
            return;
        }
        final String forged = SenderCheck.mismatch(message, peer, transport.hostsMembers(peer));
        if (null != forged)
        {
            reject(ctx, forged);
            return;
        }
        if (callerConnection)
        {
            if (!(message instanceof NodeMessage.ServerCall call))
            {
                reject(ctx, "a " + message.getClass().getSimpleName() + " on a caller connection");
                return;
            }
            transport.incomingCallers.remember(peer, call.callId(), ctx.channel());
        }
        lastMessageReadNanos = lastReadNanos;
        transport.counters.messagesReceived.increment();
        peerCounters.messagesReceived.increment();
        transport.listener().onMessage(peer, message);
    }

    /**
     * Everything before the FENCE on this connection has been handed to the listener: the peer may go on. A peer that
     * does not read the answers is disconnected rather than buffered for.
     */
    private void answerFence(final ChannelHandlerContext ctx)
    {
        if (unsentFenceReads >= MAX_UNSENT_FENCE_READS)
        {
            reject(ctx, "FENCE frames keep coming while the answers to " + unsentFenceReads +
                " are not read: the node does not read this connection");
            return;
        }
        unsentFenceReads++;
        final ByteBuf out = ctx.alloc().ioBuffer(FrameFormat.LENGTH_BYTES + FrameFormat.HEADER_BYTES);
        out.writeInt(FrameFormat.HEADER_BYTES).writeByte(FrameFormat.VERSION).writeByte(FrameFormat.FENCE_READ);
        transport.counters.bytesWritten.add(out.readableBytes());
        peerCounters.bytesWritten.add(out.readableBytes());
        transport.counters.flushes.increment();
        lastWriteNanos = System.nanoTime();
        ctx.writeAndFlush(out).addListener(f -> unsentFenceReads--);
    }

    private void reject(final ChannelHandlerContext ctx, final String reason)
    {
        transport.counters.framesRejected.increment();
        transport.warnings.warn("{}: closing the connection from {} ({}): {}", transport.localNode(),
            null == peer ? "?" : peer,
            ctx.channel().remoteAddress(), reason);
        closing = true;
        ctx.close();
    }

    private void refuse(final ChannelHandlerContext ctx, final String reason, final boolean flushFirst)
    {
        transport.counters.connectionsRefused.increment();
        transport.warnings.warn("{}: {}", transport.localNode(), reason);
        closing = true;
        if (flushFirst)
        {
            ctx.flush();
        }
        ctx.close();
    }

    /**
     * Refuse a connection whose other end claims the id of a node another process runs (or, on the refused process,
     * a refusal for that): logged as an error, once per pair of runs and then at most once a minute.
     */
    private void refuseDuplicate(final ChannelHandlerContext ctx, final String node, final String why,
        final String key, final boolean flushFirst)
    {
        transport.counters.connectionsRefused.increment();
        final PeerLink link = transport.link(node);
        if (null != link)
        {
            link.duplicates.log(transport.localNode(), why, String.valueOf(key));
        }
        closing = true;
        if (flushFirst)
        {
            ctx.flush();
        }
        ctx.close();
    }

    /**
     * Refuse a connection to a node with which this one has no protocol version in common: logged as an error once per
     * node and reason (not at every redial), and kept in the node's {@link PeerStats}.
     */
    private void refuseVersions(final ChannelHandlerContext ctx, final String node, final String why,
        final boolean flushFirst)
    {
        transport.counters.connectionsRefused.increment();
        final PeerLink link = transport.link(node);
        if (null == link || link.protocol.refused(why))
        {
            REFUSALS.error("{}: {}", transport.localNode(), why);
        }
        closing = true;
        if (flushFirst)
        {
            ctx.flush();
        }
        ctx.close();
    }

    @Override
    public void channelWritabilityChanged(final ChannelHandlerContext ctx)
    {
        if (established && !callerConnection && ctx.channel().isWritable())
        {
            transport.onWritable(peer);
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx)
    {
        if (null != timer)
        {
            timer.cancel(false);
        }
        if (!accepted)
        {
            dialedConnectionClosed();
        }
        if (established && callerConnection)
        {
            transport.incomingCallers.forget(peer, ctx.channel());
        }
        else if (established)
        {
            transport.detach(peer, ctx.channel());
        }
        ctx.fireChannelInactive();
    }

    /**
     * A node of version 1 closes, without a word, a connection whose HELLO carries a version range: the next dial to
     * it goes without one. Once a connection dialed that way closes, the next asks again (the node may have been
     * upgraded meanwhile).
     */
    private void dialedConnectionClosed()
    {
        final PeerLink link = transport.link(peer);
        if (null == link)
        {
            return;
        }
        if (!established && helloRanged && !helloAnswered && !closing)
        {
            link.protocol.dialWithoutRange(true);
            LOG.info("{}: {} closed the connection on this node's handshake without answering it, as a node of " +
                "protocol version 1 does: dialing it again with a handshake of version 1", transport.localNode(), peer);
        }
        else if (established && !helloRanged)
        {
            link.protocol.dialWithoutRange(false);
        }
    }

    private static boolean isBadFrame(final Throwable cause)
    {
        return cause instanceof TooLongFrameException || cause instanceof CorruptedFrameException;
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        if (closing)
        {
            return;
        }
        if (isBadFrame(cause) || cause instanceof DecoderException && isBadFrame(cause.getCause()))
        {
            reject(ctx, String.valueOf(cause.getMessage()));
        }
        else if (!established)
        {
            refuse(ctx, "connection " + ctx.channel().remoteAddress() + " failed before the handshake: " + cause,
                false);
        }
        else if (cause instanceof DecoderException)
        {
            reject(ctx, String.valueOf(cause.getMessage()));
        }
        else
        {
            LOG.info("{}: connection to {} failed: {}", transport.localNode(), peer, cause.toString());
            closing = true;
            ctx.close();
        }
    }

}

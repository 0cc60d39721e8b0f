package dev.ra.transport.netty;

import dev.ra.codec.BufferWriter;
import dev.ra.codec.Bytes;
import dev.ra.core.CallError;
import dev.ra.protocol.NodeMessage;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes what is queued for a node to its active connection: {@link NettyTransport#send} only enqueues, and the
 * connection's event loop drains the queue, encoding everything queued into as few buffers as possible and flushing
 * once, so a burst of messages costs one system call.
 */
final class LinkWriter
{
    private static final Logger LOG = LoggerFactory.getLogger(NettyTransport.class);
    private static final int COALESCE_CHUNK_BYTES = 64 * 1024;
    /** Each thread's buffer to encode frames in, before they are copied into the connection's buffer. */
    static final ThreadLocal<BufferWriter> WRITERS = ThreadLocal.withInitial(() -> new BufferWriter(4096));

    private final NettyTransport transport;

    LinkWriter(final NettyTransport transport)
    {
        this.transport = transport;
    }

    void scheduleDrain(final PeerLink link)
    {
        final Channel channel = link.active;
        if (null == channel)
        {
            return;
        }
        // Read first, as the runtime's schedulers do: with many messages per drain the flag is usually set already,
        // and a failing compare-and-set would still take its cache line from the event loop that clears it.
        if (!link.drainScheduled.get() && link.drainScheduled.compareAndSet(false, true))
        {
            channel.eventLoop().execute(() -> drain(link));
        }
    }

    /**
     * Runs on the connection's event loop: encode everything queued into as few buffers as possible and flush once.
     */
    void drain(final PeerLink link)
    {
        link.drainScheduled.set(false);
        final Channel channel = link.active;
        if (null == channel)
        {
            discardQueue(link);
            return;
        }
        if (transport.isClosed() || left(channel))
        {
            // This node leaves: the connection that carries its last messages writes the queue before its GOODBYE
            // (OrderlyLeave; maybe not this one: the old one while its FENCE is unanswered), and nothing else does.
            return;
        }
        if (null != link.fenced)
        {
            // The node has not yet read what was written on the connection used before: resumed by its FENCE_READ.
            return;
        }
        if (!channel.eventLoop().inEventLoop())
        {
            // The active connection changed since this drain was scheduled: drain on the new one's event loop.
            scheduleDrain(link);
            return;
        }
        if (!channel.isActive())
        {
            // Closing: its detach discards the queue (the node is reported down, and up again if a standby takes over).
            return;
        }
        writeQueued(link, channel, false);
        if (!link.outbound.messages.isEmpty() && channel.isWritable())
        {
            scheduleDrain(link);
        }
    }

    /**
     * Encode what is queued for the node into as few buffers as possible and flush once; on the channel's event loop.
     *
     * @param all whether to write everything, also past the write watermark (the transport is leaving).
     */
    void writeQueued(final PeerLink link, final Channel channel, final boolean all)
    {
        final BufferWriter writer = WRITERS.get();
        ByteBuf out = null;
        int written = 0;
        final OutboundQueue queue = link.outbound;
        // The version of this connection, not the link's: another connection to the node may have agreed another.
        final int protocol = ConnectionHandler.protocolOf(channel);
        NodeMessage message;
        // Stops if the connection stops being the one in use meanwhile (a new one replaced it): what is queued from
        // then on is for the new one, maybe a new run of the node, and must not go out on this one.
        while ((all || (channel.isWritable() && link.active == channel)) && null != (message = queue.messages.poll()))
        {
            queue.size.decrementAndGet();
            final String unsent = frameRefusal(message, writer, link.node, protocol);
            if (null != unsent)
            {
                if (message instanceof NodeMessage.ServerCall call)
                {
                    // Its caller would wait out its timeout for an answer that cannot come (a request the node no
                    // longer takes after it reconnected with an older release, or one too large): answered now.
                    answerUnsent(link.node, call, unsent, channel);
                }
                continue;
            }
            if (null == out)
            {
                out = channel.alloc().ioBuffer(Math.max(writer.position(), 256));
            }
            out.writeBytes(writer.array(), 0, writer.position());
            link.counters.bytesWritten.add(writer.position());
            written++;
            if (out.readableBytes() >= COALESCE_CHUNK_BYTES)
            {
                transport.counters.bytesWritten.add(out.readableBytes());
                channel.write(out, channel.voidPromise());
                out = null;
            }
        }
        if (null != out)
        {
            transport.counters.bytesWritten.add(out.readableBytes());
            channel.write(out, channel.voidPromise());
        }
        if (written > 0)
        {
            transport.counters.messagesSent.add(written);
            link.counters.messagesSent.add(written);
            transport.counters.flushes.increment();
            noteWritten(channel);
            channel.flush();
        }
    }

    /** @return whether this node left on the connection (its transport closes): nothing more is written there. */
    static boolean left(final Channel channel)
    {
        final ConnectionHandler handler = channel.pipeline().get(ConnectionHandler.class);
        return null != handler && handler.left();
    }

    /**
     * @return whether the message is now a frame in the writer; if not it was dropped, counted and logged.
     */
    boolean encodeFrame(final NodeMessage message, final BufferWriter writer, final String node, final int protocol)
    {
        return null == frameRefusal(message, writer, node, protocol);
    }

    /**
     * @return null if the message is now a frame in the writer; else why not: it was dropped, counted and logged.
     */
    private String frameRefusal(final NodeMessage message, final BufferWriter writer, final String node,
        final int protocol)
    {
        final int frameLength;
        try
        {
            frameLength = FrameFormat.writeMessageFrame(message, writer, protocol);
        }
        catch (final RuntimeException ex)
        {
            transport.countDropped(node);
            LOG.warn("{}: dropping a message to {} that cannot be encoded: {}", transport.localNode(), node, message,
                ex);
            return "it cannot be encoded for node " + node + " (protocol version " + protocol + "): " +
                ex.getMessage();
        }
        if (frameLength - FrameFormat.HEADER_BYTES > transport.config.maxFrameBytes)
        {
            transport.countDropped(node);
            LOG.warn("{}: dropping a {}-byte message to {}: above the maximum frame size {}", transport.localNode(),
                frameLength, node, transport.config.maxFrameBytes);
            return "its " + frameLength + "-byte frame exceeds the maximum frame size of " +
                transport.config.maxFrameBytes + " bytes";
        }
        return null;
    }

    /**
     * A call that was not sent is answered as refused, from the node it was meant for, once this drain is over: the
     * answer may send again, which must not run inside this loop over the queue.
     */
    private void answerUnsent(final String node, final NodeMessage.ServerCall call, final String why,
        final Channel channel)
    {
        final NodeMessage.CallReply refused = new NodeMessage.CallReply(call.callId(),
            NodeMessage.CallStatus.FAILED, Bytes.EMPTY, null, CallError.NOT_PERMITTED,
            "node " + transport.localNode() + " did not send the request to node " + node + ", so it was not " +
            "carried out: " + why);
        channel.eventLoop().execute(() -> transport.deliverLocally(node, refused));
    }

    /**
     * The node is down or this node leaves: what is queued for it is dropped, and the link gets a new queue, so that a
     * message its sender adds to the old one afterwards is dropped by that sender ({@link NettyTransport#send}).
     */
    void discardQueue(final PeerLink link)
    {
        final OutboundQueue old;
        synchronized (link)
        {
            old = link.outbound;
            link.outbound = new OutboundQueue();
        }
        discard(link, old);
    }

    /** Drop and count whatever is in a queue the link no longer writes from. */
    void discard(final PeerLink link, final OutboundQueue queue)
    {
        while (null != queue.messages.poll())
        {
            queue.size.decrementAndGet();
            transport.counters.messagesDropped.increment();
            link.counters.messagesDropped.increment();
        }
    }

    /**
     * Tell the connection's handler it wrote: no heartbeat due, and a caller connection is not idle.
     */
    static void noteWritten(final Channel channel)
    {
        final ConnectionHandler handler = channel.pipeline().get(ConnectionHandler.class);
        if (null != handler)
        {
            handler.wrote();
        }
    }
}

package dev.ra.transport.netty;

import dev.ra.codec.BufferWriter;
import dev.ra.protocol.NodeMessage;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;

/**
 * Writes the replies to calls that came in on a caller connection ({@link NettyTransport#send} routes them here) on
 * that connection, on its event loop.
 *
 * <p>A caller connection carries one call at a time and its dialer reads the reply before it sends the next call, so
 * nothing of an earlier reply is still queued when the next is written. A connection whose socket stopped taking
 * writes (Netty's write watermark) has a dialer that sends calls without reading their replies: buffering them would
 * cost memory without bound until the failure timeout, so the connection is closed instead and the reply dropped;
 * the dialer finds its connection lost, as with any connection that breaks.
 */
final class CallerReplies
{
    private CallerReplies()
    {
    }

    /**
     * Write a reply on the caller connection its call came in on.
     *
     * @param transport of this node.
     * @param channel   the caller connection.
     * @param reply     to write.
     * @param node      the calling node.
     */
    static void write(final NettyTransport transport, final Channel channel, final NodeMessage.CallReply reply,
        final String node)
    {
        if (!channel.eventLoop().inEventLoop())
        {
            channel.eventLoop().execute(() -> write(transport, channel, reply, node));
            return;
        }
        if (!channel.isActive() || LinkWriter.left(channel))
        {
            transport.countDropped(node);
            return;
        }
        if (!channel.isWritable())
        {
            transport.countDropped(node);
            transport.warnings.warn("{}: closing the caller connection from {} ({}): it sends calls without reading " +
                "their replies", transport.localNode(), node, channel.remoteAddress());
            channel.close();
            return;
        }
        final BufferWriter writer = LinkWriter.WRITERS.get();
        // In the version the caller connection's handshake agreed, as the peer link writes in its own.
        final ConnectionHandler handler = channel.pipeline().get(ConnectionHandler.class);
        final int protocol = null == handler ? 0 : handler.protocol();
        if (!transport.writer.encodeFrame(reply, writer, node, protocol))
        {
            return;
        }
        final ByteBuf out = channel.alloc().ioBuffer(writer.position());
        out.writeBytes(writer.array(), 0, writer.position());
        transport.counters.bytesWritten.add(out.readableBytes());
        transport.counters.messagesSent.increment();
        transport.counters.flushes.increment();
        LinkWriter.noteWritten(channel);
        channel.writeAndFlush(out, channel.voidPromise());
    }
}

package dev.ra.transport.netty;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * How a closing transport leaves: GOODBYE on every connection, peer links and the caller connections it accepted,
 * each on its connection's event loop after what was written or queued there before (replies the stopping servers
 * sent, "no such server" answers), then nothing more is handled there and the connection closes once flushed. A peer
 * that reads the GOODBYE knows that whatever it sent and got no answer for was not acted on.
 */
final class OrderlyLeave
{
    /** How long a connection may take to flush its last writes and the GOODBYE before it is closed anyway. */
    static final long BOUND_MS = 1000;

    /**
     * Say goodbye on every connection and wait until they closed, bounded by {@link #BOUND_MS}; a transport closed
     * from one of its own I/O threads does not wait (that thread must run the goodbyes).
     */
    static void leave(final NettyTransport transport, final Collection<PeerLink> links, final EventLoopGroup group)
    {
        final List<Channel> leaving = new ArrayList<>();
        for (final PeerLink link : links)
        {
            for (final Channel channel : NettyTransport.connectionsTo(link))
            {
                leaving.add(channel);
                leave(channel, () ->
                {
                    if (link.active == channel)
                    {
                        transport.writer.writeQueued(link, channel, true);
                    }
                });
            }
            for (final Channel channel : link.callerConnections)
            {
                // Replies to calls on it were handed to its event loop before this, so they are written first.
                leaving.add(channel);
                leave(channel, () ->
                {
                });
            }
        }
        if (onIoThread(group))
        {
            return;
        }
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(BOUND_MS + 200);
        for (final Channel channel : leaving)
        {
            channel.closeFuture().awaitUninterruptibly(Math.max(0, deadline - System.nanoTime()),
                TimeUnit.NANOSECONDS);
        }
    }

    private static void leave(final Channel channel, final Runnable writeQueued)
    {
        channel.eventLoop().execute(() ->
        {
            final ChannelHandlerContext ctx = channel.pipeline().context(ConnectionHandler.class);
            if (null == ctx)
            {
                channel.close();
                return;
            }
            ((ConnectionHandler)ctx.handler()).leave(ctx, writeQueued, BOUND_MS);
        });
    }

    private static boolean onIoThread(final EventLoopGroup group)
    {
        if (null == group)
        {
            return false;
        }
        for (final EventExecutor executor : group)
        {
            if (executor.inEventLoop())
            {
                return true;
            }
        }
        return false;
    }

    private OrderlyLeave()
    {
    }
}

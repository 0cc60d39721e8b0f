package dev.ra.transport.netty;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How a closing transport leaves: GOODBYE on each caller connection it accepted and, to each node, on the one peer
 * connection that carries its last messages, each on its connection's event loop after what was written or queued
 * there before (replies the stopping servers sent, "no such server" answers), then nothing more is handled there and
 * the connection closes once flushed. A peer that reads the GOODBYE knows that whatever it sent and got no answer for
 * was not acted on, and closes its other connections to this node; those get no GOODBYE, which it could read before
 * the last messages on the other, and are closed after the bound if it does not close them first.
 */
final class OrderlyLeave
{
    /** How long a connection may take to flush its last writes and the GOODBYE before it is closed anyway. */
    static final long BOUND_MS = 1000;

    /**
     * Say goodbye on every connection and wait until they closed, bounded by {@link #BOUND_MS}; a transport closed
     * from one of its own I/O threads does not wait (that thread must run the goodbyes).
     *
     * @return the connections told goodbye.
     */
    static List<Channel> leave(final NettyTransport transport, final Collection<PeerLink> links,
        final EventLoopGroup group)
    {
        final List<Channel> leaving = new ArrayList<>();
        for (final PeerLink link : links)
        {
            final List<Channel> connections;
            final Channel carrier;
            synchronized (link)
            {
                connections = link.connections.all();
                carrier = lastMessagesCarrier(link);
            }
            for (final Channel channel : connections)
            {
                leaving.add(channel);
                if (null != carrier && channel != carrier)
                {
                    leaveQuietly(channel);
                    continue;
                }
                leave(channel, () ->
                {
                    if (channel == carrier)
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
            return leaving;
        }
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(BOUND_MS + 200);
        for (final Channel channel : leaving)
        {
            channel.closeFuture().awaitUninterruptibly(Math.max(0, deadline - System.nanoTime()),
                TimeUnit.NANOSECONDS);
        }
        return leaving;
    }

    /**
     * Stop the I/O threads once every connection told goodbye has closed (each does within {@link #BOUND_MS}), without
     * waiting here: for a transport closed on one of those threads, which cannot wait for its own end.
     */
    static void shutDownOnceClosed(final List<Channel> leaving, final EventLoopGroup group)
    {
        final AtomicInteger open = new AtomicInteger(leaving.size() + 1);
        final Runnable closedOne = () ->
        {
            if (0 == open.decrementAndGet())
            {
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            }
        };
        for (final Channel channel : leaving)
        {
            channel.closeFuture().addListener(f -> closedOne.run());
        }
        closedOne.run();
    }

    /**
     * Under the link's monitor: the connection that carries this node's last messages to the node, the only one to get
     * the queue and GOODBYE (the node, on reading GOODBYE on any connection, closes them all). While a FENCE is
     * unanswered that is the old connection: the node has not read it up to the FENCE, nothing was written on the new
     * one, and what follows the FENCE there is still read in order. Null if the node is down or left.
     */
    static Channel lastMessagesCarrier(final PeerLink link)
    {
        return null != link.fenced ? link.fenced : link.active;
    }

    private static void leaveQuietly(final Channel channel)
    {
        channel.eventLoop().execute(() ->
        {
            final ChannelHandlerContext ctx = channel.pipeline().context(ConnectionHandler.class);
            if (null == ctx)
            {
                channel.close();
                return;
            }
            ((ConnectionHandler)ctx.handler()).leaveQuietly(ctx, BOUND_MS);
        });
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

    static boolean onIoThread(final EventLoopGroup group)
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

package dev.ra.transport.netty;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import java.net.InetSocketAddress;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Dials the peers whose address this node knows: at most one dial in flight per peer, none while a connection to it
 * is active; a dial that does not complete its handshake is retried with exponential backoff and jitter
 * ({@code reconnectBackoffMin} to {@code reconnectBackoffMax}). Names are looked up at each dial ({@link PeerNames}).
 */
final class PeerDialer
{
    private final NettyTransport transport;
    /** Looks up the names peers are given by, at each dial. */
    private final PeerNames peerNames;
    private volatile EventLoopGroup group;
    private volatile Bootstrap bootstrap;

    PeerDialer(final NettyTransport transport, final PeerNames peerNames)
    {
        this.transport = transport;
        this.peerNames = peerNames;
    }

    /** Called once the transport listens: dials go through {@code bootstrap} and wait on {@code group}. */
    void start(final EventLoopGroup group, final Bootstrap bootstrap)
    {
        this.group = group;
        this.bootstrap = bootstrap;
    }

    /** Dial the peer after {@code delayMs}, unless a dial is under way or a connection to it is active. */
    void schedule(final PeerLink link, final long delayMs)
    {
        if (null == link.address || transport.isClosed())
        {
            return;
        }
        synchronized (link)
        {
            if (link.dialing || null != link.active)
            {
                return;
            }
            link.dialing = true;
        }
        group.next().schedule(() -> dial(link), delayMs, TimeUnit.MILLISECONDS);
    }

    private void dial(final PeerLink link)
    {
        synchronized (link)
        {
            link.dialing = false;
            if (transport.isClosed() || null != link.active)
            {
                return;
            }
            if (transport.faults.isBlocked(link.node))
            {
                redialLater(link);
                return;
            }
            link.dialing = true;
        }
        try
        {
            peerNames.whenLookedUp(link, address -> connect(link, address));
        }
        catch (final RejectedExecutionException ex)
        {
            // Closed meanwhile.
            synchronized (link)
            {
                link.dialing = false;
            }
        }
    }

    private void connect(final PeerLink link, final InetSocketAddress address)
    {
        if (transport.isClosed() || address.isUnresolved())
        {
            // A name that does not resolve now is looked up again at the next dial (Netty would look it up on an
            // I/O thread).
            synchronized (link)
            {
                link.dialing = false;
            }
            if (!transport.isClosed())
            {
                redialLater(link);
            }
            return;
        }
        final ConnectionHandler handler = new ConnectionHandler(transport, false, link.node);
        final ChannelFuture connect = bootstrap.clone().handler(new ChannelInitializer<SocketChannel>()
        {
            @Override
            protected void initChannel(final SocketChannel ch)
            {
                transport.initPipeline(ch, handler, link);
            }
        }).connect(address);
        connect.addListener(f -> SelfConnection.closeIfSelfConnected(connect.channel()));
        connect.channel().closeFuture().addListener(f ->
        {
            // A dial that never got through the handshake (refused, timed out, blocked) is retried later; one
            // that did is re-dialed when the node's last connection is detached.
            if (!handler.established())
            {
                synchronized (link)
                {
                    link.dialing = false;
                }
                redialLater(link);
            }
        });
    }

    private void redialLater(final PeerLink link)
    {
        final long delay;
        synchronized (link)
        {
            final long min = transport.config.reconnectBackoffMin.toMillis();
            final long max = transport.config.reconnectBackoffMax.toMillis();
            link.backoffMs = Math.min(max, Math.max(min, link.backoffMs * 2));
            delay = link.backoffMs / 2 + ThreadLocalRandom.current().nextLong(link.backoffMs / 2 + 1);
        }
        schedule(link, delay);
    }

    /** A dial completed its handshake: the next loss of the peer's last connection dials again. */
    void handshakeDone(final PeerLink link)
    {
        synchronized (link)
        {
            link.dialing = false;
        }
    }
}

package dev.ra.transport.netty;

import io.netty.channel.Channel;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fault injection for tests, per peer node: a node is either <em>blocked</em> (its connections closed and refused,
 * so both sides see each other down at once, as with a refused connection) or <em>muted</em> (connections stay up but
 * whatever arrives from it once connected is dropped unread, heartbeats included, as a network that silently loses
 * packets: only silence tells). A block needs to be set on one side; a mute drops what arrives here only, so a
 * partition both ways mutes on both sides.
 */
final class LinkFaults
{
    private static final Logger LOG = LoggerFactory.getLogger(LinkFaults.class);

    private final NettyTransport transport;
    private final Set<String> blocked = ConcurrentHashMap.newKeySet();
    private final Set<String> muted = ConcurrentHashMap.newKeySet();
    /** Read for every frame received: one load when nothing is muted, as in production; written under the lock. */
    private volatile boolean anyMuted;

    LinkFaults(final NettyTransport transport)
    {
        this.transport = transport;
    }

    void block(final String node)
    {
        blocked.add(node);
        final PeerLink link = transport.link(node);
        if (null != link)
        {
            for (final Channel channel : NettyTransport.connectionsTo(link))
            {
                channel.close();
            }
            for (final Channel channel : link.callerConnections)
            {
                channel.close();
            }
        }
        LOG.info("{}: blocked {}", transport.localNode(), node);
    }

    void unblock(final String node)
    {
        blocked.remove(node);
        final PeerLink link = transport.link(node);
        if (null != link)
        {
            transport.dialer.schedule(link, 0);
        }
        LOG.info("{}: unblocked {}", transport.localNode(), node);
    }

    synchronized void mute(final String node)
    {
        muted.add(node);
        anyMuted = true;
        LOG.info("{}: muted {}", transport.localNode(), node);
    }

    synchronized void unmute(final String node)
    {
        muted.remove(node);
        anyMuted = !muted.isEmpty();
        LOG.info("{}: unmuted {}", transport.localNode(), node);
    }

    boolean isBlocked(final String node)
    {
        return blocked.contains(node);
    }

    boolean isMuted(final String node)
    {
        return anyMuted && muted.contains(node);
    }
}

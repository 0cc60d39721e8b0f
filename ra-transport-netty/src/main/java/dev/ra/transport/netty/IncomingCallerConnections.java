package dev.ra.transport.netty;

import io.netty.channel.Channel;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * The caller connections other nodes dialed to this one (a calling thread's own blocking socket there): which are
 * open per node, and on which one each call came in, so that its reply goes back on it. Thread-safe: I/O threads of
 * several connections use it at once.
 */
final class IncomingCallerConnections
{
    private final Map<String, PeerLink> links;
    private final LinkFaults faults;
    private final BooleanSupplier closed;

    /**
     * @param links  the transport's links, by node.
     * @param faults the transport's injected faults (a blocked node's connections are refused).
     * @param closed whether the transport is closed.
     */
    IncomingCallerConnections(final Map<String, PeerLink> links, final LinkFaults faults, final BooleanSupplier closed)
    {
        this.links = links;
        this.faults = faults;
        this.closed = closed;
    }

    /**
     * A caller connection from {@code node} completed its handshake.
     *
     * @return true if it was kept; false if the transport is closed or the node blocked.
     */
    boolean attach(final String node, final Channel channel)
    {
        final PeerLink link = links.get(node);
        if (null == link || closed.getAsBoolean() || faults.isBlocked(node))
        {
            return false;
        }
        link.callerConnections.add(channel);
        // Pairs with block() and close(): each changes its state before looking here for what to close.
        if (closed.getAsBoolean() || faults.isBlocked(node))
        {
            link.callerConnections.remove(channel);
            return false;
        }
        return true;
    }

    /**
     * A caller connection from {@code node} carried a call: its reply goes back on it.
     */
    void remember(final String node, final long callId, final Channel channel)
    {
        final PeerLink link = links.get(node);
        if (null != link)
        {
            link.callerChannels.put(callId, channel);
        }
    }

    /** A caller connection from {@code node} closed: replies still owed to it have nowhere to go. */
    void forget(final String node, final Channel channel)
    {
        final PeerLink link = links.get(node);
        if (null != link)
        {
            link.callerConnections.remove(channel);
            link.callerChannels.values().removeIf(channel::equals);
        }
    }

    /** @return whether a call that came in on this caller connection from {@code node} still awaits its reply. */
    boolean awaitsReply(final String node, final Channel channel)
    {
        final PeerLink link = links.get(node);
        return null != link && link.callerChannels.containsValue(channel);
    }
}

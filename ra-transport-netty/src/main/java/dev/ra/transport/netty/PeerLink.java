package dev.ra.transport.netty;

import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Everything this node keeps about one other node: its established connections ({@link PeerConnections}: one is
 * active, a duplicate from a simultaneous dial is a standby until it retires), the bounded outbound queue
 * ({@link OutboundQueue}), and the reconnect state. Connection changes, and the up/down reports they cause, are
 * guarded by the object's monitor; the queue is lock-free (any thread enqueues, the active connection's event loop
 * drains).
 */
final class PeerLink
{
    final String node;
    /** Where the node listens, or null for a node that only dials in (a client). */
    final InetSocketAddress address;
    /** What waits to be written to the node; replaced (under this object's monitor) each time the node goes down. */
    volatile OutboundQueue outbound = new OutboundQueue();
    final AtomicBoolean drainScheduled = new AtomicBoolean();
    final PeerCounters counters = new PeerCounters();
    /** The protocol version spoken with the node, or why there is none. */
    final PeerProtocol protocol = new PeerProtocol();
    /** Logs the refusals of a second process claiming the node's id. */
    final DuplicateRuns duplicates = new DuplicateRuns();

    /** The connection messages go through ({@link PeerConnections#active()}); null while the node is down. */
    volatile Channel active;
    /**
     * The connection this node stopped sending on when it switched to the active one while the first stayed open,
     * until the node answers the FENCE written there ({@link FrameFormat#FENCE_READ}): nothing is written on the
     * active connection meanwhile, so that the node, which reads the two on different threads, handles what was
     * written on the first before anything written on the second. Null otherwise; changed under this monitor.
     */
    volatile Channel fenced;
    /** Every established connection to the node; guarded by this. */
    final PeerConnections<Channel> connections = new PeerConnections<>();
    /** A dial is in flight or scheduled. */
    boolean dialing;
    long backoffMs;
    /** The node said GOODBYE and no connection has completed its handshake since: it is down. Guarded by this. */
    boolean left;
    /** What was last reported to the runtime, so up and down alternate. */
    boolean reportedUp;
    /** When a frame last arrived from the node ({@link System#nanoTime()}), for the {@link SilenceDetector}. */
    volatile long lastHeardNanos;
    /** Whether the node was reported silent and not heard from since; changed under this object's monitor. */
    volatile boolean silent;
    /**
     * When the event loop that reads the active connection last ran its check of it ({@link ConnectionHandler}'s
     * tick): one that has not run for several intervals shows that loop stalled or starved (a long {@code apply} on
     * it), the node's frames waiting unread, so the {@link SilenceDetector} does not judge the node meanwhile.
     */
    volatile long readerCheckedNanos;
    /** When that event loop last resumed listening after a stall of its own: silence before then does not count. */
    volatile long readerListeningSinceNanos;
    /** The node's caller connections to this one (accepted here). */
    final Set<Channel> callerConnections = ConcurrentHashMap.newKeySet();
    /** Calls that arrived on the node's caller connections, by call id: their replies go back the same way. */
    final ConcurrentHashMap<Long, Channel> callerChannels = new ConcurrentHashMap<>();
    /** Until when this node dials no caller connection to the node (it refused one, or could not be reached). */
    volatile long callerConnectionsRefusedUntilNanos = System.nanoTime();
    /**
     * How many times the node went down (its last connection closed). A caller connection dialed before the last
     * time is not used again: the node may have restarted since, and a call written to the old process's socket
     * would end with an unknown outcome instead of reaching the new one.
     */
    volatile long downs;

    PeerLink(final String node, final InetSocketAddress address)
    {
        this.node = node;
        this.address = address;
    }

    /** A connection to the node completed its handshake and was attached, at {@code nowNanos}. */
    void attached(final long nowNanos)
    {
        readerListeningSinceNanos = nowNanos;
        readerCheckedNanos = nowNanos;
        lastHeardNanos = nowNanos;
    }

    /**
     * The event loop that reads the active connection checked it.
     *
     * @param nowNanos       the current {@link System#nanoTime()}.
     * @param listeningSince when that loop last resumed listening after a stall ({@link ListeningWatch}).
     */
    void readerChecked(final long nowNanos, final long listeningSince)
    {
        // In this order: a check that sees the new time sees the listening that goes with it.
        readerListeningSinceNanos = listeningSince;
        readerCheckedNanos = nowNanos;
    }

    /**
     * Where to dial the node now. An address given by host name is looked up again (through the JVM's cache of names,
     * {@code networkaddress.cache.ttl}): a node replaced at another address under the same name (a new machine, a
     * rescheduled pod) is found there, as etcd and ZooKeeper find it, rather than dialled at the address the name led
     * to when this transport was configured until the node restarts. An address given as such is used as it is.
     *
     * @return the address to dial: the name's address now, else (a name that does not resolve now, or only ever
     *     named an address given with it) the address given; unresolved only if neither is known (the dial is
     *     retried).
     */
    InetSocketAddress dialAddress()
    {
        final InetSocketAddress now = new InetSocketAddress(address.getHostString(), address.getPort());
        return now.isUnresolved() && !address.isUnresolved() ? address : now;
    }

    /**
     * @return how many established connections to the node are open (tests).
     */
    synchronized int connectionCount()
    {
        return connections.size();
    }
}

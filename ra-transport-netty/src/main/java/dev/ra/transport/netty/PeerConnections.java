package dev.ra.transport.netty;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Predicate;

/**
 * The established connections to one other node and which of them carries this node's messages (the active one).
 *
 * <p>Usually there is one, and never more than one dialed by each side: a node dials only when it has no connection
 * to the other left, so when a new connection dialed by the same node completes, the older one has been abandoned by
 * its dialer (it restarted, or lost its end) and is closed at once. So is one to a run of the node that has ended,
 * whichever side dialed it, when a connection to its next run completes ({@link DuplicateRuns}).
 *
 * <p>When both nodes dial each other at once, two connections complete their handshakes, in either order on either
 * side, and each side may already have sent messages on the one it saw first. The rule, which both ends apply without
 * coordination and so agree on: the connection dialed by the node with the smaller id is preferred. It is the active
 * one; the other is a <em>standby</em>:
 *
 * <ul>
 *   <li>A standby is not closed when it is superseded: the peer may not have switched yet, and whatever it is still
 *       sending there must arrive. No message is sent on it from this side any more.
 *   <li>A standby is retired (closed) once no message has arrived on it for the quiet period since it was superseded.
 *       The peer switches as soon as it sees the preferred connection complete, which happens within one handshake
 *       round trip of this side seeing it, so a quiet period of the failure timeout means the peer has switched or is
 *       idle; waiting any longer would wait on a peer this node would declare dead anyway.
 *   <li>When the active connection closes while a standby is open, the standby takes over; but what was in flight on
 *       the closed one is lost, so the owner reports the node down and at once up again ({@link Removal#HANDED_OVER})
 *       and drops what was queued (the standby may reach a restarted run of the node), as it does when a connection
 *       dialed by the same node replaces an older one. The node stays down only when its last connection closes.
 * </ul>
 *
 * <p>Not thread safe: the owner ({@link PeerLink}) guards it with its monitor. Generic in the connection type so that
 * the rule is tested without sockets.
 *
 * @param <C> the connection type.
 */
final class PeerConnections<C>
{
    /** What closing a connection meant for the node. */
    enum Removal
    {
        /** It was not (or no longer) an established connection here. */
        UNKNOWN,
        /** It was a standby: nothing changes for the node. */
        STANDBY,
        /** It was the active one and the standby took over: the node is reachable, but what was in flight is lost. */
        HANDED_OVER,
        /** It was the last one: the node is down. */
        LAST
    }

    private static final class Established<C>
    {
        final C connection;
        final boolean dialedBySmallerId;
        /** When it stopped being the active one (or was added as a standby). */
        long standbySinceNanos;

        Established(final C connection, final boolean dialedBySmallerId)
        {
            this.connection = connection;
            this.dialedBySmallerId = dialedBySmallerId;
        }
    }

    /** At most two: one dialed by each side. */
    private final List<Established<C>> open = new ArrayList<>(2);
    private Established<C> active;

    /**
     * A connection completed its handshake: it becomes the active one unless the preferred one is open.
     *
     * @param connection        that completed it.
     * @param dialedBySmallerId whether the node with the smaller id dialed it.
     * @param nowNanos          the current {@link System#nanoTime()}.
     * @return the older connections dialed by the same node, which its dialer abandoned: forgotten here, to be closed
     *         by the caller now (usually none).
     */
    List<C> add(final C connection, final boolean dialedBySmallerId, final long nowNanos)
    {
        return add(connection, dialedBySmallerId, older -> false, nowNanos);
    }

    /**
     * A connection completed its handshake, as {@link #add(Object, boolean, long)}, and the connections for which
     * {@code gone} holds are closed too, whichever side dialed them (they reach a run of the node that has ended).
     *
     * @return the older connections dialed by the same node, and those {@code gone}: forgotten here, to be closed by
     *         the caller now.
     */
    List<C> add(final C connection, final boolean dialedBySmallerId, final Predicate<C> gone, final long nowNanos)
    {
        final List<C> abandoned = new ArrayList<>(0);
        for (final Iterator<Established<C>> i = open.iterator(); i.hasNext(); )
        {
            final Established<C> older = i.next();
            if (older.dialedBySmallerId == dialedBySmallerId || gone.test(older.connection))
            {
                i.remove();
                abandoned.add(older.connection);
                if (older == active)
                {
                    active = null;
                }
            }
        }
        final Established<C> added = new Established<>(connection, dialedBySmallerId);
        open.add(added);
        if (null == active)
        {
            active = added;
        }
        else if (dialedBySmallerId)
        {
            active.standbySinceNanos = nowNanos;
            active = added;
        }
        else
        {
            added.standbySinceNanos = nowNanos;
        }
        return abandoned;
    }

    /**
     * A connection closed.
     *
     * @param connection that closed.
     * @return what that means for the node.
     */
    Removal remove(final C connection)
    {
        final Established<C> removed = find(connection);
        if (null == removed)
        {
            return Removal.UNKNOWN;
        }
        open.remove(removed);
        if (removed != active)
        {
            return Removal.STANDBY;
        }
        active = open.isEmpty() ? null : open.get(0);
        return null == active ? Removal.LAST : Removal.HANDED_OVER;
    }

    /**
     * @param connection        a connection.
     * @param lastMessageNanos  when the last message arrived on it (its handshake, if none).
     * @param nowNanos          the current {@link System#nanoTime()}.
     * @param quietNanos        the quiet period.
     * @return whether it is a standby on which nothing has arrived for the quiet period since it was superseded.
     */
    boolean isRetirable(final C connection, final long lastMessageNanos, final long nowNanos, final long quietNanos)
    {
        final Established<C> standby = find(connection);
        if (null == standby || standby == active)
        {
            return false;
        }
        final long quietSince = standby.standbySinceNanos - lastMessageNanos > 0 ? standby.standbySinceNanos :
            lastMessageNanos;
        return nowNanos - quietSince >= quietNanos;
    }

    /**
     * @return the connection messages go through, or null if there is none.
     */
    C active()
    {
        return null == active ? null : active.connection;
    }

    /**
     * @return every established connection, the active one first.
     */
    List<C> all()
    {
        final List<C> all = new ArrayList<>(open.size());
        if (null != active)
        {
            all.add(active.connection);
        }
        for (final Established<C> e : open)
        {
            if (e != active)
            {
                all.add(e.connection);
            }
        }
        return all;
    }

    int size()
    {
        return open.size();
    }

    private Established<C> find(final C connection)
    {
        for (final Established<C> e : open)
        {
            if (e.connection == connection)
            {
                return e;
            }
        }
        return null;
    }
}

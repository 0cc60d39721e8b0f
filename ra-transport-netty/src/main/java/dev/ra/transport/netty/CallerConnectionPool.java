package dev.ra.transport.netty;

import dev.ra.protocol.NodeMessage;
import dev.ra.spi.CallerReceive;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The dialing side of caller connections ({@link NettyTransport#sendAndReceiveOnCaller}): each application thread's
 * own {@link CallerConnection} to each node, dialed on its first synchronous call there and reused by its later ones;
 * closed when the node has been down since, when idle too long to be trusted, and all at once when the transport
 * closes. Thread-safe: a thread only ever touches its own connections, and the reaper only closes idle ones.
 */
final class CallerConnectionPool
{
    /** Beyond this many open caller connections (one per calling thread and node), calls use the peer links. */
    private static final int MAX_CALLER_CONNECTIONS = 256;
    private static final MethodHandle IS_VIRTUAL = isVirtualHandle();

    private final NettyTransport transport;
    /** This thread's caller connections, by node. */
    private final ThreadLocal<Map<String, CallerConnection>> own = ThreadLocal.withInitial(HashMap::new);
    private final Set<CallerConnection> open = ConcurrentHashMap.newKeySet();

    /**
     * @param transport that dials and counts.
     */
    CallerConnectionPool(final NettyTransport transport)
    {
        this.transport = transport;
    }

    /**
     * Send the call over this thread's connection to the link's node (dialing it if needed) and read the answer.
     *
     * @param link          to the node; reachable over its peer link, with an address.
     * @param call          to send.
     * @param deadlineNanos of the call.
     * @return the outcome; {@link CallerReceive#NOT_SENT} if no connection could be had (then the call goes over the
     *     peer link).
     */
    CallerReceive call(final PeerLink link, final NodeMessage.ServerCall call, final long deadlineNanos)
    {
        final String node = link.node;
        final Map<String, CallerConnection> mine = own.get();
        CallerConnection connection = mine.get(node);
        if (null != connection && (connection.peerDowns != link.downs ||
            !connection.take(System.nanoTime(), maxIdleNanos())))
        {
            forget(mine, node, connection);
            connection = null;
        }
        if (null == connection)
        {
            connection = dial(link, deadlineNanos);
            if (null == connection)
            {
                return CallerReceive.NOT_SENT;
            }
            mine.put(node, connection);
            open.add(connection);
            transport.counters.callerConnectionsOpened.increment();
            if (transport.isClosed())
            {
                forget(mine, node, connection);
                return CallerReceive.NOT_SENT;
            }
        }
        final CallerReceive outcome = connection.call(call, deadlineNanos);
        if (outcome == CallerReceive.ANSWERED)
        {
            transport.counters.callsAnsweredOnCaller.increment();
        }
        if (connection.isBroken())
        {
            forget(mine, node, connection);
        }
        else
        {
            connection.release();
        }
        return outcome;
    }

    /**
     * @return a new connection, or null if there are too many, the thread is virtual, or the node cannot be dialed
     *     (then calls to it go over the peer link for a while).
     */
    private CallerConnection dial(final PeerLink link, final long deadlineNanos)
    {
        if (open.size() >= MAX_CALLER_CONNECTIONS || isVirtual(Thread.currentThread()))
        {
            return null;
        }
        final long downs = link.downs;
        try
        {
            final CallerConnection connection = CallerConnection.open(transport, link, deadlineNanos);
            connection.peerDowns = downs;
            return connection;
        }
        catch (final IOException ex)
        {
            link.callerConnectionsRefusedUntilNanos = System.nanoTime() +
                transport.config.reconnectBackoffMax.toNanos();
            transport.warnings.warn("{}: no caller connection to {}, sending calls the usual way for now: {}",
                transport.localNode(), link.node, ex.toString());
            return null;
        }
    }

    /**
     * The node closes a caller connection that carried nothing for the failure timeout; its dialer stops using it
     * after half of that, so it never writes into one being closed.
     */
    private long maxIdleNanos()
    {
        return transport.config.failureTimeout.toNanos() / 2;
    }

    /**
     * Close caller connections idle too long to be used again, above all those of threads that have ended.
     */
    void reapIdle()
    {
        final long now = System.nanoTime();
        open.removeIf(connection -> connection.reapIfIdle(now, maxIdleNanos()));
    }

    /**
     * @return caller connections open now.
     */
    int openCount()
    {
        return open.size();
    }

    /**
     * Close every connection (the transport closes).
     */
    void closeAll()
    {
        for (final CallerConnection connection : open)
        {
            connection.close();
        }
        open.clear();
    }

    private void forget(final Map<String, CallerConnection> mine, final String node,
        final CallerConnection connection)
    {
        mine.remove(node, connection);
        open.remove(connection);
        connection.close();
    }

    /**
     * A virtual thread (Java 21+) usually makes one call and ends, so a connection of its own would cost a dial per
     * call; it uses the peer link. Looked up reflectively: the module is built for Java 17.
     */
    private static boolean isVirtual(final Thread thread)
    {
        if (null == IS_VIRTUAL)
        {
            return false;
        }
        try
        {
            return (boolean)IS_VIRTUAL.invokeExact(thread);
        }
        catch (final Throwable ex)
        {
            return false;
        }
    }

    private static MethodHandle isVirtualHandle()
    {
        try
        {
            return MethodHandles.publicLookup().findVirtual(Thread.class, "isVirtual",
                MethodType.methodType(boolean.class));
        }
        catch (final NoSuchMethodException | IllegalAccessException ex)
        {
            return null;
        }
    }
}

package dev.ra.transport.netty;

import io.netty.channel.Channel;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Two running processes claiming one node id (a settings file copied to another host, a node started again elsewhere
 * while its old process still runs), told apart by their runs: each transport draws a run id at random when it is
 * made and sends it in its handshake (protocol version 9, {@link Handshake}). Without this, a peer took the second
 * process's connection as the node's: it replaced the first one's (down and up again at each of the two processes'
 * redials, failing the calls in flight), its messages were handed to the runtime as the node's (a member heard two
 * logs under one id, and two processes could vote as one member), and messages meant for the node went to it.
 *
 * <p>The rule, applied by each peer to each handshake: a run other than that of a connection to the node that is
 * open and was heard from recently ({@link #aliveNanos}) is refused, with an error that names the node id and both
 * processes' addresses; the first process and its connections are left alone. A run other than that of a connection
 * that has gone silent is a restart of the node (its old process died, and the connection to it lingers half-open
 * until the failure timeout): it is accepted, and the old run's connections are closed at once instead of being sent
 * on until they time out. A node that sends no run (version 8 or older) is checked by id alone, as before.
 *
 * <p>Which of the two processes keeps the id is the one that was connected first; the refusal is logged on each peer
 * and on the refused process as an error, once per pair of runs and then at most once a minute.
 */
final class DuplicateRuns
{
    /** Starts the reason a refused process reads, so that it logs it as an error too. */
    static final String PREFIX = "another process runs node ";
    private static final Logger LOG = LoggerFactory.getLogger(DuplicateRuns.class);
    private static final long RELOG_NANOS = TimeUnit.MINUTES.toNanos(1);

    /** The last refusal logged for this peer (its pair of runs), when, and how many were not logged since. */
    private String lastLogged;
    private long lastLoggedNanos;
    private long notLogged;
    /** The last refusal, logged or not, and when: shown in {@link PeerStats#duplicateRefusal} for a minute. */
    private String lastRefusal;
    private long lastRefusalNanos;

    /** @return a new run id: random, so that no two processes draw the same one. */
    static String newRun()
    {
        final UUID id = UUID.randomUUID();
        return Long.toHexString(id.getMostSignificantBits() ^ id.getLeastSignificantBits());
    }

    /**
     * How recently a connection must have been heard from for its run to count as running: a live node writes at
     * least a heartbeat every interval of its own (two apart at most, when a message came just after one), so four
     * intervals unheard means its process is gone (or stopped), and a run that claims the node now is its restart.
     * The interval is the longer of this node's and the one the peer's handshake said: nodes may be set apart, and
     * one that heartbeats less often than this one is not gone between two heartbeats. At most the failure timeout,
     * after which the connection is closed anyway.
     *
     * @param config         of this transport.
     * @param peerHeartbeatNanos how often the peer said it heartbeats the connection; 0 if it did not say.
     */
    static long aliveNanos(final NettyTransportConfig config, final long peerHeartbeatNanos)
    {
        final long interval = Math.max(config.heartbeatInterval.toNanos(), peerHeartbeatNanos);
        return Math.min(config.failureTimeout.toNanos(), 4 * interval);
    }

    /**
     * Under the link's monitor.
     *
     * @param localNode this node.
     * @param link      the node the handshake claims to be.
     * @param claim     the handshake (HELLO or WELCOME).
     * @param channel   it arrived on.
     * @param nowNanos  the current {@link System#nanoTime()}.
     * @param config    of this transport ({@link #aliveNanos}).
     * @return why the handshake must be refused (another run of the node is connected, over a peer link or a caller
     *         connection, and heard from), or null.
     */
    static String conflict(final String localNode, final PeerLink link, final Handshake claim, final Channel channel,
        final long nowNanos, final NettyTransportConfig config)
    {
        if (null == claim.run())
        {
            return null;
        }
        final String peerLinkConflict = conflict(localNode, link, claim, channel, nowNanos, config,
            link.connections.all());
        // The node's caller connections too: its threads call on them as soon as this node is back (restarted) while
        // its peer link waits for its next redial, and a second process must not get the peer link meanwhile. They
        // carry no heartbeats, so only one that carried something within the window counts as running.
        return null != peerLinkConflict ? peerLinkConflict :
            conflict(localNode, link, claim, channel, nowNanos, config, link.callerConnections);
    }

    private static String conflict(final String localNode, final PeerLink link, final Handshake claim,
        final Channel channel, final long nowNanos, final NettyTransportConfig config,
        final Iterable<Channel> connections)
    {
        for (final Channel open : connections)
        {
            final ConnectionHandler running = open.pipeline().get(ConnectionHandler.class);
            if (open == channel || null == running || null == running.peerRun() ||
                running.peerRun().equals(claim.run()))
            {
                continue;
            }
            final long unheard = nowNanos - running.lastReadNanos();
            final long alive = aliveNanos(config, running.peerHeartbeatNanos());
            if (unheard < alive)
            {
                return PREFIX + link.node + " (run " + running.peerRun() + ", listening on " +
                    listensOn(running.peerListensOn()) + ", connected to " + localNode + " from " +
                    open.remoteAddress() + ", heard " + TimeUnit.NANOSECONDS.toMillis(Math.max(0, unheard)) +
                    " ms ago): refused the process at " + channel.remoteAddress() + " (run " + claim.run() +
                    ", listening on " + listensOn(claim.listensOn()) + ") that claims the same node id. Two " +
                    "processes must not share a node id: stop one of them, or give it an id of its own (a restarted " +
                    "node is accepted once its old process's connection has been silent for " +
                    TimeUnit.NANOSECONDS.toMillis(alive) + " ms)";
            }
        }
        return null;
    }

    /**
     * @param connection an open connection to a node.
     * @param run        the run of the node's connection that just completed its handshake (null: not known).
     * @return whether {@code connection} is to another run of the node, which is then gone (else
     *         {@link #conflict} refused the new one).
     */
    static boolean ofAnotherRun(final Channel connection, final String run)
    {
        final ConnectionHandler handler = connection.pipeline().get(ConnectionHandler.class);
        return null != run && null != handler && null != handler.peerRun() && !run.equals(handler.peerRun());
    }

    private static String listensOn(final String address)
    {
        return null == address || address.isEmpty() ? "no address (a client)" : address;
    }

    /**
     * Log a refusal as an error: at once if it names another pair of runs than the last one, else at most once a
     * minute (a refused process redials every few seconds for as long as it runs).
     *
     * @param localNode this node.
     * @param why       the refusal.
     * @param key       what tells one refusal from a repeat of it (the runs involved).
     */
    synchronized void log(final String localNode, final String why, final String key)
    {
        final long now = System.nanoTime();
        lastRefusal = why;
        lastRefusalNanos = now;
        if (key.equals(lastLogged) && now - lastLoggedNanos < RELOG_NANOS)
        {
            notLogged++;
            LOG.debug("{}: {}", localNode, why);
            return;
        }
        final String repeats = notLogged > 0 ? " (refused " + notLogged + " more times since last logged)" : "";
        LOG.error("{}: {}{}", localNode, why, repeats);
        lastLogged = key;
        lastLoggedNanos = now;
        notLogged = 0;
    }

    /** @return the last refusal if it happened within the last minute (the other process may still retry), or null. */
    synchronized String recentRefusal()
    {
        return null != lastRefusal && System.nanoTime() - lastRefusalNanos < RELOG_NANOS ? lastRefusal : null;
    }
}

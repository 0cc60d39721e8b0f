package dev.ra.runtime;

import dev.ra.ServerId;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The servers this node saw deleted (with their cluster, or alone by {@code forceDeleteServer} or a committed
 * removal), with how, so that a call to one fails at once naming the deletion instead of waiting out its timeout
 * against members that no longer exist, and so that the node can tell a calling node the same. Starting or
 * registering a cluster with such a member again clears its record.
 *
 * <p>Bounded: a node that creates and deletes clusters for years must not keep every id it ever deleted. Past
 * {@link #CAPACITY} the oldest records go, and a call to such a server fails as for any server that does not run.
 * Thread-safe.
 */
final class DeletedServers
{
    /** How many deletions are remembered. */
    static final int CAPACITY = 16_384;

    private final Map<ServerId, String> reasons = new LinkedHashMap<>(64, 0.75f, false)
    {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(final Map.Entry<ServerId, String> eldest)
        {
            return size() > CAPACITY;
        }
    };

    synchronized void record(final ServerId server, final String reason)
    {
        reasons.remove(server);
        reasons.put(server, reason);
    }

    synchronized void clear(final Iterable<ServerId> servers)
    {
        for (final ServerId server : servers)
        {
            reasons.remove(server);
        }
    }

    /**
     * @return how many deletions are remembered.
     */
    synchronized int size()
    {
        return reasons.size();
    }

    /**
     * @return how the server was deleted, or null if this node does not know it was.
     */
    synchronized String reason(final ServerId server)
    {
        return reasons.get(server);
    }
}

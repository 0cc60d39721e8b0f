package dev.ra.runtime;

import dev.ra.ClusterUnavailableException;
import dev.ra.ServerId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The members of clusters whose start failed on this node, with the reason, so that a call to such a cluster fails at
 * once with that reason instead of waiting out its timeout against members that do not exist. Starting or registering
 * the cluster again clears the record. Bounded: past {@link #CAPACITY} the oldest records go (a call to such a cluster
 * then fails as for any cluster this node does not know, without the reason). Thread-safe.
 */
final class FailedStarts
{
    /** How many members' failed starts are remembered: as {@link DeletedServers}, a node must not keep them all. */
    static final int CAPACITY = DeletedServers.CAPACITY;

    private final Map<ServerId, String> reasons = new LinkedHashMap<>(64, 0.75f, false)
    {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(final Map.Entry<ServerId, String> eldest)
        {
            return size() > CAPACITY;
        }
    };

    synchronized void record(final List<ServerId> members, final String reason)
    {
        for (final ServerId member : members)
        {
            reasons.remove(member);
            reasons.put(member, reason);
        }
    }

    synchronized void clear(final List<ServerId> members)
    {
        for (final ServerId member : members)
        {
            reasons.remove(member);
        }
    }

    /**
     * @return how many members' failed starts are remembered.
     */
    synchronized int size()
    {
        return reasons.size();
    }

    /**
     * @param server addressed by a call.
     * @throws ClusterUnavailableException if the start of the server's cluster failed here.
     */
    void check(final ServerId server)
    {
        final String reason;
        synchronized (this)
        {
            reason = reasons.get(server);
        }
        if (null != reason)
        {
            throw new ClusterUnavailableException("the cluster of " + server + " is not running: its start failed (" +
                reason + "); start it again");
        }
    }
}

package dev.ra.runtime;

import dev.ra.ClusterUnavailableException;
import dev.ra.ServerId;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The members of clusters whose start failed on this node, with the reason, so that a call to such a cluster fails at
 * once with that reason instead of waiting out its timeout against members that do not exist. Starting or registering
 * the cluster again clears the record. Thread-safe.
 */
final class FailedStarts
{
    private final Map<ServerId, String> reasons = new ConcurrentHashMap<>();

    void record(final List<ServerId> members, final String reason)
    {
        for (final ServerId member : members)
        {
            reasons.put(member, reason);
        }
    }

    void clear(final List<ServerId> members)
    {
        for (final ServerId member : members)
        {
            reasons.remove(member);
        }
    }

    /**
     * @param server addressed by a call.
     * @throws ClusterUnavailableException if the start of the server's cluster failed here.
     */
    void check(final ServerId server)
    {
        final String reason = reasons.get(server);
        if (null != reason)
        {
            throw new ClusterUnavailableException("the cluster of " + server + " is not running: its start failed (" +
                reason + "); start it again");
        }
    }
}

package dev.ra.runtime;

import dev.ra.ClusterStartFailedException;
import dev.ra.ServerId;
import java.util.List;

/**
 * The members of clusters whose start failed on this node, with the reason, so that a call to such a cluster fails at
 * once with that reason instead of waiting out its timeout against members that do not exist. Starting or registering
 * the cluster again clears the record. Bounded: past {@link #CAPACITY} the oldest records go (a call to such a cluster
 * then fails as for any cluster this node does not know, without the reason). Thread-safe.
 */
final class FailedStarts extends ServerReasons
{
    void record(final List<ServerId> members, final String reason)
    {
        for (final ServerId member : members)
        {
            record(member, reason);
        }
    }

    /**
     * @param server addressed by a call.
     * @throws ClusterStartFailedException if the start of the server's cluster failed here.
     */
    void check(final ServerId server)
    {
        final String reason = reason(server);
        if (null != reason)
        {
            throw new ClusterStartFailedException(server, "the cluster of " + server +
                " is not running: its start failed (" + reason + "); start it again");
        }
    }
}

package dev.ra.runtime;

import dev.ra.ServerId;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Why servers are known not to run, by server, so that a call to one fails at once with the reason, or an operator
 * sees it: what {@link FailedStarts}, {@link FailedRestarts} and {@link DeletedServers} keep. Bounded: a node that
 * creates clusters for years must not keep every id it ever saw fail or go; past {@link #CAPACITY} the oldest records
 * go. Thread-safe.
 */
abstract class ServerReasons
{
    /** How many servers' reasons are remembered. */
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

    /**
     * Remember why the server does not run, as the newest record.
     */
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
     * @param listed which of the remembered servers to return.
     * @return those servers with their reasons, oldest record first.
     */
    synchronized Map<ServerId, String> reasons(final Predicate<ServerId> listed)
    {
        final Map<ServerId, String> copy = new LinkedHashMap<>();
        reasons.forEach((server, reason) ->
        {
            if (listed.test(server))
            {
                copy.put(server, reason);
            }
        });
        return copy;
    }

    /**
     * @return how many servers' reasons are remembered.
     */
    synchronized int size()
    {
        return reasons.size();
    }

    /**
     * @return why the server does not run, or null if this node does not know.
     */
    synchronized String reason(final ServerId server)
    {
        return reasons.get(server);
    }
}

package dev.ra.admin;

import dev.ra.OverviewPoller;
import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.ServerOverview;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Takes the overviews of the servers running on a node without letting busy or stuck servers hold up the endpoint or
 * each other ({@link OverviewPoller}): those not given within the wait are reported as unavailable, with why. Used by
 * the status thread only.
 */
final class LocalOverviews
{
    private final OverviewPoller poller;

    /**
     * What was seen.
     *
     * @param overviews of the servers that gave one.
     * @param failures  why each of the others gave none.
     */
    record Taken(List<ServerOverview> overviews, Map<ServerId, String> failures)
    {
    }

    LocalOverviews(final RaSystem system, final Duration wait)
    {
        this.poller = new OverviewPoller(system, wait);
    }

    /**
     * @return the overview of every server running on the node, or why there is none.
     */
    Taken take()
    {
        final OverviewPoller.Poll poll = poller.poll();
        final List<ServerOverview> overviews = new ArrayList<>(poll.answered().values());
        final Map<ServerId, String> failures = new LinkedHashMap<>();
        for (final ServerId server : poll.servers())
        {
            final Throwable failure = poll.failed().get(server);
            if (null != failure)
            {
                failures.put(server, failure.getClass().getSimpleName() + ": " + failure.getMessage());
            }
            else if (poll.unanswered(server))
            {
                failures.put(server, "no overview within " + poller.waitBound().toMillis() +
                    " ms: the server is busy or stuck");
            }
        }
        return new Taken(overviews, failures);
    }
}

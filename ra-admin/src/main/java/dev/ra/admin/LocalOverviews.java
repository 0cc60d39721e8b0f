package dev.ra.admin;

import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.ServerOverview;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Takes the overviews of the servers running on a node without letting busy or stuck servers hold up the endpoint or
 * each other: each overview is asked without blocking a thread ({@link RaSystem#overviewAsync}), and those not given
 * within {@link #wait} are reported as unavailable. (Asked on a small pool with {@link RaSystem#overview}, which
 * blocks up to the system's default timeout, two stuck servers held every thread and the others' overviews queued
 * behind them.) A server's overview still awaited is not asked again, so a stuck server costs one pending question,
 * not one per status. Used by the status thread only.
 */
final class LocalOverviews implements AutoCloseable
{
    private final RaSystem system;
    private final Duration wait;
    private final Map<ServerId, CompletableFuture<ServerOverview>> asked = new HashMap<>();

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
        this.system = system;
        this.wait = wait;
    }

    /**
     * @return the overview of every server running on the node, or why there is none.
     */
    Taken take()
    {
        final List<ServerId> running = system.runningServers();
        asked.keySet().retainAll(new HashSet<>(running)); // a list would make it quadratic in the servers
        final Set<ServerId> stillStuck = new HashSet<>();
        for (final ServerId server : running)
        {
            final CompletableFuture<ServerOverview> previous = asked.get(server);
            if (null == previous || previous.isDone())
            {
                asked.put(server, ask(server));
            }
            else
            {
                stillStuck.add(server);
            }
        }
        final long deadline = System.nanoTime() + wait.toNanos();
        final List<ServerOverview> overviews = new ArrayList<>();
        final Map<ServerId, String> failures = new LinkedHashMap<>();
        for (final ServerId server : running)
        {
            try
            {
                // A question a status before this one asked, and waited for, is not waited for again: every status
                // would take the wait for as long as the server is stuck, on the endpoint's one status thread.
                final long left = stillStuck.contains(server) ? 0 : Math.max(0, deadline - System.nanoTime());
                overviews.add(asked.get(server).get(left, TimeUnit.NANOSECONDS));
            }
            catch (final TimeoutException ex)
            {
                failures.put(server, "no overview within " + wait.toMillis() + " ms: the server is busy or stuck");
            }
            catch (final ExecutionException ex)
            {
                final Throwable cause = null == ex.getCause() ? ex : ex.getCause();
                failures.put(server, cause.getClass().getSimpleName() + ": " + cause.getMessage());
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                failures.put(server, "interrupted");
            }
        }
        return new Taken(overviews, failures);
    }

    private CompletableFuture<ServerOverview> ask(final ServerId server)
    {
        try
        {
            return system.overviewAsync(server);
        }
        catch (final RuntimeException ex)
        {
            // Stopped since it was listed, or the system is closing: reported as why it gave none.
            return CompletableFuture.failedFuture(ex);
        }
    }

    @Override
    public void close()
    {
        // Nothing to release: no thread waits for an overview, and what is still awaited is dropped with this object.
    }
}

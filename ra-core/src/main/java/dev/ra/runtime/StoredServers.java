package dev.ra.runtime;

import dev.ra.ServerId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Restarts every server a node finds in its storage when it starts, as Ra restarts a system's servers: an application
 * built on an existing data directory serves again without restarting each server itself. A server that cannot be
 * restarted (its machine is not registered here, its data is damaged) is logged and left stopped, and is listed by
 * {@link RaRuntime#failedRestarts()} until it runs or is deleted; the others start.
 */
public final class StoredServers
{
    private static final Logger LOG = LoggerFactory.getLogger(StoredServers.class);

    private StoredServers()
    {
    }

    /**
     * Restart the stored servers of the runtime's node and wait until they run.
     *
     * @param runtime started.
     * @param timeout for all of them together.
     * @return the servers that were restarted.
     */
    public static List<ServerId> restartAll(final RaRuntime runtime, final Duration timeout)
    {
        final List<ServerId> stored = new ArrayList<>();
        for (final ServerId id : runtime.storage().servers())
        {
            if (runtime.isLocal(id))
            {
                stored.add(id);
            }
        }
        final List<CompletableFuture<Void>> starts = new ArrayList<>(stored.size());
        for (final ServerId id : stored)
        {
            CompletableFuture<Void> start;
            try
            {
                start = runtime.restartLocalServer(id);
            }
            catch (final RuntimeException ex)
            {
                start = CompletableFuture.failedFuture(ex);
            }
            // Logged when it fails, even after the wait below gave up on it: a start still under way then was only
            // said to be starting.
            starts.add(start.whenComplete((v, failure) ->
            {
                if (null != failure)
                {
                    LOG.error("{}: could not restart the stored server {}; it stays stopped", runtime.nodeId(), id,
                        ServerRegistry.startFailure(failure));
                }
            }));
        }
        final RuntimeClock clock = runtime.config().clock();
        final long deadline = clock.nanoTime() + Durations.nanos(timeout);
        final List<ServerId> restarted = new ArrayList<>(stored.size());
        for (int i = 0; i < stored.size(); i++)
        {
            try
            {
                starts.get(i).get(Math.max(0, deadline - clock.nanoTime()), TimeUnit.NANOSECONDS);
                restarted.add(stored.get(i));
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                break;
            }
            catch (final ExecutionException ex)
            {
                // Logged as it failed, above.
            }
            catch (final TimeoutException ex)
            {
                LOG.warn("{}: the stored server {} did not start within {}; still starting", runtime.nodeId(),
                    stored.get(i), timeout);
            }
        }
        return restarted;
    }
}

package dev.ra;

import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Takes the overviews of the servers running on a node, again and again, for a monitor (a metrics exporter, a status
 * endpoint), without letting busy or stuck servers hold it up or each other: each server is asked without blocking a
 * thread ({@link RaSystem#overviewAsync}) and what is not answered within the wait is reported as unanswered. A
 * server whose question is still unanswered is not asked again (a question already waits in its mailbox) and not
 * waited for again, so a server busy for a minute costs one pending question and one wait, not one per poll.
 *
 * <p>Not thread-safe: one poller per polling thread.
 */
public final class OverviewPoller
{
    private final RaSystem system;
    private final Duration wait;
    private final Map<ServerId, CompletableFuture<ServerOverview>> pending = new HashMap<>();

    /**
     * What one poll saw.
     *
     * @param servers  the servers running on the node when it began, in {@link RaSystem#runningServers} order.
     * @param answered the overview of each server that gave one in time.
     * @param failed   why each server that cannot give one failed (stopped since it was listed, the system closing).
     *                 A server in neither map is busy or stuck: it did not answer within the wait (or the polling
     *                 thread was interrupted; its interrupt is kept).
     */
    public record Poll(List<ServerId> servers, Map<ServerId, ServerOverview> answered, Map<ServerId, Throwable> failed)
    {
        /**
         * @param servers  running when the poll began.
         * @param answered overviews given in time.
         * @param failed   why the others failed.
         */
        public Poll
        {
            servers = List.copyOf(servers);
            answered = Collections.unmodifiableMap(new LinkedHashMap<>(answered));
            failed = Collections.unmodifiableMap(new LinkedHashMap<>(failed));
        }

        /**
         * @param server one of {@link #servers}.
         * @return whether it neither answered nor failed within the wait.
         */
        public boolean unanswered(final ServerId server)
        {
            return !answered.containsKey(server) && !failed.containsKey(server);
        }
    }

    /**
     * @param system whose servers to poll.
     * @param wait   how long one poll waits for the answers, at most (positive).
     */
    public OverviewPoller(final RaSystem system, final Duration wait)
    {
        this.system = Objects.requireNonNull(system, "system");
        this.wait = Objects.requireNonNull(wait, "wait");
        if (wait.isNegative() || wait.isZero())
        {
            throw new IllegalArgumentException("the wait for overviews must be positive, got " + wait);
        }
    }

    /**
     * @return the wait one poll takes at most.
     */
    public Duration waitBound()
    {
        return wait;
    }

    /**
     * Ask every running server for its overview and wait up to the wait for the answers.
     *
     * @return what was seen.
     */
    public Poll poll()
    {
        final List<ServerId> running = system.runningServers();
        pending.keySet().retainAll(new HashSet<>(running)); // a list would make it quadratic in the servers
        final Set<ServerId> stillBusy = new HashSet<>();
        for (final ServerId server : running)
        {
            final CompletableFuture<ServerOverview> previous = pending.get(server);
            if (null == previous || previous.isDone())
            {
                pending.put(server, ask(server));
            }
            else
            {
                stillBusy.add(server);
            }
        }
        final long deadline = System.nanoTime() + wait.toNanos();
        final Map<ServerId, ServerOverview> answered = new LinkedHashMap<>();
        final Map<ServerId, Throwable> failed = new LinkedHashMap<>();
        boolean interrupted = false;
        for (final ServerId server : running)
        {
            // Waited for once, by the poll that asked: waited for again by every poll, a server busy for long made
            // every poll take the whole wait (and the answer a wait ends with is already stale).
            final long left = stillBusy.contains(server) || interrupted ? 0 :
                Math.max(0, deadline - System.nanoTime());
            try
            {
                answered.put(server, pending.get(server).get(left, TimeUnit.NANOSECONDS));
            }
            catch (final TimeoutException ex)
            {
                // Unanswered: busy or stuck.
            }
            catch (final ExecutionException ex)
            {
                failed.put(server, null == ex.getCause() ? ex : ex.getCause());
            }
            catch (final InterruptedException ex)
            {
                // Told to stop: what is not answered yet stays unanswered, and the interrupt is given back.
                interrupted = true;
            }
        }
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
        return new Poll(running, answered, failed);
    }

    private CompletableFuture<ServerOverview> ask(final ServerId server)
    {
        try
        {
            return system.overviewAsync(server);
        }
        catch (final RuntimeException ex)
        {
            // Stopped since it was listed, or the system is closing (its servers are listed until they have
            // stopped): a failure of this server's, rather than of the whole poll.
            return CompletableFuture.failedFuture(ex);
        }
    }
}

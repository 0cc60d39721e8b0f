package dev.ra.runtime;

import dev.ra.ClusterUnavailableException;
import dev.ra.spi.Transport;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Waits, up to a deadline, for another node to become reachable: a system built a moment ago has not connected to its
 * peers yet, and starting a server there must wait for the connection rather than fail at once.
 */
final class NodeReachability
{
    /** How often reachability is checked while waiting; a check is one map look-up in the transport. */
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final String localNode;
    private final Transport transport;
    private final ScheduledExecutorService scheduler;
    private final RuntimeClock clock;

    NodeReachability(final String localNode, final Transport transport, final ScheduledExecutorService scheduler,
        final RuntimeClock clock)
    {
        this.clock = clock;
        this.localNode = localNode;
        this.transport = transport;
        this.scheduler = scheduler;
    }

    /**
     * @param node    to wait for.
     * @param timeout of the wait.
     * @return completes once the node is reachable, or fails with {@link ClusterUnavailableException} naming the
     *         node once the timeout has passed.
     */
    CompletableFuture<Void> await(final String node, final Duration timeout)
    {
        final CompletableFuture<Void> reachable = new CompletableFuture<>();
        poll(node, clock.nanoTime() + timeout.toNanos(), timeout, reachable);
        return reachable;
    }

    private void poll(final String node, final long deadlineNanos, final Duration timeout,
        final CompletableFuture<Void> reachable)
    {
        if (transport.isReachable(node))
        {
            reachable.complete(null);
            return;
        }
        final long remaining = deadlineNanos - clock.nanoTime();
        if (remaining <= 0)
        {
            reachable.completeExceptionally(new ClusterUnavailableException("node " + node +
                " is not reachable from " + localNode + " (waited " + timeout + "); is it running, and is its " +
                "address in this node's transport settings?"));
            return;
        }
        try
        {
            scheduler.schedule(() -> poll(node, deadlineNanos, timeout, reachable), Math.min(POLL_NANOS, remaining),
                TimeUnit.NANOSECONDS);
        }
        catch (final RejectedExecutionException ex)
        {
            reachable.completeExceptionally(new ClusterUnavailableException("node " + localNode + " is closed"));
        }
    }
}

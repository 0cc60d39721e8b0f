package dev.ra.runtime;

import dev.ra.ClusterUnavailableException;
import dev.ra.spi.Transport;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Waits for another node to become reachable: a system built a moment ago has not connected to its peers yet, and
 * starting a server there must wait for the connection rather than fail at once. The wait has no deadline of its
 * own: it ends with the future of the start that waits ({@link RemoteStart}), whose deadline and closing end it.
 */
final class NodeReachability
{
    /** How often reachability is checked while waiting; a check is one map look-up in the transport. */
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final String localNode;
    private final Transport transport;
    private final ScheduledExecutorService scheduler;

    NodeReachability(final String localNode, final Transport transport, final ScheduledExecutorService scheduler)
    {
        this.localNode = localNode;
        this.transport = transport;
        this.scheduler = scheduler;
    }

    /**
     * @param node  to wait for.
     * @param until the wait stops, unanswered, once this completes.
     * @return completes once the node is reachable, or fails with {@link ClusterUnavailableException} if this node
     *         closes first.
     */
    CompletableFuture<Void> await(final String node, final CompletableFuture<?> until)
    {
        final CompletableFuture<Void> reachable = new CompletableFuture<>();
        poll(node, until, reachable);
        return reachable;
    }

    private void poll(final String node, final CompletableFuture<?> until, final CompletableFuture<Void> reachable)
    {
        if (until.isDone())
        {
            return;
        }
        if (transport.isReachable(node))
        {
            reachable.complete(null);
            return;
        }
        try
        {
            scheduler.schedule(() -> poll(node, until, reachable), POLL_NANOS, TimeUnit.NANOSECONDS);
        }
        catch (final RejectedExecutionException ex)
        {
            reachable.completeExceptionally(new ClusterUnavailableException("node " + localNode + " is closed"));
        }
    }
}

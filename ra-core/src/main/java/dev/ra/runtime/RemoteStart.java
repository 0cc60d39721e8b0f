package dev.ra.runtime;

import dev.ra.ClusterUnavailableException;
import dev.ra.RaException;
import dev.ra.RaTimeoutException;
import dev.ra.ServerId;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * The start of a server on another node, as a call with a deadline ({@link CallTimeouts}): it first waits for the
 * node to become reachable ({@link NodeReachability}), then for the node's answer. Registered with the node's call
 * timeouts for the whole start, so that the deadline ends whichever wait is under way, and closing the node fails it
 * at once like any other pending call: a start whose node never connected would otherwise be left pending for ever
 * (its next reachability check discarded with the node's scheduler).
 */
final class RemoteStart implements CallTimeouts.TimedCall
{
    /** Completes once the server runs, or fails naming why not. */
    final CompletableFuture<Void> result = new CompletableFuture<>();
    private final String localNode;
    private final ServerId server;
    private final Duration timeout;
    private final long deadlineNanos;
    /** Set once the start was sent: a deadline passing before means the node never became reachable. */
    private volatile boolean sent;

    /**
     * @param localNode     this node.
     * @param server        to start.
     * @param timeout       of the whole start.
     * @param deadlineNanos when it ends, on the clock of the call timeouts.
     */
    RemoteStart(final String localNode, final ServerId server, final Duration timeout, final long deadlineNanos)
    {
        this.localNode = localNode;
        this.server = server;
        this.timeout = timeout;
        this.deadlineNanos = deadlineNanos;
    }

    /**
     * The node is reachable and the start is about to be sent to it.
     */
    void sending()
    {
        sent = true;
    }

    @Override
    public long deadlineNanos()
    {
        return deadlineNanos;
    }

    @Override
    public void timeout()
    {
        result.completeExceptionally(sent ?
            new RaTimeoutException("starting " + server + " timed out: node " + server.node() + " did not answer " +
                "within " + timeout) :
            new ClusterUnavailableException("node " + server.node() + " is not reachable from " + localNode +
                " (waited " + timeout + "); is it running, and is its address in this node's transport settings?"));
    }

    @Override
    public void systemClosed()
    {
        result.completeExceptionally(new RaException("RaSystem " + localNode + " closed before " + server +
            " started on its node"));
    }
}

package dev.ra.examples.tree.recipes;

import dev.ra.examples.tree.TreeClient;
import dev.ra.examples.tree.TreeOp;
import dev.ra.examples.tree.TreePaths;
import dev.ra.examples.tree.TreeReply;
import java.time.Duration;
import java.util.Objects;

/**
 * A barrier, as Curator's {@code DistributedBarrier}: while its node exists, {@link #waitOnBarrier} blocks; removing
 * the node lets every waiter through. The node is persistent: the barrier stays up until someone removes it, whatever
 * happens to the process that set it. Thread-safe.
 */
public final class DistributedBarrier
{
    private final TreeClient client;
    private final String barrierPath;

    /**
     * @param client      to reach the tree.
     * @param barrierPath the barrier's node.
     */
    public DistributedBarrier(final TreeClient client, final String barrierPath)
    {
        this.client = Objects.requireNonNull(client, "client");
        this.barrierPath = Objects.requireNonNull(barrierPath, "barrierPath");
    }

    /**
     * Raise the barrier (creating its parents if needed); raising a raised barrier changes nothing.
     */
    public void setBarrier()
    {
        if (!TreePaths.ROOT.equals(TreePaths.parent(barrierPath)))
        {
            client.ensurePath(TreePaths.parent(barrierPath));
        }
        client.ensurePath(barrierPath);
    }

    /**
     * Lower the barrier: every waiter goes through. Lowering a lowered barrier changes nothing.
     */
    public void removeBarrier()
    {
        final TreeReply reply = client.delete(barrierPath, TreeOp.ANY_VERSION);
        if (!reply.ok() && !(reply instanceof TreeReply.NoNode))
        {
            throw new IllegalStateException("cannot remove barrier '" + barrierPath + "': " + reply);
        }
    }

    /**
     * Wait until the barrier is down.
     *
     * @param timeout to wait.
     * @return true if the barrier is down, false if the time ran out.
     * @throws InterruptedException if interrupted.
     */
    public boolean waitOnBarrier(final Duration timeout) throws InterruptedException
    {
        final long deadline = Signal.deadline(timeout);
        final Signal signal = new Signal();
        final PendingWatch watch = new PendingWatch(signal::fire);
        while (true)
        {
            // No watch on a barrier found down (one on its creation would stay until the barrier is set again).
            if (!watch.present(client, barrierPath, false))
            {
                return true;
            }
            if (System.nanoTime() - deadline >= 0)
            {
                return false;
            }
            signal.await(deadline);
        }
    }
}

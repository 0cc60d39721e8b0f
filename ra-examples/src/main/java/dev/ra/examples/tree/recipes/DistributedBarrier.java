package dev.ra.examples.tree.recipes;

import dev.ra.InvalidCommandException;
import dev.ra.RaException;
import dev.ra.RaTimeoutException;
import dev.ra.examples.support.ClusterClient;
import dev.ra.examples.tree.CreateMode;
import dev.ra.examples.tree.Stat;
import dev.ra.examples.tree.TreeClient;
import dev.ra.examples.tree.TreeCommand;
import dev.ra.examples.tree.TreeOp;
import dev.ra.examples.tree.TreePaths;
import dev.ra.examples.tree.TreeReply;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

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
     *
     * <p>The barrier's node is created on condition that no child of its parent was created or deleted since this
     * call read the parent ({@link TreeOp.CheckChildren} in a multi), and looked at again when that condition fails
     * or the outcome is unknown. So a create of this call that is applied late (sent again after an unknown outcome,
     * or held up on its way) can never raise the barrier again after a {@link #removeBarrier} that followed. A
     * cluster still at machine version 2 or older of the tree, which does not take the condition, is sent the plain
     * create, without that guard.
     *
     * @throws RaException              if the cluster could not be reached in time (the barrier may be up or not).
     * @throws IllegalArgumentException if a node on the way cannot be created (bad path, ephemeral parent).
     */
    public void setBarrier()
    {
        final String parent = TreePaths.parent(barrierPath);
        final long deadline = client.cluster().deadline();
        RaException unknown = null;
        while (System.nanoTime() - deadline < 0)
        {
            final Optional<Stat> read = client.exists(parent);
            if (read.isEmpty())
            {
                client.ensurePath(parent);
                continue;
            }
            if (client.exists(barrierPath).isPresent())
            {
                // Raised after the parent was read: an attempt of this call still on its way fails its check.
                return;
            }
            final TreeReply.MultiResult reply;
            try
            {
                reply = client.multi(raising(read.get().cversion()).ops());
            }
            catch (final InvalidCommandException olderMachineVersion)
            {
                client.ensurePath(barrierPath);
                return;
            }
            catch (final RaException ex)
            {
                if (!ClusterClient.outcomeUnknown(ex))
                {
                    throw ex;
                }
                // Look again: a later attempt is fenced by what the look reads, this one by what it read.
                unknown = ex;
                continue;
            }
            if (reply.committed() || reply.results().get(1) instanceof TreeReply.NodeExists)
            {
                return;
            }
            final TreeReply failure = reply.results().get(0) instanceof TreeReply.RolledBack ?
                reply.results().get(1) : reply.results().get(0);
            if (!(failure instanceof TreeReply.BadVersion) && !(failure instanceof TreeReply.NoNode))
            {
                throw new IllegalArgumentException("cannot raise barrier '" + barrierPath + "': " + failure);
            }
            // A child of the parent came or went (or the parent went) since it was read: look again.
        }
        throw null != unknown ? unknown : new RaTimeoutException("barrier '" + barrierPath + "' not raised in time");
    }

    /**
     * @param parentChildVersion the barrier's parent's child version, as read.
     * @return the command that raises the barrier, fenced by that child version.
     */
    TreeCommand.Multi raising(final int parentChildVersion)
    {
        return new TreeCommand.Multi(List.of(new TreeOp.CheckChildren(TreePaths.parent(barrierPath),
            parentChildVersion), new TreeOp.Create(barrierPath, "", CreateMode.PERSISTENT, 0)));
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

package dev.ra.examples.tree.recipes;

import dev.ra.RaException;
import dev.ra.examples.tree.TreeClient;
import dev.ra.examples.tree.TreeOp;
import dev.ra.examples.tree.TreePaths;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A mutual-exclusion lock on ephemeral sequential nodes, as Curator's {@code InterProcessMutex}: each contender
 * creates {@code <lockPath>/_c_<uuid>-lock-<sequence>}; the lowest sequence holds the lock; every other contender
 * watches only its predecessor (no herd effect when the lock passes). The nodes are bound to the contender's session,
 * so a holder whose process dies loses the lock when its session expires.
 *
 * <p>Reentrant for the thread that holds it. The holder learns that its session ended through its
 * {@link dev.ra.examples.lease.Lease}'s {@code onLost}: from then on the lock may be held by another. Waits re-read
 * the tree at least every {@link Signal#RECHECK}, so a watch event lost in a failover only delays a waiter.
 * Thread-safe.
 */
public final class TreeLock
{
    private static final Logger LOG = LoggerFactory.getLogger(TreeLock.class);

    private final TreeClient client;
    private final String lockPath;
    private final long sessionId;
    // Guarded by this.
    private Thread owner;
    private int holds;
    private String node;
    private long token;

    /**
     * @param client    to reach the tree.
     * @param lockPath  persistent node the contenders' nodes go under; created if missing.
     * @param sessionId the contenders' nodes are bound to.
     */
    public TreeLock(final TreeClient client, final String lockPath, final long sessionId)
    {
        this.client = Objects.requireNonNull(client, "client");
        this.lockPath = Objects.requireNonNull(lockPath, "lockPath");
        this.sessionId = sessionId;
    }

    /**
     * Take the lock, waiting at most {@code timeout}.
     *
     * @param timeout to wait for the lock.
     * @return true if this thread holds the lock; false if the time ran out (its node is then deleted).
     * @throws InterruptedException  if interrupted while waiting (its node is then deleted).
     * @throws IllegalStateException if the session is not live or ended while waiting.
     */
    public boolean acquire(final Duration timeout) throws InterruptedException
    {
        synchronized (this)
        {
            if (owner == Thread.currentThread())
            {
                holds++;
                return true;
            }
        }
        final long deadline = Signal.deadline(timeout);
        client.ensurePath(lockPath);
        final String mine = SequentialNodes.create(client, lockPath, "lock-", sessionId);
        boolean acquired = false;
        try
        {
            if (!waitForTurn(mine, deadline))
            {
                return false;
            }
            final long czxid = client.exists(TreePaths.child(lockPath, mine))
                .orElseThrow(() -> new IllegalStateException("lock '" + lockPath + "': node " + mine +
                    " is gone; session " + sessionId + " ended")).czxid();
            synchronized (this)
            {
                owner = Thread.currentThread();
                holds = 1;
                node = mine;
                token = czxid;
            }
            acquired = true;
            return true;
        }
        finally
        {
            if (!acquired)
            {
                delete(mine);
            }
        }
    }

    /**
     * The fencing token of the current hold: the {@code czxid} of this contender's node, which grows with every new
     * holder (a later contender's node is created later). Pass it with every use of the protected resource, which
     * refuses a token lower than one it has seen.
     *
     * @return the token.
     * @throws IllegalMonitorStateException if the calling thread does not hold the lock.
     */
    public synchronized long fencingToken()
    {
        if (owner != Thread.currentThread())
        {
            throw new IllegalMonitorStateException("lock '" + lockPath + "' is not held by " +
                Thread.currentThread().getName());
        }
        return token;
    }

    /**
     * Release one hold; the last release deletes this contender's node and passes the lock on. If the cluster cannot
     * be reached, the lock is released all the same here and the node is deleted in the background as soon as it can
     * be ({@link TreeClient#deleteGuaranteed}); until then the next contender waits.
     *
     * @throws IllegalMonitorStateException if the calling thread does not hold the lock.
     */
    public void release()
    {
        final String released;
        synchronized (this)
        {
            if (owner != Thread.currentThread())
            {
                throw new IllegalMonitorStateException("lock '" + lockPath + "' is not held by " +
                    Thread.currentThread().getName());
            }
            if (--holds > 0)
            {
                return;
            }
            released = node;
            owner = null;
            node = null;
        }
        delete(released);
    }

    /**
     * @return the path of the node this process holds the lock with, or null if it does not hold it.
     */
    public synchronized String holdingNode()
    {
        return null == node ? null : TreePaths.child(lockPath, node);
    }

    /**
     * @return the path of the contender that holds the lock now, or null if none (linearizable read).
     */
    public String currentHolder()
    {
        final List<String> contenders = SequentialNodes.sorted(client.getChildren(lockPath).orElse(List.of()));
        return contenders.isEmpty() ? null : TreePaths.child(lockPath, contenders.get(0));
    }

    private boolean waitForTurn(final String mine, final long deadline) throws InterruptedException
    {
        final Signal signal = new Signal();
        final PendingWatch watch = new PendingWatch(signal::fire);
        while (true)
        {
            final List<String> contenders = SequentialNodes.sorted(client.getChildren(lockPath).orElse(List.of()));
            final int position = contenders.indexOf(mine);
            if (position < 0)
            {
                throw new IllegalStateException("lock '" + lockPath + "': node " + mine + " is gone; session " +
                    sessionId + " ended");
            }
            if (0 == position)
            {
                return true;
            }
            if (System.nanoTime() - deadline >= 0)
            {
                return false;
            }
            if (watch.present(client, TreePaths.child(lockPath, contenders.get(position - 1)), false))
            {
                signal.await(deadline);
            }
        }
    }

    private void delete(final String mine)
    {
        try
        {
            client.deleteGuaranteed(TreePaths.child(lockPath, mine), TreeOp.ANY_VERSION);
        }
        catch (final RaException ex)
        {
            LOG.debug("lock '{}': deleting {} is left to the background", lockPath, mine, ex);
        }
    }
}

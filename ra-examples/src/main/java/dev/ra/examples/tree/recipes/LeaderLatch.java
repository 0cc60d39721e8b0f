package dev.ra.examples.tree.recipes;

import dev.ra.RaException;
import dev.ra.examples.support.OwnThread;
import dev.ra.examples.tree.TreeClient;
import dev.ra.examples.tree.TreeOp;
import dev.ra.examples.tree.TreePaths;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leader election among contenders, as Curator's {@code LeaderLatch}: each contender creates an ephemeral sequential
 * node under the latch path; the lowest sequence leads; the others watch only their predecessor. A leader whose
 * session ends (expired with its process, or closed) loses its node, and the next contender takes over.
 *
 * <p>The latch looks at the tree when a watch fires and at least every {@link Signal#RECHECK}, on its own thread; the
 * listener runs there on every change of leadership. A look that cannot reach the cluster gives leadership up (as
 * Curator's latch does when its connection is suspended): meanwhile the session may expire and another contender
 * lead. Leadership comes back with the first look that finds this contender first again. A latch whose node went with
 * its session stays without leadership (its session is over; start a new latch with a new session). Thread-safe.
 */
public final class LeaderLatch implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(LeaderLatch.class);

    private final TreeClient client;
    private final String latchPath;
    private final long sessionId;
    private final Consumer<Boolean> listener;
    private final OwnThread thread;
    private final ScheduledExecutorService executor;
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final PendingWatch predecessorWatch = new PendingWatch(() -> post(this::check));
    private volatile boolean leader;
    private volatile String node;
    // Only touched on the executor's thread.
    private boolean lost;

    /**
     * @param client    to reach the tree.
     * @param latchPath persistent node the contenders' nodes go under; created if missing.
     * @param sessionId the contender's node is bound to.
     * @param listener  told {@code true} when this contender becomes leader and {@code false} when it stops being it.
     */
    public LeaderLatch(final TreeClient client, final String latchPath, final long sessionId,
        final Consumer<Boolean> listener)
    {
        this.client = Objects.requireNonNull(client, "client");
        this.latchPath = Objects.requireNonNull(latchPath, "latchPath");
        this.sessionId = sessionId;
        this.listener = Objects.requireNonNull(listener, "listener");
        this.thread = new OwnThread("leader-latch-" + latchPath);
        this.executor = thread.executor();
    }

    /**
     * Join the election: create this contender's node (blocking), then follow the election in the background. A latch
     * starts once (as Curator's): a second contender node of the same latch would stay in line, unseen by it, for as
     * long as the session lives, and block the election if it came first. A start that failed may be tried again.
     *
     * @throws IllegalStateException if the session is not live, or the latch was started or closed.
     */
    public void start()
    {
        if (closed.get())
        {
            throw new IllegalStateException("latch '" + latchPath + "' is closed");
        }
        if (!started.compareAndSet(false, true))
        {
            throw new IllegalStateException("latch '" + latchPath + "' was already started; it starts once");
        }
        try
        {
            client.ensurePath(latchPath);
            // Set here, not on the executor: a close() right after start() must find it to delete it.
            node = SequentialNodes.create(client, latchPath, "latch-", sessionId);
        }
        catch (final RuntimeException ex)
        {
            started.set(false);
            throw ex;
        }
        executor.scheduleWithFixedDelay(this::check, 0, Signal.RECHECK.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * @return whether this contender leads, as of its last look at the tree.
     */
    public boolean hasLeadership()
    {
        return leader;
    }

    /**
     * @return the path of the leading contender's node, or null if none (linearizable read).
     */
    public String currentLeader()
    {
        final List<String> contenders = SequentialNodes.sorted(client.getChildren(latchPath).orElse(List.of()));
        return contenders.isEmpty() ? null : TreePaths.child(latchPath, contenders.get(0));
    }

    /**
     * @return this contender's node path, or null before {@link #start}.
     */
    public String nodePath()
    {
        final String mine = node;
        return null == mine ? null : TreePaths.child(latchPath, mine);
    }

    /**
     * Wait until this contender leads.
     *
     * @param timeout to wait.
     * @return whether it leads.
     * @throws InterruptedException if interrupted.
     */
    public boolean await(final Duration timeout) throws InterruptedException
    {
        final long deadline = Signal.deadline(timeout);
        while (!leader && System.nanoTime() - deadline < 0)
        {
            Thread.sleep(Math.min(20, Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()))));
        }
        return leader;
    }

    /**
     * Leave the election: this contender's node is deleted, the next one takes over. If the cluster cannot be
     * reached, the node is deleted in the background as soon as it can be ({@link TreeClient#deleteGuaranteed}).
     * Idempotent; may be called from the listener.
     */
    @Override
    public void close()
    {
        if (!closed.compareAndSet(false, true))
        {
            return;
        }
        executor.shutdownNow();
        thread.awaitEnd(Duration.ofSeconds(10));
        setLeader(false);
        final String mine = node;
        if (null != mine)
        {
            try
            {
                client.deleteGuaranteed(TreePaths.child(latchPath, mine), TreeOp.ANY_VERSION);
            }
            catch (final RaException ex)
            {
                LOG.debug("latch {}: deleting {} is left to the background", latchPath, mine, ex);
            }
        }
    }

    private void check()
    {
        if (null == node || lost)
        {
            return;
        }
        try
        {
            final List<String> contenders = SequentialNodes.sorted(client.getChildren(latchPath).orElse(List.of()));
            final int position = contenders.indexOf(node);
            if (position < 0)
            {
                // The node went with the session: this contender is out for good.
                lost = true;
                setLeader(false);
                return;
            }
            if (0 == position)
            {
                setLeader(true);
                return;
            }
            setLeader(false);
            // No watch on a predecessor found gone: its sequential path never comes back, the watch would stay.
            if (!predecessorWatch.present(client, TreePaths.child(latchPath, contenders.get(position - 1)), false))
            {
                post(this::check);
            }
        }
        catch (final RuntimeException ex)
        {
            // Unknown whether this contender is still first: its session may be expiring while it cannot tell.
            setLeader(false);
            LOG.debug("latch {}: look at the tree failed; leadership given up until a look succeeds", latchPath, ex);
        }
    }

    private synchronized void setLeader(final boolean now)
    {
        if (now && closed.get())
        {
            return;
        }
        if (now != leader)
        {
            leader = now;
            listener.accept(now);
        }
    }

    private void post(final Runnable work)
    {
        try
        {
            executor.execute(work);
        }
        catch (final RejectedExecutionException closed)
        {
            // Closed: nothing left to do.
        }
    }
}

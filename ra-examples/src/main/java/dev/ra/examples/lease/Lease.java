package dev.ra.examples.lease;

import dev.ra.RaProcess;
import dev.ra.ProcessRef;
import dev.ra.examples.support.ClusterClient;
import dev.ra.examples.support.OwnThread;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A granted session on the client side, kept alive until {@link #close closed} or lost: every quarter TTL it sends a
 * keep-alive to the current lessor (a process message, never a log entry). It finds the lessor through the machine's
 * named query {@link LeasedKvMachine#LESSOR}, and looks again when a keep-alive went unanswered (the leader changed).
 * When the lessor does not know the session, it checks the log ({@link LeasedKvMachine#SESSION}); if the session
 * ended there, the lease is lost for good: {@link #isAlive()} turns false and the {@code onLost} callback runs once.
 *
 * <p>The machine behind the cluster must answer the named queries {@code lessor} and {@code session} as
 * {@link LeasedKvMachine} does. Thread-safe.
 */
public final class Lease implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(Lease.class);

    private final ClusterClient cluster;
    private final long sessionId;
    private final long ttlMs;
    private final Runnable onLost;
    private final OwnThread thread;
    private final ScheduledExecutorService executor;
    private final RaProcess inbox;
    private final AtomicBoolean closing = new AtomicBoolean();
    private volatile boolean alive = true;

    // Only touched on the executor's thread.
    private ProcessRef lessor;
    private long sentNanos;
    private long ackedNanos;
    private boolean closed;

    /**
     * Keep an already granted session alive.
     *
     * @param cluster   client of the cluster that granted it.
     * @param sessionId of the session.
     * @param ttlMs     of the session.
     * @param onLost    run once, on the lease's thread, if the session is found ended; may be a no-op, may close the
     *                  lease.
     */
    public Lease(final ClusterClient cluster, final long sessionId, final long ttlMs, final Runnable onLost)
    {
        this.cluster = Objects.requireNonNull(cluster, "cluster");
        this.sessionId = sessionId;
        this.ttlMs = ttlMs;
        this.onLost = Objects.requireNonNull(onLost, "onLost");
        this.thread = new OwnThread("lease-" + sessionId);
        this.executor = thread.executor();
        this.inbox = cluster.system().spawn(message -> post(() -> onMessage(message)));
        final long period = Math.max(1, ttlMs / 4);
        executor.scheduleWithFixedDelay(this::keepAlive, 0, period, TimeUnit.MILLISECONDS);
    }

    /**
     * @return the session id, to bind keys to.
     */
    public long id()
    {
        return sessionId;
    }

    /**
     * @return the session's time-to-live.
     */
    public Duration ttl()
    {
        return Duration.ofMillis(ttlMs);
    }

    /**
     * @return false once the session was found ended (expired or revoked).
     */
    public boolean isAlive()
    {
        return alive;
    }

    /**
     * Stop sending keep-alives; the session ends when its TTL lapses. To end it at once, revoke it first. Closing
     * again does nothing. Called from {@code onLost}, it returns at once: the lease's thread ends when the callback
     * returns.
     */
    @Override
    public void close()
    {
        if (!closing.compareAndSet(false, true))
        {
            return;
        }
        if (thread.isCurrent())
        {
            closed = true;
        }
        else
        {
            executor.execute(() -> closed = true);
        }
        executor.shutdown();
        thread.awaitEnd(Duration.ofSeconds(10));
        inbox.close();
    }

    private void keepAlive()
    {
        if (closed || !alive)
        {
            return;
        }
        try
        {
            if (null != lessor && ackedNanos < sentNanos)
            {
                // The last keep-alive went unanswered: the lessor's leader is gone or deposed. Look again.
                lessor = null;
            }
            if (null == lessor)
            {
                lessor = cluster.namedQuery(LeasedKvMachine.LESSOR, null, true);
            }
            if (null != lessor)
            {
                sentNanos = System.nanoTime();
                cluster.system().send(lessor, new KeepAliveMessage.KeepAlive(sessionId, inbox.ref()));
            }
        }
        catch (final RuntimeException ex)
        {
            LOG.debug("session {}: keep-alive round failed; trying again", sessionId, ex);
        }
    }

    private void onMessage(final Object message)
    {
        if (message instanceof KeepAliveMessage.Ack ack && ack.sessionId() == sessionId)
        {
            ackedNanos = System.nanoTime();
        }
        else if (message instanceof KeepAliveMessage.NotFound notFound && notFound.sessionId() == sessionId && alive)
        {
            // A deposed lessor knows nothing, and a new one may not have heard of a brand-new session: ask the log.
            try
            {
                final Session session = cluster.namedQuery(LeasedKvMachine.SESSION, sessionId, true);
                if (null == session)
                {
                    alive = false;
                    onLost.run();
                }
                else
                {
                    lessor = null;
                }
            }
            catch (final RuntimeException ex)
            {
                lessor = null;
            }
        }
    }

    /**
     * Hand work to this object's thread; dropped once it is closed (a message may still arrive while it closes).
     */
    private void post(final Runnable work)
    {
        try
        {
            executor.execute(work);
        }
        catch (final RejectedExecutionException closed)
        {
            // Closed: nothing left to do with it.
        }
    }
}

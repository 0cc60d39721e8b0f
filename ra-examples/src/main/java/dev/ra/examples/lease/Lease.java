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
 * <p><b>Local expiry.</b> A client cut off from the whole cluster hears no answer at all, so it also declares the lease
 * lost by itself, as etcd's and Curator's clients do, once a TTL has passed since it sent the last keep-alive that was
 * acknowledged (or since the lease was created, if none was): the session may have expired by then, and whatever
 * is bound to it may belong to someone else. It notices within about a quarter TTL: its lookups of the lessor and
 * the session are bounded by a quarter TTL, so a cluster that does not answer never holds the lease's thread longer.
 * A lease lost locally sends no more keep-alives, and the session expires on the cluster unless it already did. The
 * local clock is measured from the sending of a keep-alive, before the lessor restarts the TTL on receiving it, so
 * the lease is not believed alive after the cluster could have expired it (clock rates apart) as long as a
 * keep-alive's round trip is shorter than the keep-alive period (a quarter TTL). Acknowledgements carry no sequence
 * number: with slower round trips one can be credited to a later keep-alive than the one it answers, so the lease
 * may be believed alive up to a period (and the grant's own latency, counted from the lease's construction) too
 * long. Resources bound to a session should be fenced on use (a key's mod revision), as with every lease.
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
    // Sending of the oldest keep-alive not acknowledged yet, 0 when none is outstanding; an acknowledgement answers
    // it or a later one, so the lessor restarted the TTL after it.
    private long outstandingSinceNanos;
    // The lessor restarted the TTL after this instant: a TTL after it, the session may have expired.
    private long confirmedNanos;
    private boolean closed;

    /**
     * Keep an already granted session alive.
     *
     * @param cluster   client of the cluster that granted it.
     * @param sessionId of the session.
     * @param ttlMs     of the session.
     * @param onLost    run once, on the lease's thread, if the session is found ended, or a TTL passes without an
     *                  acknowledged keep-alive (see the class documentation); may be a no-op, may close the lease.
     */
    public Lease(final ClusterClient cluster, final long sessionId, final long ttlMs, final Runnable onLost)
    {
        Objects.requireNonNull(cluster, "cluster");
        if (ttlMs <= 0)
        {
            throw new IllegalArgumentException("session TTL must be positive, got " + ttlMs + " ms");
        }
        this.confirmedNanos = System.nanoTime();
        final long period = Math.max(1, ttlMs / 4);
        // Lookups bounded by the keep-alive period: a cluster that does not answer must not hold the lease's thread
        // past the local expiry.
        this.cluster = new ClusterClient(cluster.system(), cluster.members(), Duration.ofMillis(period),
            Duration.ofMillis(period));
        this.sessionId = sessionId;
        this.ttlMs = ttlMs;
        this.onLost = Objects.requireNonNull(onLost, "onLost");
        this.thread = new OwnThread("lease-" + sessionId);
        this.executor = thread.executor();
        this.inbox = cluster.system().spawn(message -> post(() -> onMessage(message)));
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
     * @return false once the session was found ended (expired or revoked), or a TTL passed without an acknowledged
     *         keep-alive.
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
        if (closed || !alive || expiredLocally())
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
            if (null != lessor && !expiredLocally())
            {
                sentNanos = System.nanoTime();
                if (0 == outstandingSinceNanos)
                {
                    outstandingSinceNanos = sentNanos;
                }
                cluster.system().send(lessor, new KeepAliveMessage.KeepAlive(sessionId, inbox.ref()));
            }
        }
        catch (final RuntimeException ex)
        {
            LOG.debug("session {}: keep-alive round failed; trying again", sessionId, ex);
            expiredLocally();
        }
    }

    /**
     * Declare the lease lost if a TTL passed since the lessor last restarted it, as far as this client knows.
     *
     * @return whether the lease is lost.
     */
    private boolean expiredLocally()
    {
        if (!alive)
        {
            return true;
        }
        if (System.nanoTime() - confirmedNanos < TimeUnit.MILLISECONDS.toNanos(ttlMs))
        {
            return false;
        }
        LOG.debug("session {}: no keep-alive acknowledged for a TTL of {} ms; lease lost", sessionId, ttlMs);
        lose();
        return true;
    }

    private void lose()
    {
        if (!alive)
        {
            return;
        }
        alive = false;
        onLost.run();
    }

    private void onMessage(final Object message)
    {
        if (message instanceof KeepAliveMessage.Ack ack && ack.sessionId() == sessionId && alive)
        {
            ackedNanos = System.nanoTime();
            if (0 != outstandingSinceNanos)
            {
                confirmedNanos = Math.max(confirmedNanos, outstandingSinceNanos);
                outstandingSinceNanos = 0;
            }
        }
        else if (message instanceof KeepAliveMessage.NotFound notFound && notFound.sessionId() == sessionId && alive)
        {
            // A deposed lessor knows nothing, and a new one may not have heard of a brand-new session: ask the log.
            try
            {
                final Session session = cluster.namedQuery(LeasedKvMachine.SESSION, sessionId, true);
                if (null == session)
                {
                    lose();
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

package dev.ra.examples.lock;

import dev.ra.ProcessRef;
import dev.ra.RaProcess;
import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.examples.support.ClusterClient;
import dev.ra.examples.support.NumberedCalls;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The typed client of a {@link LockMachine} cluster. Thread-safe; blocking calls.
 *
 * <p>Two levels: the raw commands ({@link #acquire}, {@link #release}, {@link #cancel}) for callers that manage their
 * own owner process and grant messages, and {@link #tryLock}, which does it all and returns a {@link FencedLock}. All
 * commands are idempotent, so they are retried across leader changes.
 *
 * <p>The client numbers its calls ({@link NumberedCalls}; machine version 2 of {@link LockMachine}): a retry whose
 * first attempt was applied gets that attempt's reply, and a first attempt that lands late, after this client went on
 * with later calls about the same owner (a release after the acquire its retry made), is refused and takes nothing.
 * So an owner released through this client is not given the lock again behind its back. A cluster at an older
 * version refuses the numbered commands before the log, and is sent the plain ones.
 */
public final class LockClient
{
    private static final long POLL_MS = 500;

    private final ClusterClient cluster;
    private final NumberedCalls calls;

    /**
     * @param system  to send calls through and spawn owner processes on.
     * @param members of the lock cluster.
     */
    public LockClient(final RaSystem system, final List<ServerId> members)
    {
        this(new ClusterClient(system, members));
    }

    /**
     * @param cluster client with its own timeouts.
     */
    public LockClient(final ClusterClient cluster)
    {
        this.cluster = Objects.requireNonNull(cluster, "cluster");
        this.calls = new NumberedCalls(cluster);
    }

    /**
     * Take a lock for {@code owner} or queue for it.
     *
     * @param key   of the lock.
     * @param owner the process that will hold it; it receives {@link LockGranted} when queued.
     * @return acquired with its token, or queued with its position.
     */
    public LockReply acquire(final String key, final ProcessRef owner)
    {
        return calls.send("lock call", number -> new LockCommand.NumberedAcquire(key, owner, number),
            () -> cluster.command(new LockCommand.Acquire(key, owner), true));
    }

    /**
     * Give a lock up. The command is numbered, so a retry whose first attempt was applied answers as that attempt
     * did. A cluster at machine version 1 refuses it and is sent the release carrying a request id, which does the
     * same; one still at version 0 refuses that too, and is sent the plain release, whose retry may answer false
     * although this call released the lock.
     *
     * @param key   of the lock.
     * @param owner that holds it.
     * @return true if {@code owner} held it.
     */
    public boolean release(final String key, final ProcessRef owner)
    {
        return calls.send("lock call", number -> new LockCommand.NumberedRelease(key, owner, number),
            () -> releaseOnce(key, owner));
    }

    private boolean releaseOnce(final String key, final ProcessRef owner)
    {
        return cluster.newerCommand(releasing(key, owner),
            () -> cluster.<Boolean>command(new LockCommand.Release(key, owner), true));
    }

    /**
     * @return the command one call of {@link #release} sends, every attempt of it alike.
     */
    static LockCommand releasing(final String key, final ProcessRef owner)
    {
        return new LockCommand.ReleaseOnce(key, owner, UUID.randomUUID().toString());
    }

    /**
     * Stop waiting for a lock. The command is numbered, so a retry whose first attempt took {@code owner} out of
     * line answers true as that attempt did; a cluster at an older version is sent the plain cancel, whose retry
     * then answers false.
     *
     * @param key   of the lock.
     * @param owner that waits for it.
     * @return true if {@code owner} was waiting; false if it was not, or already holds the lock.
     */
    public boolean cancel(final String key, final ProcessRef owner)
    {
        return calls.send("lock call", number -> new LockCommand.NumberedCancel(key, owner, number),
            () -> cluster.<Boolean>command(new LockCommand.Cancel(key, owner), true));
    }

    /**
     * The current holder, token and waiters of a lock, linearizably.
     *
     * @param key of the lock.
     * @return the lock, or empty if nobody holds it.
     */
    public Optional<LockEntry> lockInfo(final String key)
    {
        return Optional.ofNullable(cluster.<LockState, LockEntry>consistentQuery(state -> state.lock(key)));
    }

    /**
     * Take a lock, waiting up to {@code wait} in line. A fresh owner process is spawned for the tenure; closing the
     * returned lock releases it and ends the process, and if this JVM dies the process goes with it and the lock
     * passes on.
     *
     * <p>Grant messages can be lost (a leader fails right after the hand-off), so while waiting the client also
     * polls the lock state, which is the truth. The lock drops a waiter reported down for any reason, including its
     * node being unreachable for a moment; a poll that finds the owner neither holding nor in line therefore asks
     * again (at the end of the line), so such a blip costs the owner its place, not the rest of its wait. When the
     * wait ends the client cancels its place; if the grant won that race it keeps the lock and returns it.
     *
     * @param key  of the lock.
     * @param wait how long to wait in line; zero means "only if free".
     * @return the lock with its fencing token, or empty if it was not granted in time.
     */
    public Optional<FencedLock> tryLock(final String key, final Duration wait)
    {
        final CompletableFuture<Long> granted = new CompletableFuture<>();
        final RaProcess owner = cluster.system().spawn(message ->
        {
            if (message instanceof LockGranted grant && grant.key().equals(key))
            {
                granted.complete(grant.token());
            }
        });
        try
        {
            final LockReply reply = acquire(key, owner.ref());
            if (reply instanceof LockReply.Acquired acquired)
            {
                return Optional.of(new FencedLock(this, key, acquired.token(), owner));
            }
            final long deadline = System.nanoTime() + wait.toNanos();
            for (long remaining = wait.toNanos(); remaining > 0; remaining = deadline - System.nanoTime())
            {
                final Optional<Long> token = awaitGrant(granted, Math.min(remaining, TimeUnit.MILLISECONDS.toNanos(
                    POLL_MS)));
                final Optional<Long> held = token.isPresent() ? token : heldOrQueuedAgain(key, owner.ref());
                if (held.isPresent())
                {
                    return Optional.of(new FencedLock(this, key, held.get(), owner));
                }
            }
            if (!cancel(key, owner.ref()))
            {
                final Optional<Long> held = heldToken(key, owner.ref());
                if (held.isPresent())
                {
                    return Optional.of(new FencedLock(this, key, held.get(), owner));
                }
            }
            owner.close();
            return Optional.empty();
        }
        catch (final RuntimeException ex)
        {
            // Ending the owner makes the leader drop it from the line (or pass the lock on) through its monitor.
            owner.close();
            throw ex;
        }
    }

    /**
     * The token if {@code owner} holds the lock; otherwise empty, after queueing it again if it is no longer in line.
     */
    private Optional<Long> heldOrQueuedAgain(final String key, final ProcessRef owner)
    {
        final Optional<LockEntry> lock = lockInfo(key);
        if (lock.isPresent() && lock.get().holder().equals(owner))
        {
            return Optional.of(lock.get().token());
        }
        if (lock.isPresent() && lock.get().waiters().contains(owner))
        {
            return Optional.empty();
        }
        return acquire(key, owner) instanceof LockReply.Acquired acquired ? Optional.of(acquired.token()) :
            Optional.empty();
    }

    private Optional<Long> heldToken(final String key, final ProcessRef owner)
    {
        return lockInfo(key).filter(lock -> lock.holder().equals(owner)).map(LockEntry::token);
    }

    private static Optional<Long> awaitGrant(final CompletableFuture<Long> granted, final long nanos)
    {
        try
        {
            return Optional.of(granted.get(nanos, TimeUnit.NANOSECONDS));
        }
        catch (final TimeoutException ex)
        {
            return Optional.empty();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a lock", ex);
        }
        catch (final ExecutionException ex)
        {
            throw new IllegalStateException("unexpected failure of a grant", ex);
        }
    }
}

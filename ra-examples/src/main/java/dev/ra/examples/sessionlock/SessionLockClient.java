package dev.ra.examples.sessionlock;

import dev.ra.ProcessRef;
import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.examples.lock.LockReply;
import dev.ra.examples.support.ClusterClient;
import dev.ra.examples.support.NumberedCalls;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * The typed client of a {@link SessionLockMachine} cluster. Thread-safe; blocking calls; every command is idempotent
 * and retried across leader changes.
 *
 * <p>The intended protocol for a holder, from the ra-toolbox talk: when the holder suspects it lost contact with the
 * cluster (a call failed or timed out), it calls {@link #acquire} again as soon as it can; within the grace period
 * that keeps the lock (same token), after it the holder is told it is queued (or gets a NEW token) and must stop
 * using the resource under the old token.
 *
 * <p>The client numbers its calls (machine version 5 of {@link SessionLockMachine}; see
 * {@link dev.ra.examples.support.ClientSequences}): a retry whose first attempt was applied gets that attempt's reply,
 * and a first attempt that lands after this client went on with later calls about the same owner (an acquire
 * overtaken by its retry, then released) is refused and takes nothing. A cluster at an older version refuses the
 * numbered commands before the log, and is sent the older ones.
 */
public final class SessionLockClient
{
    private final ClusterClient cluster;
    private final NumberedCalls calls;

    /**
     * @param system  to send calls through.
     * @param members of the session-lock cluster.
     */
    public SessionLockClient(final RaSystem system, final List<ServerId> members)
    {
        this(new ClusterClient(system, members));
    }

    /**
     * @param cluster client with its own timeouts.
     */
    public SessionLockClient(final ClusterClient cluster)
    {
        this.cluster = Objects.requireNonNull(cluster, "cluster");
        this.calls = new NumberedCalls(cluster);
    }

    /**
     * Take a lock, queue for it, or (by the holder) confirm it is still here.
     *
     * @param key   of the lock.
     * @param owner the process that will hold it; it receives {@link dev.ra.examples.lock.LockGranted} when queued.
     * @return acquired with its token, or queued with its position.
     */
    public LockReply acquire(final String key, final ProcessRef owner)
    {
        return calls.send("session lock call", number -> new SessionLockCommand.NumberedAcquire(key, owner, number),
            () -> cluster.command(new SessionLockCommand.Acquire(key, owner), true));
    }

    /**
     * Give a lock up. The command is numbered, so a retry whose first attempt was applied answers as that attempt
     * did. A cluster at machine version 4 refuses it and is sent the release carrying a request id, which does the
     * same; one at a version before 4 refuses that too, and is sent the plain release, whose retry may answer false
     * although this call released the lock.
     *
     * @param key   of the lock.
     * @param owner that holds it.
     * @return true if {@code owner} held it.
     */
    public boolean release(final String key, final ProcessRef owner)
    {
        return calls.send("session lock call", number -> new SessionLockCommand.NumberedRelease(key, owner, number),
            () -> releaseOnce(key, owner));
    }

    private boolean releaseOnce(final String key, final ProcessRef owner)
    {
        return cluster.newerCommand(releasing(key, owner),
            () -> cluster.<Boolean>command(new SessionLockCommand.Release(key, owner), true));
    }

    /**
     * @return the command one call of {@link #release} sends, every attempt of it alike.
     */
    static SessionLockCommand releasing(final String key, final ProcessRef owner)
    {
        return new SessionLockCommand.ReleaseOnce(key, owner, UUID.randomUUID().toString());
    }

    /**
     * Stop waiting for a lock. The command is numbered, so a retry whose first attempt took {@code owner} out of
     * line answers true as that attempt did; a cluster at an older version is sent the plain cancel, whose retry then
     * answers false.
     *
     * @param key   of the lock.
     * @param owner that waits for it.
     * @return true if {@code owner} was waiting.
     */
    public boolean cancel(final String key, final ProcessRef owner)
    {
        return calls.send("session lock call", number -> new SessionLockCommand.NumberedCancel(key, owner, number),
            () -> cluster.<Boolean>command(new SessionLockCommand.Cancel(key, owner), true));
    }

    /**
     * The holder, token, disconnection and waiters of a lock, linearizably.
     *
     * @param key of the lock.
     * @return the lock, or empty if nobody holds or waits for it.
     */
    public Optional<SessionLockEntry> lockInfo(final String key)
    {
        return Optional.ofNullable(
            cluster.<SessionLockState, SessionLockEntry>consistentQuery(state -> state.lock(key)));
    }
}

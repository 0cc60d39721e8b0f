package dev.ra.examples.lock;

import dev.ra.ProcessRef;
import dev.ra.examples.support.CommandNumber;
import java.util.Objects;

/**
 * The commands of the {@link LockMachine}.
 */
public sealed interface LockCommand
{
    /**
     * Take lock {@code key} for {@code owner}, or queue for it. Replies {@link LockReply.Acquired} or
     * {@link LockReply.Queued}; a queued owner later receives {@link LockGranted}.
     *
     * @param key   of the lock.
     * @param owner the process that will hold the lock; it is monitored, and the lock passes on when it ends.
     */
    record Acquire(String key, ProcessRef owner) implements LockCommand
    {
        /** Checks that {@code key} and {@code owner} are not null. */
        public Acquire
        {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(owner, "owner");
        }
    }

    /**
     * Give lock {@code key} up. Replies {@code Boolean.TRUE} if {@code owner} held it; otherwise nothing changes and
     * the reply is {@code Boolean.FALSE}.
     *
     * @param key   of the lock.
     * @param owner the process that holds it.
     */
    record Release(String key, ProcessRef owner) implements LockCommand
    {
        /** Checks that {@code key} and {@code owner} are not null. */
        public Release
        {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(owner, "owner");
        }
    }

    /**
     * {@link Release}, answered once per request: the reply is remembered under {@code requestId}, and a command of
     * the same request id (a retry whose first attempt was applied but its reply lost) changes nothing and gets that
     * reply again, instead of {@code FALSE} because the first attempt already released the lock. Machine version 1 of
     * {@link LockMachine}; a cluster still at version 0 refuses it before the log.
     *
     * @param key       of the lock.
     * @param owner     the process that holds it.
     * @param requestId unique to the call, the same for each of its attempts.
     */
    record ReleaseOnce(String key, ProcessRef owner, String requestId) implements LockCommand
    {
        /** Checks that the parts are not null. */
        public ReleaseOnce
        {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(owner, "owner");
            Objects.requireNonNull(requestId, "requestId");
        }
    }

    /**
     * Stop waiting for lock {@code key} (a timed-out try-lock). Replies {@code Boolean.TRUE} if {@code owner} was
     * waiting and is no longer; {@code Boolean.FALSE} otherwise, in particular if it already HOLDS the lock because
     * the grant won the race, in which case the caller must release it or use it.
     *
     * @param key   of the lock.
     * @param owner the waiting process.
     */
    record Cancel(String key, ProcessRef owner) implements LockCommand
    {
        /** Checks that {@code key} and {@code owner} are not null. */
        public Cancel
        {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(owner, "owner");
        }
    }

    /**
     * {@link Acquire}, numbered by its client ({@link dev.ra.examples.support.ClientSequences}): a retry of an acquire
     * applied already gets its first reply, and an attempt that comes after its client went on with later calls
     * about the same owner (a release, say) is answered {@link dev.ra.examples.support.StaleCommand} and takes
     * nothing. Machine version 2 of {@link LockMachine}; a cluster at an older version refuses it before the log.
     *
     * @param key    of the lock.
     * @param owner  the process that will hold the lock.
     * @param number of the call, the same for each of its attempts.
     */
    record NumberedAcquire(String key, ProcessRef owner, CommandNumber number) implements LockCommand
    {
        /** Checks that the parts are not null. */
        public NumberedAcquire
        {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(owner, "owner");
            Objects.requireNonNull(number, "number");
        }
    }

    /**
     * {@link Release}, numbered as {@link NumberedAcquire} is: a retry gets its first reply, a stale attempt
     * releases nothing. Machine version 2 of {@link LockMachine}.
     *
     * @param key    of the lock.
     * @param owner  the process that holds it.
     * @param number of the call, the same for each of its attempts.
     */
    record NumberedRelease(String key, ProcessRef owner, CommandNumber number) implements LockCommand
    {
        /** Checks that the parts are not null. */
        public NumberedRelease
        {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(owner, "owner");
            Objects.requireNonNull(number, "number");
        }
    }

    /**
     * {@link Cancel}, numbered as {@link NumberedAcquire} is: a retry whose first attempt took the owner out of line
     * answers {@code TRUE} again (not {@code FALSE}, which would tell the caller it may hold the lock), and a stale
     * attempt changes nothing. Machine version 2 of {@link LockMachine}.
     *
     * @param key    of the lock.
     * @param owner  the waiting process.
     * @param number of the call, the same for each of its attempts.
     */
    record NumberedCancel(String key, ProcessRef owner, CommandNumber number) implements LockCommand
    {
        /** Checks that the parts are not null. */
        public NumberedCancel
        {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(owner, "owner");
            Objects.requireNonNull(number, "number");
        }
    }
}

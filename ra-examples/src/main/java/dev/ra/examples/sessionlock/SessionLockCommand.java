package dev.ra.examples.sessionlock;

import dev.ra.ProcessRef;
import dev.ra.examples.support.CommandNumber;
import java.util.Objects;

/**
 * The commands of the {@link SessionLockMachine}.
 */
public sealed interface SessionLockCommand
{
    /**
     * Take lock {@code key} for {@code owner}, or queue for it; by the holder, also "I am still here", which ends a
     * disconnection grace period. Replies {@link dev.ra.examples.lock.LockReply.Acquired} or
     * {@link dev.ra.examples.lock.LockReply.Queued}; a queued owner later receives
     * {@link dev.ra.examples.lock.LockGranted}.
     *
     * @param key   of the lock.
     * @param owner the process that will hold the lock.
     */
    record Acquire(String key, ProcessRef owner) implements SessionLockCommand
    {
        /** Checks that {@code key} and {@code owner} are not null. */
        public Acquire
        {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(owner, "owner");
        }
    }

    /**
     * {@link Release}, answered once per request: the reply is remembered under {@code requestId}, and a command of
     * the same request id (a retry whose first attempt was applied but its reply lost) changes nothing and gets that
     * reply again, instead of {@code FALSE} because the first attempt already released the lock. Machine version 4 of
     * {@link SessionLockMachine}; a cluster at an older version refuses it before the log.
     *
     * @param key       of the lock.
     * @param owner     the process that holds it.
     * @param requestId unique to the call, the same for each of its attempts.
     */
    record ReleaseOnce(String key, ProcessRef owner, String requestId) implements SessionLockCommand
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
     * Give lock {@code key} up. Replies {@code Boolean.TRUE} if {@code owner} held it, else {@code Boolean.FALSE} and
     * nothing changes.
     *
     * @param key   of the lock.
     * @param owner the process that holds it.
     */
    record Release(String key, ProcessRef owner) implements SessionLockCommand
    {
        /** Checks that {@code key} and {@code owner} are not null. */
        public Release
        {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(owner, "owner");
        }
    }

    /**
     * Stop waiting for lock {@code key}. Replies {@code Boolean.TRUE} if {@code owner} was waiting; {@code FALSE}
     * otherwise (in particular if it already holds the lock).
     *
     * @param key   of the lock.
     * @param owner the waiting process.
     */
    record Cancel(String key, ProcessRef owner) implements SessionLockCommand
    {
        /** Checks that {@code key} and {@code owner} are not null. */
        public Cancel
        {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(owner, "owner");
        }
    }

    /**
     * Re-arm the grace timers of disconnected holders with their remaining time, or release those whose grace has
     * already run out; and (version 3) the timers of unreachable waiters with their remaining time. A new leader
     * appends this command to the log ({@link dev.ra.Effect.Append}) because only an applied entry carries a leader
     * timestamp to compute the remaining time from. Harmless if sent by anyone.
     */
    record RearmTimers() implements SessionLockCommand
    {
    }

    /**
     * Put a grace period in force from this entry on, the same on every member (machine version 3). A member appends
     * one on becoming leader when the grace period it was constructed with is not the one in force, and at the switch
     * to version 3; a client may send one too, which holds until a leader started with another is elected. A holder
     * or waiter already cut off keeps the deadline it had (the grace period in force when it was cut off). Replies
     * the grace period in force before it, in milliseconds.
     *
     * @param graceMs the grace period, in milliseconds; at least 0.
     */
    record Configure(long graceMs) implements SessionLockCommand
    {
        /** Checks that {@code graceMs} is not negative. */
        public Configure
        {
            if (graceMs < 0)
            {
                throw new IllegalArgumentException("grace period must be >= 0 ms, got " + graceMs);
            }
        }
    }

    /**
     * {@link Acquire}, numbered by its client ({@link dev.ra.examples.support.ClientSequences}): a retry of an acquire
     * applied already gets its first reply, and an attempt that comes after its client went on with later calls
     * about the same owner (a release, say) is answered {@link dev.ra.examples.support.StaleCommand} and takes
     * nothing. Machine version 5 of {@link SessionLockMachine}; a cluster at an older version refuses it before the
     * log.
     *
     * @param key    of the lock.
     * @param owner  the process that will hold the lock.
     * @param number of the call, the same for each of its attempts.
     */
    record NumberedAcquire(String key, ProcessRef owner, CommandNumber number) implements SessionLockCommand
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
     * {@link Release}, numbered as {@link NumberedAcquire} is. Machine version 5 of {@link SessionLockMachine}.
     *
     * @param key    of the lock.
     * @param owner  the process that holds it.
     * @param number of the call, the same for each of its attempts.
     */
    record NumberedRelease(String key, ProcessRef owner, CommandNumber number) implements SessionLockCommand
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
     * answers {@code TRUE} again. Machine version 5 of {@link SessionLockMachine}.
     *
     * @param key    of the lock.
     * @param owner  the waiting process.
     * @param number of the call, the same for each of its attempts.
     */
    record NumberedCancel(String key, ProcessRef owner, CommandNumber number) implements SessionLockCommand
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

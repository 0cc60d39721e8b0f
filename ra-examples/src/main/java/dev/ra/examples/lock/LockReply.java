package dev.ra.examples.lock;

/**
 * The replies of an acquire ({@link LockCommand.Acquire}, and {@code SessionLockCommand.Acquire} of the session lock).
 */
public sealed interface LockReply
{
    /**
     * The caller holds the lock.
     *
     * @param token the fencing token of this tenure: the log index of the entry that granted it.
     */
    record Acquired(long token) implements LockReply
    {
    }

    /**
     * The lock is held by another process; the caller waits in line and will receive {@link LockGranted}.
     *
     * @param position in the queue, 1 for the next in line.
     */
    record Queued(int position) implements LockReply
    {
    }
}

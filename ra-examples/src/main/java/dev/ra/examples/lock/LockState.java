package dev.ra.examples.lock;

import dev.ra.ProcessRef;
import dev.ra.examples.support.ClientSequences;
import dev.ra.examples.support.CursorTracked;
import dev.ra.examples.support.Persistent;
import dev.ra.examples.support.RememberedReplies;
import java.util.Map;
import java.util.Objects;

/**
 * The state of the {@link LockMachine}: the held locks; a lock nobody holds is not kept.
 *
 * @param locks       by key.
 * @param cursorIndex log index of the last release cursor (see {@link CursorTracked}).
 * @param replies     to the last releases that carried a request id (machine version 1; none before).
 * @param sequences   of the clients' numbered calls (machine version 2; none before).
 */
public record LockState(Map<String, LockEntry> locks, long cursorIndex, RememberedReplies replies,
    ClientSequences sequences)
    implements CursorTracked<LockState>
{
    /** No lock held. */
    public static final LockState EMPTY = new LockState(Map.of(), 0);

    /** Checks that the parts are not null. */
    public LockState
    {
        Objects.requireNonNull(locks, "locks");
        Objects.requireNonNull(replies, "replies");
        Objects.requireNonNull(sequences, "sequences");
    }

    /**
     * A state of machine version 1's shape, with no numbered calls.
     *
     * @param locks       by key.
     * @param cursorIndex log index of the last release cursor.
     * @param replies     to the last releases that carried a request id.
     */
    public LockState(final Map<String, LockEntry> locks, final long cursorIndex, final RememberedReplies replies)
    {
        this(locks, cursorIndex, replies, ClientSequences.NONE);
    }

    /**
     * A state of machine version 0's shape, remembering no replies.
     *
     * @param locks       by key.
     * @param cursorIndex log index of the last release cursor.
     */
    public LockState(final Map<String, LockEntry> locks, final long cursorIndex)
    {
        this(locks, cursorIndex, RememberedReplies.NONE);
    }

    /**
     * @return this state remembering one more reply.
     */
    LockState answered(final String requestId, final boolean reply)
    {
        return new LockState(locks, cursorIndex, replies.with(requestId, reply), sequences);
    }

    /**
     * @return this state with the clients' numbered calls replaced.
     */
    LockState withSequences(final ClientSequences next)
    {
        return new LockState(locks, cursorIndex, replies, next);
    }

    /**
     * @param key of the lock.
     * @return the lock, or {@code null} if nobody holds it.
     */
    public LockEntry lock(final String key)
    {
        return locks.get(key);
    }

    /**
     * @param key of the lock.
     * @return its holder, or {@code null} if nobody holds it.
     */
    public ProcessRef holder(final String key)
    {
        final LockEntry entry = locks.get(key);
        return null == entry ? null : entry.holder();
    }

    /**
     * @param process to look for.
     * @return true if the process holds or waits for any lock.
     */
    public boolean involves(final ProcessRef process)
    {
        for (final LockEntry entry : locks.values())
        {
            if (entry.involves(process))
            {
                return true;
            }
        }
        return false;
    }

    LockState with(final String key, final LockEntry entry)
    {
        return new LockState(null == entry ? Persistent.remove(locks, key) : Persistent.put(locks, key, entry),
            cursorIndex, replies, sequences);
    }

    @Override
    public LockState withCursorIndex(final long index)
    {
        return new LockState(locks, index, replies, sequences);
    }
}

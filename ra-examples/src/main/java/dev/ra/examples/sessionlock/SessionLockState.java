package dev.ra.examples.sessionlock;

import dev.ra.ProcessRef;
import dev.ra.examples.support.CursorTracked;
import dev.ra.examples.support.Persistent;
import java.util.Map;
import java.util.Objects;

/**
 * The state of the {@link SessionLockMachine}: every lock that has a holder or waiters.
 *
 * @param locks       by key.
 * @param cursorIndex log index of the last release cursor (see {@link CursorTracked}).
 */
public record SessionLockState(Map<String, SessionLockEntry> locks, long cursorIndex)
    implements CursorTracked<SessionLockState>
{
    /** No lock held or waited for. */
    public static final SessionLockState EMPTY = new SessionLockState(Map.of(), 0);

    /** Checks that {@code locks} is not null. */
    public SessionLockState
    {
        Objects.requireNonNull(locks, "locks");
    }

    /**
     * @param key of the lock.
     * @return the lock, or {@code null} if nobody holds or waits for it.
     */
    public SessionLockEntry lock(final String key)
    {
        return locks.get(key);
    }

    /**
     * @param key of the lock.
     * @return its holder, or {@code null} if nobody holds it.
     */
    public ProcessRef holder(final String key)
    {
        final SessionLockEntry entry = locks.get(key);
        return null == entry ? null : entry.holder();
    }

    /**
     * @param process to look for.
     * @return true if the process holds or waits for any lock.
     */
    public boolean involves(final ProcessRef process)
    {
        for (final SessionLockEntry entry : locks.values())
        {
            if (entry.involves(process))
            {
                return true;
            }
        }
        return false;
    }

    SessionLockState with(final String key, final SessionLockEntry entry)
    {
        return new SessionLockState(null == entry ? Persistent.remove(locks, key) : Persistent.put(locks, key, entry),
            cursorIndex);
    }

    @Override
    public SessionLockState withCursorIndex(final long index)
    {
        return new SessionLockState(locks, index);
    }
}

package dev.ra.examples.sessionlock;

import dev.ra.ProcessRef;
import java.util.List;
import java.util.Objects;

/**
 * One session lock that is held or waited for.
 *
 * @param holder        the process holding it, or {@code null} when it is free but unreachable waiters wait for it.
 * @param token         the fencing token of the current tenure (log index of the granting entry); 0 when free.
 * @param disconnection of the holder, or {@code null} while the holder is reachable.
 * @param waiters       in FIFO order.
 */
public record SessionLockEntry(ProcessRef holder, long token, Disconnection disconnection, List<Waiter> waiters)
{
    /** Checks that {@code waiters} is not null and that a free lock (no holder) has no holder disconnection. */
    public SessionLockEntry
    {
        Objects.requireNonNull(waiters, "waiters");
        if (null == holder && null != disconnection)
        {
            throw new IllegalArgumentException("a free lock has no disconnected holder");
        }
    }

    /**
     * @param process to look for.
     * @return its position among the waiters (0-based), or -1.
     */
    public int waiterIndex(final ProcessRef process)
    {
        for (int i = 0; i < waiters.size(); i++)
        {
            if (waiters.get(i).process().equals(process))
            {
                return i;
            }
        }
        return -1;
    }

    /**
     * @param process to look for.
     * @return true if the process holds or waits for this lock.
     */
    public boolean involves(final ProcessRef process)
    {
        return process.equals(holder) || waiterIndex(process) >= 0;
    }
}

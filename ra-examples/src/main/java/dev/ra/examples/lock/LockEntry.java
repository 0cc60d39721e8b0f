package dev.ra.examples.lock;

import dev.ra.ProcessRef;
import java.util.List;
import java.util.Objects;

/**
 * One held lock.
 *
 * @param holder  the process holding it.
 * @param token   the fencing token of the current tenure (log index of the granting entry).
 * @param waiters processes waiting for it, first in line first.
 */
public record LockEntry(ProcessRef holder, long token, List<ProcessRef> waiters)
{
    /** Checks that {@code holder} and {@code waiters} are not null. */
    public LockEntry
    {
        Objects.requireNonNull(holder, "holder");
        Objects.requireNonNull(waiters, "waiters");
    }

    /**
     * @param process to look for.
     * @return true if the process holds or waits for this lock.
     */
    public boolean involves(final ProcessRef process)
    {
        return holder.equals(process) || waiters.contains(process);
    }
}

package dev.ra.examples.latch;

import dev.ra.ProcessRef;
import dev.ra.examples.support.CursorTracked;
import dev.ra.examples.support.Persistent;
import java.util.Map;
import java.util.Objects;

/**
 * The state of the {@link LatchMachine}: every latch and barrier by name (the two have separate name spaces).
 *
 * @param latches     by name.
 * @param barriers    by name.
 * @param cursorIndex log index of the last release cursor (see {@link CursorTracked}).
 */
public record LatchState(Map<String, Latch> latches, Map<String, Barrier> barriers, long cursorIndex)
    implements CursorTracked<LatchState>
{
    /** No latch, no barrier. */
    public static final LatchState EMPTY = new LatchState(Map.of(), Map.of(), 0);

    /** Checks that the maps are not null. */
    public LatchState
    {
        Objects.requireNonNull(latches, "latches");
        Objects.requireNonNull(barriers, "barriers");
    }

    /**
     * @param name of the latch.
     * @return the latch, or {@code null} if it was never set or awaited.
     */
    public Latch latch(final String name)
    {
        return latches.get(name);
    }

    /**
     * @param name of the barrier.
     * @return the barrier, or {@code null} if nobody arrived at it yet.
     */
    public Barrier barrier(final String name)
    {
        return barriers.get(name);
    }

    /**
     * @param process to look for.
     * @return true if the process waits for a latch or at an unbroken barrier (so it must stay monitored).
     */
    public boolean watches(final ProcessRef process)
    {
        for (final Latch latch : latches.values())
        {
            if (latch.waiters().contains(process))
            {
                return true;
            }
        }
        for (final Barrier barrier : barriers.values())
        {
            if (!barrier.broken() && barrier.waiting().contains(process))
            {
                return true;
            }
        }
        return false;
    }

    LatchState withLatch(final String name, final Latch latch)
    {
        return new LatchState(Persistent.put(latches, name, latch), barriers, cursorIndex);
    }

    LatchState withBarrier(final String name, final Barrier barrier)
    {
        return new LatchState(latches, Persistent.put(barriers, name, barrier), cursorIndex);
    }

    @Override
    public LatchState withCursorIndex(final long index)
    {
        return new LatchState(latches, barriers, index);
    }
}

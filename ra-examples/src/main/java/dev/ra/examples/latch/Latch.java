package dev.ra.examples.latch;

import dev.ra.ProcessRef;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One counting latch.
 *
 * @param count       remaining in the current round; 0 when open.
 * @param round       number of successful {@link LatchCommand.TrySetCount}s so far; 0 before the first.
 * @param setters     request ids of the set-counts that started the last {@link LatchMachine#SETTERS_KEPT} rounds,
 *                    oldest first, so that a retry of any of them is recognised even after later rounds started.
 * @param countedDown request ids of this round's count-downs, so that a retry counts once.
 * @param waiters     processes waiting for the count to reach 0, in arrival order.
 */
public record Latch(long count, long round, List<String> setters, Set<String> countedDown, List<ProcessRef> waiters)
{
    /** A latch that was never set: open, round 0. */
    public static final Latch NEW = new Latch(0, 0, List.of(), Set.of(), List.of());

    /** Checks that the collections are not null. */
    public Latch
    {
        Objects.requireNonNull(setters, "setters");
        Objects.requireNonNull(countedDown, "countedDown");
        Objects.requireNonNull(waiters, "waiters");
    }

    /**
     * @return true if the count is 0, so awaiting returns at once.
     */
    public boolean isOpen()
    {
        return 0 == count;
    }

    /**
     * @param awaitedRound the round a waiter was told to wait for.
     * @return true if that round has reached 0 (this round is open, or a later one started).
     */
    public boolean hasOpened(final long awaitedRound)
    {
        return round > awaitedRound || isOpen();
    }
}

package dev.ra.runtime;

import java.util.concurrent.TimeUnit;

/**
 * A one-shot timer on an {@link EventLoop}. Confined to its loop's thread; cancelling only marks it, and the loop
 * skips it when its deadline comes.
 */
final class LoopTimer implements Comparable<LoopTimer>
{
    /**
     * The longest delay a timer waits, about 73 years: a longer one (a machine's timer set "for ever", of
     * {@code Long.MAX_VALUE} ms) is given this one, so that its deadline never overflows and it simply never fires
     * within the life of the process.
     */
    static final long LONGEST_DELAY_NANOS = Long.MAX_VALUE / 4;

    final long deadlineNanos;
    final Runnable action;
    private final long sequence;
    private boolean cancelled;

    /**
     * @param delayMs a delay in milliseconds, from a machine or the settings.
     * @return the delay in nanoseconds, from 0 (for a negative one) to {@link #LONGEST_DELAY_NANOS}.
     */
    static long delayNanos(final long delayMs)
    {
        return Math.min(TimeUnit.MILLISECONDS.toNanos(Math.max(0, delayMs)), LONGEST_DELAY_NANOS);
    }

    LoopTimer(final long deadlineNanos, final long sequence, final Runnable action)
    {
        this.deadlineNanos = deadlineNanos;
        this.sequence = sequence;
        this.action = action;
    }

    void cancel()
    {
        cancelled = true;
    }

    boolean isCancelled()
    {
        return cancelled;
    }

    @Override
    public int compareTo(final LoopTimer other)
    {
        // By difference, as the loop compares deadlines with the clock: nanoTime values may wrap, the distance
        // between two pending deadlines (at most LONGEST_DELAY_NANOS apart) does not.
        final int byDeadline = Long.signum(deadlineNanos - other.deadlineNanos);
        return byDeadline != 0 ? byDeadline : Long.compare(sequence, other.sequence);
    }
}

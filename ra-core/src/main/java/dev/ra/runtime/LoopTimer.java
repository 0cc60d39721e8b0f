package dev.ra.runtime;

/**
 * A one-shot timer on an {@link EventLoop}. Confined to its loop's thread; cancelling only marks it, and the loop
 * skips it when its deadline comes.
 */
final class LoopTimer implements Comparable<LoopTimer>
{
    final long deadlineNanos;
    final Runnable action;
    private final long sequence;
    private boolean cancelled;

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
        final int byDeadline = Long.compare(deadlineNanos, other.deadlineNanos);
        return byDeadline != 0 ? byDeadline : Long.compare(sequence, other.sequence);
    }
}

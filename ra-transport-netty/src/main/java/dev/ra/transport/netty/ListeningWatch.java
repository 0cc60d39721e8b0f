package dev.ra.transport.netty;

/**
 * Tells, for a check that runs periodically on one thread, how long a node has gone unheard while this node was
 * listening. A check that runs much later than its period shows that this node could not listen meanwhile: its
 * process was paused (a long collection, SIGSTOP) or the check's thread was starved. Frames a node sent during the
 * stall may wait unread (the thread that reads them may resume after the check, and the checks that were due during
 * the stall run back to back right after the late one), so a node that could not listen is no judge of who went
 * quiet: after a stall as long as a quarter of the timeout, silence is counted again from its end. A node that stays
 * silent after it is still found out once it went unheard for the whole timeout while this node was listening.
 *
 * <p>A shorter stall leaves the count alone: it cannot by itself make a node that keeps sending look unheard for the
 * whole timeout, while stalls that keep coming (a busy machine, frequent collections) would, if each restarted the
 * count, keep a dead node from ever being found out. Every stall of more than {@value #LATE_PERIODS} periods is
 * still told ({@link #resumedNanos}), for a check that judges from another thread than the one that reads. Not thread
 * safe: one checking thread.
 */
final class ListeningWatch
{
    /** A check this many periods late was stalled: scheduling jitter on a busy machine stays well below. */
    static final int LATE_PERIODS = 3;

    private final long lateNanos;
    private final long restartNanos;
    private long lastCheckNanos;
    /** When this node last resumed after a stall of any length (or started). */
    private long resumedNanos;
    /** When this node last resumed after a stall long enough to restart the count (or started). */
    private long listeningSinceNanos;

    /**
     * @param periodNanos  how often the check runs.
     * @param timeoutNanos how long a node may go unheard while this node listens before the check judges it.
     * @param startNanos   when this node started listening ({@link System#nanoTime()}).
     */
    ListeningWatch(final long periodNanos, final long timeoutNanos, final long startNanos)
    {
        this.lateNanos = LATE_PERIODS * periodNanos;
        this.restartNanos = Math.max(lateNanos, timeoutNanos / 4);
        this.lastCheckNanos = startNanos;
        this.resumedNanos = startNanos;
        this.listeningSinceNanos = startNanos;
    }

    /**
     * A check runs.
     *
     * @param nowNanos the current {@link System#nanoTime()}.
     * @return whether it ran late: this node stalled.
     */
    boolean check(final long nowNanos)
    {
        final long gap = nowNanos - lastCheckNanos;
        lastCheckNanos = nowNanos;
        if (gap > restartNanos)
        {
            listeningSinceNanos = nowNanos;
        }
        if (gap > lateNanos)
        {
            resumedNanos = nowNanos;
            return true;
        }
        return false;
    }

    /**
     * @param nowNanos       the current {@link System#nanoTime()}.
     * @param lastHeardNanos when a frame last arrived from the node.
     * @return how long the node went unheard while this node was listening.
     */
    long unheardNanos(final long nowNanos, final long lastHeardNanos)
    {
        // nanoTime values are compared by their difference only: they may wrap.
        return nowNanos - (lastHeardNanos - listeningSinceNanos > 0 ? lastHeardNanos : listeningSinceNanos);
    }

    /** @return when this node last resumed after a stall of any length, or started ({@link System#nanoTime()}). */
    long resumedNanos()
    {
        return resumedNanos;
    }
}

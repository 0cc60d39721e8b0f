package dev.ra.transport.netty;

/**
 * Tells, for a check that runs periodically on one thread, how long a node has gone unheard while this node was
 * listening. A check that runs much later than its period shows that this node could not listen meanwhile: its
 * process was paused (a long collection, SIGSTOP) or the check's thread was starved. Frames a node sent during the
 * stall may wait unread (the thread that reads them may resume after the check, and the checks that were due during
 * the stall run back to back right after the late one), so a node that could not listen is no judge of who went
 * quiet: silence is counted again from the end of the stall. A node that stays silent after it is still found out once
 * it went unheard for the whole timeout while this node was listening. Not thread safe: one checking thread.
 */
final class ListeningWatch
{
    /** A check this many periods late was stalled: scheduling jitter on a busy machine stays well below. */
    static final int LATE_PERIODS = 3;

    private final long periodNanos;
    private long lastCheckNanos;
    /** When this node last resumed listening after a stall (or started): silence before then does not count. */
    private long listeningSinceNanos;

    /**
     * @param periodNanos how often the check runs.
     * @param startNanos  when this node started listening ({@link System#nanoTime()}).
     */
    ListeningWatch(final long periodNanos, final long startNanos)
    {
        this.periodNanos = periodNanos;
        this.lastCheckNanos = startNanos;
        this.listeningSinceNanos = startNanos;
    }

    /**
     * A check runs.
     *
     * @param nowNanos the current {@link System#nanoTime()}.
     * @return whether it ran late (this node stalled): silence counts again from now.
     */
    boolean check(final long nowNanos)
    {
        final boolean late = nowNanos - lastCheckNanos > LATE_PERIODS * periodNanos;
        lastCheckNanos = nowNanos;
        if (late)
        {
            listeningSinceNanos = nowNanos;
        }
        return late;
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

    /** @return when this node last resumed listening after a stall, or started ({@link System#nanoTime()}). */
    long listeningSinceNanos()
    {
        return listeningSinceNanos;
    }
}

package dev.ra.transport.netty;

/**
 * Tells, for a check that runs periodically on one thread, how long a node has gone unheard while this node was
 * listening. A check that runs much later than its period shows that this node could not listen meanwhile: its
 * process was paused (a long collection, SIGSTOP) or the check's thread was starved. Frames a node sent during the
 * stall may wait unread (the thread that reads them may resume after the check, and the checks that were due during
 * the stall run back to back right after the late one), so a node that could not listen is no judge of who went
 * quiet: a stall as long as a quarter of the timeout does not count as the node's silence (the whole wait of the late
 * check is left out). A node that stays silent is still found out once it went unheard for the whole timeout while
 * this node was listening, however often such stalls come: restarting the count at each one instead would keep a
 * dead node from ever being found out by a node that stalls that long more often than once per timeout.
 *
 * <p>A shorter stall counts: it cannot by itself make a node that keeps sending look unheard for the whole timeout,
 * while a scheduler often a few periods late (a busy machine) would otherwise keep the count from ever growing.
 * Every stall of more than {@value #LATE_PERIODS} periods is still told ({@link #resumedNanos}), for a check that
 * judges from another thread than the one that reads. The last {@value #REMEMBERED_STALLS} stalls left out are
 * remembered; a node unheard since before them is counted unheard from the first of them (less than it was, never
 * more). Not thread safe: one checking thread.
 */
final class ListeningWatch
{
    /** A check this many periods late was stalled: scheduling jitter on a busy machine stays well below. */
    static final int LATE_PERIODS = 3;

    /** How many of the last stalls left out of the count are remembered. */
    static final int REMEMBERED_STALLS = 16;

    private final long lateNanos;
    private final long stallNanos;
    /** When this node started listening: nothing unheard before counts. */
    private final long startNanos;
    private long lastCheckNanos;
    /** When this node last resumed after a stall of any length (or started). */
    private long resumedNanos;
    /** The checks that ended a stall left out of the count, and how long each waited; a ring, oldest overwritten. */
    private final long[] stallEnds = new long[REMEMBERED_STALLS];
    private final long[] stallLengths = new long[REMEMBERED_STALLS];
    /** How many stalls were left out since this node started. */
    private long stalls;

    /**
     * @param periodNanos  how often the check runs.
     * @param timeoutNanos how long a node may go unheard while this node listens before the check judges it.
     * @param startNanos   when this node started listening ({@link System#nanoTime()}).
     */
    ListeningWatch(final long periodNanos, final long timeoutNanos, final long startNanos)
    {
        this.lateNanos = LATE_PERIODS * periodNanos;
        this.stallNanos = Math.max(lateNanos, timeoutNanos / 4);
        this.startNanos = startNanos;
        this.lastCheckNanos = startNanos;
        this.resumedNanos = startNanos;
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
        if (gap > stallNanos)
        {
            final int slot = (int)(stalls % REMEMBERED_STALLS);
            stallEnds[slot] = nowNanos;
            stallLengths[slot] = gap;
            stalls++;
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
        final long heard = lastHeardNanos - startNanos > 0 ? lastHeardNanos : startNanos;
        long unheard = nowNanos - heard;
        final int remembered = (int)Math.min(stalls, REMEMBERED_STALLS);
        for (int i = 1; i <= remembered; i++)
        {
            final int slot = (int)((stalls - i) % REMEMBERED_STALLS);
            final long sinceHeard = stallEnds[slot] - heard;
            if (sinceHeard <= 0)
            {
                // This stall, and every one before it, ended before the node was last heard.
                return unheard;
            }
            // A node heard during the stall (read before the late check) is left out from when it was heard.
            unheard -= Math.min(stallLengths[slot], sinceHeard);
            final long beforeStall = stallEnds[slot] - stallLengths[slot] - heard;
            if (i == REMEMBERED_STALLS && stalls > REMEMBERED_STALLS && beforeStall > 0)
            {
                // Heard before the oldest stall remembered, whose forgotten stalls may come before it: unheard is
                // counted from its start.
                unheard -= beforeStall;
            }
        }
        return unheard;
    }

    /** @return when this node last resumed after a stall of any length, or started ({@link System#nanoTime()}). */
    long resumedNanos()
    {
        return resumedNanos;
    }
}

package dev.ra.runtime;

/**
 * A server's two Raft timers on its event loop: the election timer and the commit-notice timer. Each puts its event
 * in the server's mailbox when it expires. Confined to the server's event loop.
 */
final class ServerTimers
{
    private final EventLoop loop;
    private final RuntimeClock clock;
    private final Runnable electionTimeout;
    private final Runnable commitNoticeDue;
    /** When the election timer expires, or 0 when it is off. */
    private long electionDeadlineNanos;
    private LoopTimer electionTimer;
    private LoopTimer commitNoticeTimer;

    /**
     * @param loop            of the server.
     * @param clock           of the node.
     * @param electionTimeout run when the election timer expires.
     * @param commitNoticeDue run when the commit-notice timer expires.
     */
    ServerTimers(final EventLoop loop, final RuntimeClock clock, final Runnable electionTimeout,
        final Runnable commitNoticeDue)
    {
        this.loop = loop;
        this.clock = clock;
        this.electionTimeout = electionTimeout;
        this.commitNoticeDue = commitNoticeDue;
    }

    void setElectionTimer(final long delayMs)
    {
        final long deadline = clock.nanoTime() + LoopTimer.delayNanos(delayMs);
        electionDeadlineNanos = deadline;
        // Followers reset their timer on every append: keep one loop timer and move the deadline lazily, scheduling
        // a new loop timer only when the deadline moves earlier.
        if (null == electionTimer || electionTimer.isCancelled() || electionTimer.deadlineNanos - deadline > 0)
        {
            if (null != electionTimer)
            {
                electionTimer.cancel();
            }
            electionTimer = loop.schedule(deadline - clock.nanoTime(), this::electionTimerDue);
        }
    }

    void cancelElectionTimer()
    {
        electionDeadlineNanos = 0;
    }

    private void electionTimerDue()
    {
        electionTimer = null;
        if (electionDeadlineNanos == 0)
        {
            return;
        }
        final long remaining = electionDeadlineNanos - clock.nanoTime();
        if (remaining > 0)
        {
            electionTimer = loop.schedule(remaining, this::electionTimerDue);
            return;
        }
        electionDeadlineNanos = 0;
        electionTimeout.run();
    }

    void setCommitNoticeTimer(final long delayMs)
    {
        if (null != commitNoticeTimer)
        {
            commitNoticeTimer.cancel();
        }
        commitNoticeTimer = loop.schedule(LoopTimer.delayNanos(delayMs), this::commitNoticeDue);
    }

    private void commitNoticeDue()
    {
        commitNoticeTimer = null;
        commitNoticeDue.run();
    }

    /**
     * The server stops: no timer fires any more.
     */
    void cancelAll()
    {
        electionDeadlineNanos = 0;
        if (null != electionTimer)
        {
            electionTimer.cancel();
        }
        if (null != commitNoticeTimer)
        {
            commitNoticeTimer.cancel();
        }
    }
}

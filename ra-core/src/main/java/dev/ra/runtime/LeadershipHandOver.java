package dev.ra.runtime;

import dev.ra.RaftRole;
import dev.ra.ServerId;
import dev.ra.core.RaftEvent;
import dev.ra.core.ServerCore;
import java.util.function.Consumer;

/**
 * An orderly stop of a leader (stopServer, closing the system) first hands its leadership to the most up-to-date
 * voter: a leadership transfer (thesis §3.10) whose TimeoutNow makes that voter campaign at once, instead of the
 * cluster waiting for its followers to notice the leader is gone. The stop goes on once this member has stepped down,
 * knows its successor (the commands it kept during the hand-over were redirected there when it learnt of it) and has
 * made an entry of its successor's term durable, which it acknowledges in that step; when the transfer ends with
 * this member still leading (it failed); or after at most the bound given, whichever comes first. Until then the
 * stopping member competes with nobody: its close work starts after the election.
 *
 * <p>Why wait for an entry of the new term: the successor's first entry (its noop) commits once a majority holds it,
 * and the stopping member, which voted for it, is often the first to: the other followers may still be writing their
 * own votes. Stopping on the first message from the successor threw that acknowledgement away, and the first commit
 * of a three-member cluster then waited for its slowest follower.
 */
final class LeadershipHandOver
{
    /** The call id of the hand-over's transfer; the runtime's own calls use positive ids. */
    static final long CALL_ID = Long.MIN_VALUE;

    private final Consumer<RaftEvent> handle;
    private final Scheduler schedule;
    private final Runnable stop;
    /** Built once, with the server: a stop is the moment a failover waits on, and it links no call site then. */
    private final Runnable onDeadline = this::deadlinePassed;
    private boolean underWay;
    private boolean done;
    private LoopTimer deadline;

    /**
     * @param handle   feeds an event to the server's core.
     * @param schedule arms the deadline: delay in nanoseconds, then the action.
     * @param stop     continues the stop.
     */
    LeadershipHandOver(final Consumer<RaftEvent> handle, final Scheduler schedule, final Runnable stop)
    {
        this.handle = handle;
        this.schedule = schedule;
        this.stop = stop;
    }

    /**
     * Start handing over, if the server leads and has a voter to hand over to.
     *
     * @param core       of the server.
     * @param boundNanos longest wait before stopping anyway.
     * @return true if the stop waits for the hand-over; false to stop now.
     */
    boolean begin(final ServerCore core, final long boundNanos)
    {
        if (underWay)
        {
            return true;
        }
        if (done)
        {
            return false;
        }
        final ServerId target = core.handOverTarget();
        if (null == target)
        {
            return false;
        }
        underWay = true;
        deadline = schedule.schedule(boundNanos, onDeadline);
        handle.accept(new RaftEvent.TransferLeadership(CALL_ID, target));
        return underWay;
    }

    /**
     * @param callId of a completed or failed call.
     * @return true if it was the hand-over's transfer: it is nobody's call (whether the stop goes on is decided by
     *     {@link #settled}, after the step).
     */
    static boolean isOwnCall(final long callId)
    {
        return callId == CALL_ID;
    }

    /**
     * After each step of the core while the hand-over is under way: is it over?
     *
     * @param core of the server.
     * @return true once, when the stop may go on: the member stepped down, knows its successor and holds an entry of
     *     its term durably, or it still leads with no transfer under way (the transfer failed or was refused).
     */
    boolean settled(final ServerCore core)
    {
        if (!underWay)
        {
            return false;
        }
        final ServerId leader = core.leaderId();
        final boolean over = core.role() == RaftRole.LEADER ? !core.transferring() :
            null != leader && !leader.equals(core.id()) && core.termAt(core.lastWrittenIndex()) == core.currentTerm();
        if (!over)
        {
            return false;
        }
        underWay = false;
        done = true;
        if (null != deadline)
        {
            deadline.cancel();
        }
        return true;
    }

    private void deadlinePassed()
    {
        if (underWay)
        {
            underWay = false;
            done = true;
            stop.run();
        }
    }

    /** Arms a loop timer. */
    interface Scheduler
    {
        LoopTimer schedule(long delayNanos, Runnable action);
    }
}

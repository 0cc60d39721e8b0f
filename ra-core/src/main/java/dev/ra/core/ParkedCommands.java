package dev.ra.core;

import dev.ra.ServerId;
import dev.ra.protocol.UserCommand;
import java.util.ArrayDeque;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * Commands that arrived while this member was handing its leadership over (thesis §3.10), kept instead of refused,
 * as Ra's leader does in its {@code await_condition} state. None of them is in the log. Once the hand-over ends they
 * are settled in the order they came: appended if this member still leads (the transfer failed), otherwise refused
 * with the new leader as the hint as soon as it is known, so that their callers go straight there instead of backing
 * off and searching; without a hint only if no leader is known within an election timeout, this member campaigns
 * itself, or it stops. Consistent queries of a leadership handed over, and those arriving until its successor is known,
 * wait with them and are refused the same way (or run, if this member leads again).
 *
 * <p>Mutable; owned by the {@link ServerCore}, because the commands outlive the leadership that parked them.
 */
final class ParkedCommands
{
    /**
     * @param version the machine version commands appended were applied with when it arrived: the one the runtime
     *                checked it with.
     */
    private record Parked(UserCommand command, ReplyMode mode, int version)
    {
    }

    private final ArrayDeque<Parked> queue = new ArrayDeque<>();
    /** Consistent queries of a leadership handed over, waiting for its successor like the commands. */
    private final ArrayDeque<Long> queries = new ArrayDeque<>();
    private final ServerCore core;
    private final int capacity;
    /**
     * What the kept commands take, counted as the leader counts what it holds appended and bounded by the same
     * {@link CoreConfig#maxUncommittedBytes()}: a count alone let large commands keep gigabytes during a slow
     * hand-over.
     */
    private long bytes;
    /** When the commands are refused without a hint if no leader is known by then; only once leadership ended. */
    private long leaderAwaitedUntilMs = Long.MAX_VALUE;
    /** The member is stopping: what it parks is never appended, even if it leads on. */
    private boolean stopping;

    /**
     * @param core     of the member.
     * @param capacity most commands kept; more are refused at once (so are those past the byte limit).
     */
    ParkedCommands(final ServerCore core, final int capacity)
    {
        this.core = core;
        this.capacity = capacity;
    }

    /**
     * After each event: settle the commands if the hand-over is over and its outcome known (with none kept, just end
     * the wait for the successor).
     */
    void settle()
    {
        if (queue.isEmpty() && queries.isEmpty() && leaderAwaitedUntilMs == Long.MAX_VALUE)
        {
            return;
        }
        final RoleHandler role = core.current();
        final ServerId leader = core.leaderId;
        if (role == core.leader)
        {
            if (stopping && !core.leader.transferring())
            {
                refuseAll(core.actions, null);
            }
            else if (!core.leader.transferring())
            {
                takeAll(core.leader::onClientCommand);
            }
        }
        else if (!role.ended() && null != leader && !leader.equals(core.self))
        {
            refuseAll(core.actions, leader);
        }
        else if (role.ended() || role == core.preCandidate || role == core.candidate || leaderWaitOver(core.nowMs))
        {
            // Deleted, campaigning itself, or no leader heard of in time: the callers look for one themselves.
            refuseAll(core.actions, null);
        }
    }

    /**
     * @return whether a command was taken (false: the queue is full, refuse it as before).
     */
    boolean park(final UserCommand command, final ReplyMode mode)
    {
        final long counted = CoreConfig.uncommittedBytesOf(command);
        if (queue.size() >= capacity || 0 != bytes && bytes + counted > core.config.maxUncommittedBytes())
        {
            return false;
        }
        queue.add(new Parked(command, mode, core.versions.neededForLog()));
        bytes += counted;
        return true;
    }

    /**
     * Keep a consistent query until the successor is known, then refuse it with the successor as the hint (or, if
     * this member leads again, run it). Only while {@link #awaitingSuccessor}, or for the queries of the leadership
     * being handed over as it ends. Never refused for lack of room: a query holds nothing but its id.
     *
     * @param queryId of the query.
     */
    void keepQuery(final long queryId)
    {
        queries.add(queryId);
    }

    /**
     * @return whether a leadership that parked commands or handed itself over ended and its successor is awaited and
     *     not known yet: commands and consistent queries that arrive now wait for it too.
     */
    boolean awaitingSuccessor()
    {
        return leaderAwaitedUntilMs != Long.MAX_VALUE && null == core.leaderId;
    }

    /**
     * The leadership ended: wait for its successor until {@code untilMs} at most (kept if already waiting), if
     * commands are kept or the leadership was handed over. A member that handed its leadership over waits even with
     * nothing kept: callers still send it commands until they learn of the successor, and the successor's id is a
     * heartbeat away, so each of them is sent straight there instead of backing off and searching.
     *
     * @param untilMs    the end of the wait.
     * @param handedOver whether the leadership ended by a transfer this member began.
     */
    void leadershipEnded(final long untilMs, final boolean handedOver)
    {
        if ((handedOver || !queue.isEmpty()) && leaderAwaitedUntilMs == Long.MAX_VALUE)
        {
            leaderAwaitedUntilMs = untilMs;
        }
    }

    /**
     * The member stops: refuse what is parked, and from now on never append what it parks.
     *
     * @param leaderHint the leader known, or null.
     */
    void stopping(final ServerId leaderHint)
    {
        stopping = true;
        refuseAll(core.actions, leaderHint);
    }

    /**
     * @return whether the wait for a leader to redirect to is over.
     */
    private boolean leaderWaitOver(final long nowMs)
    {
        return nowMs >= leaderAwaitedUntilMs;
    }

    /**
     * This member leads again with no transfer under way: each command is taken as if it had just arrived, unless the
     * version commands are applied with changed since it arrived (a voter reported an upgraded build meanwhile and the
     * switch was appended): the runtime checked it with the other version, so it is not taken, and its caller sends
     * it again, to be checked with this one (an older build's bytes the new version cannot read would otherwise be
     * appended to fail at their apply on every member).
     */
    private void takeAll(final BiConsumer<UserCommand, ReplyMode> take)
    {
        leaderAwaitedUntilMs = Long.MAX_VALUE;
        bytes = 0;
        Parked parked;
        while (null != (parked = queue.poll()))
        {
            if (parked.version() == core.versions.neededForLog() ||
                core.mutation == Mutation.PARKED_COMMAND_TAKEN_ACROSS_SWITCH)
            {
                take.accept(parked.command(), parked.mode());
            }
            else
            {
                core.actions.add(new RaftAction.CommandNotTaken(parked.command(), parked.mode(), core.self));
            }
        }
        Long queryId;
        while (null != (queryId = queries.poll()))
        {
            core.leader.onConsistentQuery(queryId);
        }
    }

    /**
     * Refuse every command: none was appended, so the outcome is definite and the caller may send it elsewhere.
     *
     * @param leaderHint where to send them, or null if no leader is known.
     */
    void refuseAll(final List<RaftAction> actions, final ServerId leaderHint)
    {
        leaderAwaitedUntilMs = Long.MAX_VALUE;
        bytes = 0;
        Parked parked;
        while (null != (parked = queue.poll()))
        {
            actions.add(new RaftAction.CommandNotTaken(parked.command(), parked.mode(), leaderHint));
        }
        Long queryId;
        while (null != (queryId = queries.poll()))
        {
            actions.add(new RaftAction.CallFailed(queryId, CallError.NOT_LEADER, leaderHint));
        }
    }
}

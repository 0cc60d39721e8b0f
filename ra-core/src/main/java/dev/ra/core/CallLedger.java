package dev.ra.core;

import dev.ra.ServerId;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The calls a leader owes an outcome: commands awaiting their apply, the configuration change, leadership transfer
 * and cluster deletion in progress, and (through the {@link ReadIndexQueue}) consistent queries. When leadership
 * ends, {@link #failAll} fails every one of them at once, so none is left waiting.
 *
 * <p>Mutable; owned by the leader.
 */
final class CallLedger
{
    private record PendingReply(long index, ReplyMode mode)
    {
    }

    private final ArrayDeque<PendingReply> replies = new ArrayDeque<>();
    private final List<RaftAction> actions;
    private final ReadIndexQueue reads;
    private long configCallId = -1;
    private long deleteCallId = -1;
    private long transferCallId;
    private boolean transferAwaited;

    /**
     * @param actions where outcomes are emitted.
     * @param reads   the leader's consistent queries, failed with the rest.
     */
    CallLedger(final List<RaftAction> actions, final ReadIndexQueue reads)
    {
        this.actions = actions;
        this.reads = reads;
    }

    /**
     * A new leadership owes nothing yet.
     */
    void reset()
    {
        replies.clear();
        configCallId = -1;
        deleteCallId = -1;
        transferAwaited = false;
    }

    /**
     * @param index of the command's entry.
     * @param mode  how its caller wants the outcome.
     */
    void awaitApply(final long index, final ReplyMode mode)
    {
        replies.add(new PendingReply(index, mode));
    }

    /**
     * The entry at {@code index} was applied: reply to its caller; callers of earlier entries that were not applied
     * here (overwritten) are dropped.
     *
     * @param index          of the entry.
     * @param reply          the machine's reply.
     * @param machineVersion whose logic applied it.
     */
    void replyApplied(final long index, final Object reply, final int machineVersion)
    {
        while (!replies.isEmpty() && replies.peekFirst().index() <= index)
        {
            final PendingReply pending = replies.pollFirst();
            if (pending.index() != index)
            {
                continue;
            }
            if (pending.mode() instanceof ReplyMode.AwaitConsensus await)
            {
                actions.add(new RaftAction.ReplyToCaller(await.callId(), index, reply, machineVersion));
            }
            else if (pending.mode() instanceof ReplyMode.Notify notify)
            {
                actions.add(new RaftAction.NotifyApplied(notify.to(), notify.correlation(), reply,
                    machineVersion));
            }
        }
    }

    /**
     * @param callId of the configuration change just appended, or -1 when no caller waits (a promotion).
     */
    void awaitConfig(final long callId)
    {
        configCallId = callId;
    }

    /**
     * The pending configuration committed: complete its call, if any.
     *
     * @param index of its entry.
     * @param term  of its entry.
     */
    void configCommitted(final long index, final long term)
    {
        if (configCallId >= 0)
        {
            actions.add(new RaftAction.CallCompleted(configCallId, index, term));
            configCallId = -1;
        }
    }

    /**
     * @param callId of the leadership transfer just started.
     */
    void awaitTransfer(final long callId)
    {
        transferCallId = callId;
        transferAwaited = true;
    }

    /**
     * @return whether the transfer's caller still waits (its TimeoutNow is not sent yet).
     */
    boolean transferAwaited()
    {
        return transferAwaited;
    }

    /**
     * The target was sent TimeoutNow: the transfer's call completes.
     */
    void transferHandedOver()
    {
        transferAwaited = false;
        actions.add(new RaftAction.CallCompleted(transferCallId, 0, 0));
    }

    /**
     * The target did not catch up in time: the transfer's call fails, if it still waits.
     */
    void transferTimedOut()
    {
        if (transferAwaited)
        {
            actions.add(new RaftAction.CallFailed(transferCallId, CallError.NOT_UP_TO_DATE, null));
        }
        transferAwaited = false;
    }

    /**
     * @param callId of the cluster deletion just appended.
     */
    void awaitDelete(final long callId)
    {
        deleteCallId = callId;
    }

    /**
     * @return whether a cluster deletion is in progress (new commands and changes are refused).
     */
    boolean deleting()
    {
        return deleteCallId >= 0;
    }

    /**
     * The deletion committed: complete its call.
     *
     * @param index of its entry.
     * @param term  of its entry.
     */
    void deleteCommitted(final long index, final long term)
    {
        if (deleteCallId >= 0)
        {
            actions.add(new RaftAction.CallCompleted(deleteCallId, index, term));
            deleteCallId = -1;
        }
    }

    /**
     * Leadership ended: fail every call still owed an outcome. A command's entry may yet commit under the next
     * leader, so its outcome is unknown ({@link CallError#LEADERSHIP_LOST}), never "not applied".
     *
     * @param leaderHint the leader now known, or null.
     */
    void failAll(final ServerId leaderHint)
    {
        for (final PendingReply pending : replies)
        {
            if (pending.mode() instanceof ReplyMode.AwaitConsensus await)
            {
                actions.add(new RaftAction.CallFailed(await.callId(), CallError.LEADERSHIP_LOST, leaderHint));
            }
        }
        replies.clear();
        reads.failAll(leaderHint);
        if (configCallId >= 0)
        {
            actions.add(new RaftAction.CallFailed(configCallId, CallError.LEADERSHIP_LOST, leaderHint));
            configCallId = -1;
        }
        if (transferAwaited)
        {
            actions.add(new RaftAction.CallFailed(transferCallId, CallError.LEADERSHIP_LOST, leaderHint));
        }
        transferAwaited = false;
        if (deleteCallId >= 0)
        {
            actions.add(new RaftAction.CallFailed(deleteCallId, CallError.LEADERSHIP_LOST, leaderHint));
        }
        deleteCallId = -1;
    }
}

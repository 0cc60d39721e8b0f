package dev.ra.core;

import dev.ra.ServerId;
import dev.ra.protocol.Member;
import dev.ra.protocol.RaftRpc.TimeoutNowRpc;

/**
 * A leader handing its leadership to a chosen voter (thesis §3.10): new commands are kept out of the log (parked,
 * {@link ParkedCommands}) so that the target catches up and stays caught up, then the target is told to campaign at
 * once (TimeoutNow). The call completes when TimeoutNow is sent, and fails ({@code NOT_UP_TO_DATE}) if the target has
 * not caught up within an election timeout (its upper bound, or {@code awaitConditionTimeoutMs} if shorter): the
 * thesis and etcd give a transfer that long, and every new command waits for it, so a target that cannot catch up
 * (what the leader sends it is lost, it is far behind) must not hold the cluster's writes for longer; the caller may
 * ask again once it caught up. The transfer lasts until this member steps down, or gives up: when the target has not
 * caught up in time, or has not taken over within an election timeout of TimeoutNow (it was lost, or the target lost
 * its election); this member then leads on and appends the parked commands.
 *
 * <p>Mutable; owned by the {@link LeaderRole}; the call itself is in its {@link CallLedger}.
 */
final class LeadershipTransfer
{
    private final ServerCore core;
    private final LeaderRole leader;
    private ServerId target;
    private long deadlineMs;

    LeadershipTransfer(final ServerCore core, final LeaderRole leader)
    {
        this.core = core;
        this.leader = leader;
    }

    /**
     * No transfer (a new leadership, or the end of one).
     */
    void reset()
    {
        target = null;
    }

    /**
     * @return whether a transfer is under way (commands are parked).
     */
    boolean inProgress()
    {
        return null != target;
    }

    void start(final long callId, final ServerId to)
    {
        if (to.equals(core.self))
        {
            core.actions.add(new RaftAction.CallCompleted(callId, 0, 0));
            return;
        }
        final Member member = core.findMember(to);
        if (null == member)
        {
            core.actions.add(new RaftAction.CallFailed(callId, CallError.NOT_MEMBER, core.self));
            return;
        }
        if (!member.isVoter())
        {
            core.actions.add(new RaftAction.CallFailed(callId, CallError.NON_VOTER, core.self));
            return;
        }
        final PeerProgress peer = leader.peers.get(to);
        if (null != target)
        {
            core.actions.add(new RaftAction.CallFailed(callId, CallError.NOT_PERMITTED, core.self, "a transfer of " +
                "the leadership to " + target + " is under way; ask again once it is done"));
            return;
        }
        if (null == peer || !peer.supportsMachineVersion(core.versions.neededForLog()))
        {
            // The target's build is not known to apply the log (the machine version in force, or one a switch not yet
            // applied moves to).
            core.actions.add(new RaftAction.CallFailed(callId, CallError.NOT_PERMITTED, core.self, to + " is not " +
                "known to run a build that applies machine version " + core.versions.neededForLog() + ", which " +
                "the log needs (docs/UPGRADES.md); upgrade it first, or wait until it has replied to the leader"));
            return;
        }
        if (core.unreachable.contains(to))
        {
            // A member reported down and not heard from since (stopped, its node down) cannot catch up or take over:
            // refused at once, rather than parking every new command until the transfer's deadline for nothing.
            core.actions.add(new RaftAction.CallFailed(callId, CallError.NOT_UP_TO_DATE, core.self));
            return;
        }
        target = to;
        leader.calls.awaitTransfer(callId);
        deadlineMs = core.nowMs + Math.min(core.config.awaitConditionTimeoutMs(), core.config.electionTimeoutMaxMs());
        maybeSendTimeoutNow();
    }

    /**
     * Send TimeoutNow once the target holds the whole log and all of it is committed: every command this leader took
     * has its reply before it steps down, so none of its callers is left with an unknown outcome (nothing is appended
     * meanwhile, so this takes one round at most).
     */
    void maybeSendTimeoutNow()
    {
        if (null == target || !leader.calls.transferAwaited())
        {
            return;
        }
        final PeerProgress peer = leader.peers.get(target);
        if (null != peer && peer.matchIndex == core.log.lastIndex() && core.commitIndex == core.log.lastIndex())
        {
            // New commands are parked while transferring, so the target stays caught up (thesis §3.10).
            core.send(target, new TimeoutNowRpc(core.currentTerm, core.self));
            leader.calls.transferHandedOver();
            // The target campaigns at once: if it has not won within an election timeout, it will not (thesis §3.10).
            deadlineMs = Math.min(deadlineMs, core.nowMs + core.config.electionTimeoutMaxMs());
        }
    }

    /**
     * Give up once the deadline has passed.
     */
    void onTick()
    {
        if (null != target && core.nowMs >= deadlineMs)
        {
            leader.calls.transferTimedOut();
            target = null;
        }
    }
}

package dev.ra.core;

import dev.ra.Effect;
import dev.ra.RaftRole;
import dev.ra.ServerId;
import dev.ra.protocol.EntryPayload;
import dev.ra.protocol.Member;
import dev.ra.protocol.RaftRpc;
import dev.ra.protocol.RaftRpc.AppendEntriesReply;
import dev.ra.protocol.RaftRpc.AppendEntriesRpc;
import dev.ra.protocol.RaftRpc.HeartbeatReply;
import dev.ra.protocol.RaftRpc.HeartbeatRpc;
import dev.ra.protocol.RaftRpc.InstallSnapshotReply;
import dev.ra.protocol.RaftRpc.InstallSnapshotRpc;
import dev.ra.protocol.RaftRpc.PreVoteReply;
import dev.ra.protocol.RaftRpc.PreVoteRpc;
import dev.ra.protocol.RaftRpc.RequestVoteReply;
import dev.ra.protocol.RaftRpc.RequestVoteRpc;
import dev.ra.protocol.RaftRpc.TimeoutNowRpc;
import dev.ra.protocol.UserCommand;

/**
 * What a member does with an event in one role (etcd raft's {@code stepLeader}, {@code stepFollower},
 * {@code stepCandidate}). {@link ServerCore} does what every role does alike (terms, reachability, durability,
 * snapshots written) and hands the rest of each event to the handler of its current role, which {@link #step}s it.
 *
 * <p>The methods here are what a member does in a role that does not override them: it is not the leader (commands,
 * queries and changes are refused with the leader it knows), takes a leader from its AppendEntries or snapshot, and
 * ignores replies to requests it did not make. Each role overrides what it does differently; a method that a role
 * may leave for another (a follower that becomes a candidate) looks the new role up in the core, never assumes it.
 */
abstract sealed class RoleHandler
    permits FollowerRole, SnapshotReceiverRole, PreCandidateRole, CandidateRole, LeaderRole, InertRole
{
    final ServerCore core;
    private final RaftRole state;

    RoleHandler(final ServerCore core, final RaftRole state)
    {
        this.core = core;
        this.state = state;
    }

    /**
     * @return the role this handler plays.
     */
    final RaftRole state()
    {
        return state;
    }

    /**
     * Handle an event that the core has no common handling for.
     *
     * @param event that happened.
     */
    final void step(final RaftEvent event)
    {
        if (event instanceof RaftEvent.ClientCommand command)
        {
            onClientCommand(command.command(), command.replyMode());
        }
        else if (event instanceof RaftEvent.ConsistentQuery query)
        {
            onConsistentQuery(query.queryId());
        }
        else if (event instanceof RaftEvent.Tick)
        {
            onTick();
        }
        else if (event instanceof RaftEvent.ElectionTimeout)
        {
            onElectionTimeout();
        }
        else if (event instanceof RaftEvent.CommitNoticeDue)
        {
            onCommitNoticeDue();
        }
        else if (event instanceof RaftEvent.BuiltinTriggered builtin)
        {
            onBuiltin(new EntryPayload.Builtin(builtin.command()));
        }
        else if (event instanceof RaftEvent.AddMember add)
        {
            onAddMember(add.callId(), add.member());
        }
        else if (event instanceof RaftEvent.RemoveMember remove)
        {
            onRemoveMember(remove.callId(), remove.server());
        }
        else if (event instanceof RaftEvent.TransferLeadership transfer)
        {
            onTransferLeadership(transfer.callId(), transfer.target());
        }
        else if (event instanceof RaftEvent.TriggerElection)
        {
            onTriggerElection();
        }
        else if (event instanceof RaftEvent.DeleteCluster delete)
        {
            onDeleteCluster(delete.callId());
        }
        else
        {
            throw new IllegalStateException("unhandled event " + event);
        }
    }

    /**
     * Handle a message of the current term (or an older one that the core does not refuse alike for every role).
     *
     * @param from sender.
     * @param rpc  the message.
     */
    final void stepRpc(final ServerId from, final RaftRpc rpc)
    {
        if (rpc instanceof AppendEntriesRpc append)
        {
            onAppendEntries(from, append);
        }
        else if (rpc instanceof AppendEntriesReply reply)
        {
            onAppendEntriesReply(from, reply);
        }
        else if (rpc instanceof HeartbeatRpc heartbeat)
        {
            onHeartbeat(from, heartbeat);
        }
        else if (rpc instanceof HeartbeatReply reply)
        {
            onHeartbeatReply(from, reply);
        }
        else if (rpc instanceof PreVoteRpc preVote)
        {
            onPreVote(from, preVote);
        }
        else if (rpc instanceof PreVoteReply reply)
        {
            onPreVoteReply(from, reply);
        }
        else if (rpc instanceof RequestVoteRpc vote)
        {
            onRequestVote(from, vote);
        }
        else if (rpc instanceof RequestVoteReply reply)
        {
            onRequestVoteReply(from, reply);
        }
        else if (rpc instanceof InstallSnapshotRpc install)
        {
            onInstallSnapshot(from, install);
        }
        else if (rpc instanceof InstallSnapshotReply reply)
        {
            onInstallSnapshotReply(from, reply);
        }
        else if (rpc instanceof TimeoutNowRpc timeoutNow)
        {
            onTimeoutNow(timeoutNow);
        }
        else
        {
            throw new IllegalStateException("unhandled rpc " + rpc);
        }
    }

    // ------------------------------------------------------------------------------------------------ messages

    void onAppendEntries(final ServerId from, final AppendEntriesRpc rpc)
    {
        core.followLeader(rpc.leaderId());
        core.follower.acceptEntries(from, rpc);
    }

    void onAppendEntriesReply(final ServerId from, final AppendEntriesReply reply)
    {
    }

    void onHeartbeat(final ServerId from, final HeartbeatRpc rpc)
    {
        // A heartbeat confirms only a leader already followed. It carries no commit index, so a member that restarted
        // (and forgot the commit index) and took its leader from a heartbeat would wait forever in an idle cluster;
        // without one it keeps its election timer, and its pre-vote makes the leader probe it with an AppendEntries.
        if (rpc.term() == core.currentTerm && rpc.leaderId().equals(core.leaderId))
        {
            core.followLeader(rpc.leaderId());
        }
        core.answerHeartbeat(from, rpc);
    }

    void onHeartbeatReply(final ServerId from, final HeartbeatReply reply)
    {
    }

    void onPreVote(final ServerId from, final PreVoteRpc rpc)
    {
        forgetLeaderIfCampaigning(rpc);
        core.election.answerPreVote(from, rpc);
    }

    void onPreVoteReply(final ServerId from, final PreVoteReply reply)
    {
    }

    void onRequestVote(final ServerId from, final RequestVoteRpc rpc)
    {
        // Unlike a pre-vote request, it never means that the leader we follow campaigns again: its campaign would be of
        // a later term, which made us forget it already (ServerCore.stepDown). One of this term or an earlier one is
        // the request it sent before it won, delayed in the network, and forgetting it would leave us leaderless (and
        // drop a snapshot being received from it) until our election timer found it leading.
        core.election.answerRequestVote(from, rpc);
    }

    void onRequestVoteReply(final ServerId from, final RequestVoteReply reply)
    {
    }

    void onInstallSnapshot(final ServerId from, final InstallSnapshotRpc rpc)
    {
        core.followLeader(rpc.leaderId());
        core.receiver.receiveChunk(from, rpc);
    }

    void onInstallSnapshotReply(final ServerId from, final InstallSnapshotReply reply)
    {
    }

    void onTimeoutNow(final TimeoutNowRpc rpc)
    {
    }

    // ------------------------------------------------------------------------------------------------ events

    void onClientCommand(final UserCommand command, final ReplyMode mode)
    {
        if (core.parked.awaitingSuccessor() && core.parked.park(command, mode))
        {
            // Our hand-over's successor is not known yet: wait with the commands kept during it, for its id.
            return;
        }
        core.actions.add(new RaftAction.CommandNotTaken(command, mode, core.leaderId));
    }

    void onConsistentQuery(final long queryId)
    {
        if (core.parked.awaitingSuccessor())
        {
            // Our hand-over's successor is not known yet: wait for its id, as commands do.
            core.parked.keepQuery(queryId);
            return;
        }
        notLeader(queryId);
    }

    void onTick()
    {
    }

    void onElectionTimeout()
    {
    }

    void onCommitNoticeDue()
    {
    }

    void onBuiltin(final EntryPayload.Builtin builtin)
    {
    }

    void onAddMember(final long callId, final Member member)
    {
        notLeader(callId);
    }

    void onRemoveMember(final long callId, final ServerId server)
    {
        notLeader(callId);
    }

    void onTransferLeadership(final long callId, final ServerId target)
    {
        notLeader(callId);
    }

    void onTriggerElection()
    {
    }

    void onDeleteCluster(final long callId)
    {
        notLeader(callId);
    }

    private void notLeader(final long callId)
    {
        core.actions.add(new RaftAction.CallFailed(callId, CallError.NOT_LEADER, core.leaderId));
    }

    // ------------------------------------------------------------------------------------------------ hooks

    /**
     * Our leader asks for pre-votes: see {@link FollowerRole#forgetLeaderIfCampaigning}. Candidates, pre-candidates and
     * the leader name no other leader.
     *
     * @param rpc the pre-vote request.
     */
    void forgetLeaderIfCampaigning(final PreVoteRpc rpc)
    {
    }

    /**
     * This member just granted its vote.
     */
    void onVoteGranted()
    {
    }

    /**
     * The log is durable further (the core has recorded it).
     */
    void onLogWritten()
    {
    }

    /**
     * The leader is reported gone or silent: a member receiving its snapshot drops it.
     */
    void abandonSnapshotTransfer()
    {
    }

    /**
     * A peer was reported down (its connection closed, its server stopped).
     *
     * @param peer that is down.
     */
    void onPeerUnreachable(final ServerId peer)
    {
    }

    /**
     * The leader's node sent nothing for a while but its connection is open.
     */
    void onLeaderSilent()
    {
    }

    /**
     * @param peer reported reachable again.
     */
    void onPeerReachable(final ServerId peer)
    {
    }

    /**
     * A snapshot was installed (the core has adopted it).
     */
    void onSnapshotInstalled()
    {
    }

    /**
     * Send what the flush owes beyond the log write: only a leader replicates.
     */
    void onFlush()
    {
    }

    /**
     * A command was applied (not replayed).
     *
     * @param index        of its entry.
     * @param commandBytes its encoded size.
     * @param reply        the machine's reply, or its failure.
     */
    void onCommandApplied(final long index, final long commandBytes, final Object reply)
    {
    }

    /**
     * A noop was applied (not replayed).
     *
     * @param index of its entry.
     */
    void onNoopApplied(final long index)
    {
    }

    /**
     * A configuration entry was applied (not replayed).
     *
     * @param index of its entry.
     * @param term  of its entry.
     */
    void onConfigurationApplied(final long index, final long term)
    {
    }

    /**
     * A cluster deletion was applied (not replayed), just before the member ends.
     *
     * @param index of its entry.
     * @param term  of its entry.
     */
    void onDeleteApplied(final long index, final long term)
    {
    }

    /**
     * Applying committed entries has finished for now.
     */
    void afterApply()
    {
    }

    /**
     * Whether a machine effect runs in this role. Outside the leader only demonitoring runs: what a follower's
     * machine asks for is done by the leader's.
     *
     * @param effect asked for by the machine.
     * @return true to hand it to the runtime.
     */
    boolean runsEffect(final Effect effect)
    {
        return effect instanceof Effect.Demonitor || effect instanceof Effect.DemonitorNode;
    }

    /**
     * This role ends (the core has switched to the next).
     */
    void onLeave()
    {
    }

    /**
     * @return the voter a leader about to stop should hand over to, or null (see {@link ServerCore#handOverTarget}).
     */
    ServerId handOverTarget()
    {
        return null;
    }

    /**
     * @return whether ticks could change anything: only a leader acts on them.
     */
    boolean wantsTicks()
    {
        return false;
    }

    /**
     * @return whether the member has ended (deleted or stopped): it handles no more events.
     */
    boolean ended()
    {
        return state == RaftRole.STOPPED || state == RaftRole.EOL;
    }

    @Override
    public String toString()
    {
        return state.toString();
    }
}

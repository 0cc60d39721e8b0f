package dev.ra.core;

import dev.ra.RaftRole;
import dev.ra.ServerId;
import dev.ra.protocol.Member;
import dev.ra.protocol.RaftRpc.RequestVoteReply;
import dev.ra.protocol.RaftRpc.RequestVoteRpc;

/**
 * A member campaigning in a new term (§5.2): it votes for itself, persists that before asking anyone (thesis §3.8),
 * and leads once a majority of voters granted their vote in this term.
 */
final class CandidateRole extends RoleHandler
{
    /** Whether this campaign's split was seen and its retry timer set (once per campaign). */
    private boolean retryArmed;

    CandidateRole(final ServerCore core)
    {
        super(core, RaftRole.CANDIDATE);
    }

    /**
     * Start an election in the next term.
     */
    void campaign()
    {
        core.counters.elections++;
        core.currentTerm++;
        core.votedFor = core.self;
        core.leaderId = null;
        core.verifiedUpTo = 0;
        core.lastAckSent = 0;
        core.persistTermAndVote();
        core.election.startCounting();
        retryArmed = false;
        core.changeRole(this);
        if (core.election.hasQuorum())
        {
            core.leader.lead();
            return;
        }
        for (final Member member : core.configs.current())
        {
            if (member.isVoter() && !member.id().equals(core.self))
            {
                core.send(member.id(), new RequestVoteRpc(core.currentTerm, core.self, core.log.lastIndex(),
                    core.log.lastTerm()));
            }
        }
        core.setElectionTimer();
    }

    @Override
    void onRequestVote(final ServerId from, final RequestVoteRpc rpc)
    {
        super.onRequestVote(from, rpc);
        if (rpc.term() == core.currentTerm && core.current() == this)
        {
            // A rival of this term: it voted for itself, as this member did, so this one refused it.
            core.election.rival(from);
            retrySoonIfSplit();
        }
    }

    @Override
    void onRequestVoteReply(final ServerId from, final RequestVoteReply reply)
    {
        if (!reply.granted() && reply.term() == core.currentTerm)
        {
            core.election.refused(from);
            retrySoonIfSplit();
            return;
        }
        if (!reply.granted() ||
            (reply.term() != core.currentTerm && core.mutation != Mutation.COUNT_VOTE_FROM_OLDER_TERM))
        {
            return;
        }
        core.election.granted(from);
        if (core.election.hasQuorum())
        {
            core.leader.lead();
            return;
        }
        retrySoonIfSplit();
    }

    /**
     * A split vote (no one can win this term) is retried after the short campaign jitter, not a whole election
     * timeout: the rivals learn of the split together, each draws its own jitter, and the first to campaign again
     * usually wins before the next one starts (as after a leader reported down). Otherwise a split after a failover
     * doubled its downtime: a whole election timeout more, 300 to 600 ms by default.
     */
    private void retrySoonIfSplit()
    {
        if (!retryArmed && core.mutation != Mutation.SPLIT_VOTE_WAITS_FOR_TIMEOUT && core.election.lostToASplit())
        {
            retryArmed = true;
            core.setElectionTimer(SilentLeader.campaignJitterMs(core.config, core.random));
        }
    }

    @Override
    void onElectionTimeout()
    {
        if (core.isVoter(core.self))
        {
            core.election.onTimeout();
        }
    }
}

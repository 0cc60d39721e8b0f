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
    void onRequestVoteReply(final ServerId from, final RequestVoteReply reply)
    {
        if (!reply.granted() ||
            (reply.term() != core.currentTerm && core.mutation != Mutation.COUNT_VOTE_FROM_OLDER_TERM))
        {
            return;
        }
        core.election.granted(from);
        if (core.election.hasQuorum())
        {
            core.leader.lead();
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

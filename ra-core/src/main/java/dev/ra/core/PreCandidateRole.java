package dev.ra.core;

import dev.ra.RaftRole;
import dev.ra.ServerId;
import dev.ra.protocol.RaftRpc.PreVoteReply;

/**
 * A member asking whether it could win an election before it starts one (pre-vote, thesis §9.6): its term and vote
 * stay as they are, so a member that alone lost touch with a live leader does not depose it. A majority of granted
 * pre-votes makes it a {@link CandidateRole}.
 */
final class PreCandidateRole extends RoleHandler
{
    PreCandidateRole(final ServerCore core)
    {
        super(core, RaftRole.PRE_VOTE);
    }

    /**
     * Start a pre-vote round.
     */
    void campaign()
    {
        core.counters.preVotes++;
        core.leaderId = null;
        core.election.startPreVote();
        core.changeRole(this);
        if (core.election.hasQuorum() || core.mutation == Mutation.ELECTION_WITHOUT_PRE_VOTE)
        {
            core.candidate.campaign();
            return;
        }
        core.election.sendPreVotes();
        core.setElectionTimer();
    }

    @Override
    void onPreVoteReply(final ServerId from, final PreVoteReply reply)
    {
        if (!core.election.grantsLatestPreVote(reply))
        {
            return;
        }
        core.election.granted(from);
        if (core.election.hasQuorum())
        {
            core.candidate.campaign();
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

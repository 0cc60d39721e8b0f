package dev.ra.core;

import dev.ra.RaftState;
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
        super(core, RaftState.PRE_VOTE);
    }

    /**
     * Start a pre-vote round.
     */
    void campaign()
    {
        core.counters.preVotes++;
        core.leaderId = null;
        core.preVoteToken++;
        core.votesGranted.clear();
        core.votesGranted.add(core.self);
        core.changeRole(this);
        if (core.hasVoteQuorum())
        {
            core.candidate.campaign();
            return;
        }
        core.sendPreVotes();
        core.setElectionTimer();
    }

    @Override
    void onPreVoteReply(final ServerId from, final PreVoteReply reply)
    {
        if (reply.token() != core.preVoteToken || !reply.granted())
        {
            return;
        }
        core.votesGranted.add(from);
        if (core.hasVoteQuorum())
        {
            core.candidate.campaign();
        }
    }

    @Override
    void onElectionTimeout()
    {
        if (core.isVoter(core.self))
        {
            core.campaign();
        }
    }
}

package dev.ra.core;

import dev.ra.ServerId;
import dev.ra.protocol.Member;
import dev.ra.protocol.RaftRpc.PreVoteReply;
import dev.ra.protocol.RaftRpc.PreVoteRpc;
import dev.ra.protocol.RaftRpc.RequestVoteReply;
import dev.ra.protocol.RaftRpc.RequestVoteRpc;
import java.util.HashSet;
import java.util.Set;

/**
 * Elections as every role sees them: the votes a campaign of this member has gathered, the pre-vote and vote it
 * grants others (§5.2, §5.4.1, thesis §9.6), and what an election timeout starts. The campaigns themselves are
 * {@link PreCandidateRole#campaign} and {@link CandidateRole#campaign}.
 *
 * <p>Mutable; owned by the core.
 */
final class Election
{
    private final ServerCore core;
    /** Who granted this member's pre-vote or vote in the current campaign. */
    private final Set<ServerId> votesGranted = new HashSet<>();
    /** Tells the answers to this member's latest pre-vote request from those to earlier ones. */
    private long preVoteToken;

    Election(final ServerCore core)
    {
        this.core = core;
    }

    /**
     * Campaign after an election timeout: pre-vote first (thesis §9.6), or, recovering damaged storage (no campaign
     * allowed), make ourselves known.
     */
    void onTimeout()
    {
        if (core.storageRecovery.recovering())
        {
            askForLeader();
            return;
        }
        if (!core.versions.mayLead())
        {
            // It cannot apply the log it would lead: it waits to be restarted with a build that can.
            core.setElectionTimer();
            return;
        }
        core.preCandidate.campaign();
    }

    /**
     * A member recovering from damaged storage may not campaign, but it must still be found: peers that take it for
     * their leader (it led before it crashed) run no election timer until it campaigns, and a leader resends entries
     * to a member that campaigns. A pre-vote request does both; the answers are ignored (it stays a follower), but for
     * the terms they carry if it lost its own. It goes to every member it knows, voter or not: a member it promoted in
     * the entries it lost is a voter that takes it for its leader and refuses every other candidate's pre-vote
     * (simulation seed 7132941).
     */
    private void askForLeader()
    {
        core.leaderId = null;
        preVoteToken++;
        sendPreVotes(false);
        core.setElectionTimer();
    }

    /**
     * Start counting the votes of a new pre-vote round: this member's own first.
     */
    void startPreVote()
    {
        preVoteToken++;
        startCounting();
    }

    /**
     * Start counting the votes of a new campaign: this member's own first.
     */
    void startCounting()
    {
        votesGranted.clear();
        votesGranted.add(core.self);
    }

    /**
     * @param reply to a pre-vote request.
     * @return whether it grants this member's latest pre-vote request.
     */
    boolean grantsLatestPreVote(final PreVoteReply reply)
    {
        return reply.token() == preVoteToken && reply.granted();
    }

    /**
     * @param voter who granted its (pre-)vote.
     */
    void granted(final ServerId voter)
    {
        votesGranted.add(voter);
    }

    /**
     * @return whether a majority of the voters in force granted the (pre-)vote.
     */
    boolean hasQuorum()
    {
        int voters = 0;
        int granted = 0;
        for (final Member member : core.configs.current())
        {
            if (member.isVoter())
            {
                voters++;
                if (votesGranted.contains(member.id()))
                {
                    granted++;
                }
            }
        }
        return voters > 0 && granted >= Quorum.majority(voters);
    }

    void sendPreVotes()
    {
        sendPreVotes(true);
    }

    private void sendPreVotes(final boolean votersOnly)
    {
        for (final Member member : core.configs.current())
        {
            if ((member.isVoter() || !votersOnly) && !member.id().equals(core.self))
            {
                core.send(member.id(), new PreVoteRpc(core.currentTerm, preVoteToken, core.self, core.log.lastIndex(),
                    core.log.lastTerm(), core.versions.supported()));
            }
        }
    }

    /**
     * Answer a pre-vote request (any role but the leader): granted only if our leader is unknown or unreachable, the
     * candidate's log is up to date and its build supports the machine version in force here (a member with an older
     * machine must not lead a cluster that switched to a newer one: it could not apply its log). Nothing changes here:
     * it is a question about a hypothetical election.
     *
     * @param from sender.
     * @param rpc  the request.
     */
    void answerPreVote(final ServerId from, final PreVoteRpc rpc)
    {
        final ServerId leader = core.leaderId;
        final boolean leaderGone = null == leader || core.unreachable.contains(leader) ||
            core.mutation == Mutation.PRE_VOTE_IGNORES_LIVE_LEADER;
        final boolean granted = rpc.term() >= core.currentTerm && leaderGone &&
            !core.storageRecovery.recovering() && (core.log.isUpToDate(rpc.lastLogIndex(), rpc.lastLogTerm()) ||
                core.mutation == Mutation.VOTE_WITHOUT_LOG_CHECK) &&
            (rpc.machineVersion() >= core.versions.effective() ||
                core.mutation == Mutation.VOTE_IGNORES_MACHINE_VERSION);
        core.send(from, new PreVoteReply(core.currentTerm, rpc.token(), granted));
    }

    /**
     * Answer a vote request (any role but the leader). The vote is persisted before the reply leaves (thesis §3.8).
     *
     * @param from sender.
     * @param rpc  the request.
     */
    void answerRequestVote(final ServerId from, final RequestVoteRpc rpc)
    {
        // §5.2 and §5.4.1: one vote per term, only for a log at least as up to date as ours.
        final ServerId votedFor = core.votedFor;
        final boolean granted = rpc.term() == core.currentTerm && !core.storageRecovery.recovering() &&
            (null == votedFor || votedFor.equals(rpc.candidateId())) &&
            (core.log.isUpToDate(rpc.lastLogIndex(), rpc.lastLogTerm()) ||
                core.mutation == Mutation.VOTE_WITHOUT_LOG_CHECK);
        final boolean replyFirst = granted && null == votedFor && core.mutation == Mutation.VOTE_REPLY_BEFORE_PERSIST;
        if (replyFirst)
        {
            core.send(from, new RequestVoteReply(core.currentTerm, true));
        }
        if (granted && null == votedFor)
        {
            core.votedFor = rpc.candidateId();
            core.persistTermAndVote();
        }
        if (granted)
        {
            core.current().onVoteGranted();
        }
        if (!replyFirst)
        {
            core.send(from, new RequestVoteReply(core.currentTerm, granted));
        }
    }
}

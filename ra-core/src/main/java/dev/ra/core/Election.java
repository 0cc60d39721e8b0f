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
    /** Bounds {@link #unknownAskers}: a recovering member asks at most this many servers it does not know. */
    private static final int MAX_UNKNOWN_ASKERS = 64;
    /** Pre-vote rounds a run may make per millisecond since it started before its tokens could meet a later run's. */
    private static final long TOKENS_PER_MS = 1024;

    private final ServerCore core;
    /** Who granted this member's pre-vote or vote in the current campaign. */
    private final Set<ServerId> votesGranted = new HashSet<>();
    /** Who refused this member's vote in the current campaign (see {@link #lostToASplit}). */
    private final Set<ServerId> votesRefused = new HashSet<>();
    /** Who asked this member for a vote in the term of its current campaign: rivals that voted for themselves. */
    private final Set<ServerId> rivals = new HashSet<>();
    /**
     * Tells the answers to this member's latest pre-vote request from those to earlier ones, also those of an earlier
     * run of this member (see {@link #startTokensAt}).
     */
    private long preVoteToken;
    /**
     * Servers outside the configuration this member knows that asked it for a pre-vote while it recovered damaged
     * storage: members added in the entries it lost, which may take it for their leader (see {@link #askForLeader}).
     */
    private final Set<ServerId> unknownAskers = new HashSet<>();
    /** When this member last asked the leader it follows whether it still leads (see {@link #answerPreVote}). */
    private long leaderProbedAtMs = Long.MIN_VALUE / 2;

    Election(final ServerCore core)
    {
        this.core = core;
    }

    /**
     * Number this run's pre-vote rounds from its start time, so that a grant to a round of an earlier run, delivered
     * after a restart, matches no round of this one: the token is not stored, and counted from zero again it would
     * count that grant, made when the voter knew no leader, in a round where it may follow one (a needless election
     * that deposes it; the election's own votes keep it safe). A run makes far fewer rounds than its start time
     * advances in steps of {@code 1 / TOKENS_PER_MS} ms (each round waits an election timeout), so the runs' tokens
     * never meet.
     *
     * @param nowMs when this run started.
     */
    void startTokensAt(final long nowMs)
    {
        preVoteToken = nowMs * TOKENS_PER_MS;
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
        if (!core.versions.mayLead() || !holdsOwnJoinPoint())
        {
            // It cannot apply the log it would lead (it waits to be restarted with a build that can), or its log is
            // still from before it was added back (it waits for the leader to bring it past that). The first, it
            // reports: a majority of members rolled back after a switch would otherwise wait with no sign at all.
            reportUnsupportedSwitch();
            core.setElectionTimer();
            return;
        }
        core.preCandidate.campaign();
    }

    private void reportUnsupportedSwitch()
    {
        final long[] unsupported = core.versions.unreportedUnsupportedSwitch();
        if (null != unsupported && !core.versions.stopped())
        {
            core.actions.add(new RaftAction.MachineVersionUnsupported("cluster " + core.config.clusterName() +
                ", server " + core.self + ": the noop entry at index " + unsupported[0] + " needs machine version " +
                unsupported[1] + " but this build supports versions 0 to " + core.versions.supported() +
                "; it does not campaign and will stop applying there: restart it with a build of the machine that " +
                "supports version " + unsupported[1]));
        }
    }

    /**
     * A member recovering from damaged storage may not campaign, but it must still be found: peers that take it for
     * their leader (it led before it crashed) run no election timer until it campaigns, and a leader resends entries
     * to a member that campaigns. A pre-vote request does both; the answers are ignored (it stays a follower), but for
     * a higher term they carry (§5.1). It goes to every member it knows, voter or not: a member it promoted in
     * the entries it lost is a voter that takes it for its leader and refuses every other candidate's pre-vote
     * (simulation seed 7132941). A member added in the entries it lost is not known to it: it is asked too once it has
     * asked this member for a pre-vote (which it does when it refuses a candidate for want of news from the leader it
     * follows, see {@link #answerPreVote}; simulation seed 7720456).
     */
    private void askForLeader()
    {
        core.leaderId = null;
        preVoteToken++;
        sendPreVotes(false);
        for (final ServerId asker : unknownAskers)
        {
            if (!core.isMember(asker))
            {
                sendPreVote(asker);
            }
        }
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
        votesRefused.clear();
        rivals.clear();
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
     * @param voter who refused its vote in the current campaign's term.
     */
    void refused(final ServerId voter)
    {
        votesRefused.add(voter);
    }

    /**
     * @param candidate who asked for a vote in the term of the current campaign, having voted for itself.
     */
    void rival(final ServerId candidate)
    {
        rivals.add(candidate);
    }

    /**
     * Is this campaign's term certainly without a winner (a split vote)? Every voter has answered, is a rival (it
     * voted for itself) or is reported unreachable, this member lacks a majority, and no rival can reach one: a rival
     * holds at most its own vote and those of the voters that refused this member without campaigning themselves (a
     * voter that refused could itself be a candidate we have not heard from; it holds at most those same votes).
     * Reported-unreachable voters are counted as voting for nobody: if one is in fact reachable by a rival, that rival
     * may win, and this member's early pre-vote is refused by the voters that follow it (a pre-vote is granted only by
     * a member whose leader is unknown or unreachable).
     *
     * @return whether the election of this term cannot be won by anyone.
     */
    boolean lostToASplit()
    {
        int voters = 0;
        int granted = 0;
        int plainRefusals = 0;
        boolean rivalSeen = false;
        for (final Member member : core.configs.current())
        {
            if (!member.isVoter())
            {
                continue;
            }
            voters++;
            final ServerId id = member.id();
            if (votesGranted.contains(id))
            {
                granted++;
            }
            else if (rivals.contains(id))
            {
                rivalSeen = true;
            }
            else if (votesRefused.contains(id))
            {
                plainRefusals++;
            }
            else if (!core.unreachable.contains(id))
            {
                // Still to answer: it may yet grant this member its vote.
                return false;
            }
        }
        final int majority = Quorum.majority(voters);
        final int mostForAnyoneElse = rivalSeen ? 1 + plainRefusals : plainRefusals;
        return voters > 0 && granted < majority && mostForAnyoneElse < majority;
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
                sendPreVote(member.id());
            }
        }
    }

    private void sendPreVote(final ServerId to)
    {
        core.send(to, new PreVoteRpc(core.currentTerm, preVoteToken, core.self, core.log.lastIndex(),
            core.log.lastTerm(), core.versions.supported()));
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
            !core.storageRecovery.recovering() && (isUpToDate(rpc.lastLogIndex(), rpc.lastLogTerm()) ||
                core.mutation == Mutation.VOTE_WITHOUT_LOG_CHECK) &&
            (rpc.machineVersion() >= core.versions.effective() ||
                core.mutation == Mutation.VOTE_IGNORES_MACHINE_VERSION);
        core.send(from, new PreVoteReply(core.currentTerm, rpc.token(), granted));
        if (core.storageRecovery.recovering() && !core.isMember(from) && unknownAskers.size() < MAX_UNKNOWN_ASKERS)
        {
            unknownAskers.add(from);
        }
        if (!leaderGone && !leader.equals(core.self) && core.nowMs - core.leaderHeardAtMs >= minTimeoutMs() &&
            core.nowMs - leaderProbedAtMs >= minTimeoutMs())
        {
            // Refused for a leader not heard from for an election timeout: the failure detector said it is up, but
            // the member it names may have restarted and lead nothing (an idle leader sends nothing, so silence
            // alone proves nothing). A pre-vote request makes a leader resend entries, which refreshes our trust,
            // and lets a restarted member that does not know us (it lost the entries that added us) tell us that it
            // does not lead (see askForLeader; simulation seed 7720456).
            leaderProbedAtMs = core.nowMs;
            sendPreVote(leader);
        }
    }

    private long minTimeoutMs()
    {
        return core.config.electionTimeoutMinMs();
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
            (isUpToDate(rpc.lastLogIndex(), rpc.lastLogTerm()) || core.mutation == Mutation.VOTE_WITHOUT_LOG_CHECK);
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

    /**
     * Is a candidate's log ending at (lastLogIndex, lastLogTerm) at least as up to date as ours (§5.4.1) and, for a
     * member added to a running cluster, does it hold the committed entry that added it? Configurations name members
     * by id only, so a server added back under the id of a removed one must not be counted as the removed one by a
     * candidate that missed the removal: that candidate could win with the new server's vote without the entries the
     * old one helped commit (simulation seed 7902468). A log at least as up to date as the joining entry holds it
     * (log matching), and every legitimate candidate's log does, since the entry is committed.
     */
    private boolean isUpToDate(final long lastLogIndex, final long lastLogTerm)
    {
        return core.log.isUpToDate(lastLogIndex, lastLogTerm) &&
            (core.recovered.joinedAt().isHeldBy(lastLogIndex, lastLogTerm) ||
                core.mutation == Mutation.JOINED_MEMBER_IGNORES_ITS_JOIN);
    }

    /**
     * May this member campaign as far as its join point goes? A member added back under the id of a removed one, with
     * a log that does not hold the entry it joined at yet (a leader brings it up from a snapshot and a prefix of the
     * log), reads from that log a configuration from before it was added: one that names the former member, which
     * it would count itself as. Elected with the voters of that configuration that lag as far, it would lead without
     * entries the former member helped commit (simulation seed 18658696).
     *
     * @return whether the member's log holds its join point (always, for a member without one).
     */
    boolean holdsOwnJoinPoint()
    {
        return core.recovered.joinedAt().isHeldBy(core.log.lastIndex(), core.log.lastTerm()) ||
            core.mutation == Mutation.JOINED_MEMBER_CAMPAIGNS_WITHOUT_ITS_JOIN;
    }
}

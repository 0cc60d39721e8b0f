package dev.ra.sim;

import dev.ra.RaftRole;
import dev.ra.StorageState;
import dev.ra.core.ServerCore;
import dev.ra.protocol.JoinPoint;
import dev.ra.protocol.RaftRpc;
import java.util.List;

/**
 * Counts what the liveness faults of a run actually produced, so that a test can check the default run covers
 * them: vote replies (RequestVote) delivered after their term ended, replication or heartbeat replies delivered after
 * a leader of a later term committed in its own term, pauses of a member longer than the election timeout,
 * acknowledgements a member that lost its term and vote held back (it acknowledges only what it knows committed),
 * pre-votes and votes asked of a member added back under the same id by a candidate whose log lacks the entry it
 * joined at (which it refuses), and election timeouts of such a member, a voter by its own log, while that log lacks
 * the entry (it does not campaign).
 *
 * @see Simulation
 */
public final class FaultCoverage
{
    private long staleVoteReplies;
    private long repliesAfterNewerLeaderCommitted;
    private long longPauses;
    private long acknowledgementsHeldBack;
    private long votesAskedWithoutJoinPoint;
    private long campaignsHeldBackBeforeJoinPoint;
    private long retirementsChecked;

    /**
     * @param rpc      being delivered.
     * @param receiver its receiver's core.
     * @param live     the cores of every live member.
     */
    void delivered(final RaftRpc rpc, final ServerCore receiver, final List<ServerCore> live)
    {
        if (rpc instanceof RaftRpc.RequestVoteReply && rpc.term() < receiver.currentTerm())
        {
            staleVoteReplies++;
        }
        else if (rpc instanceof RaftRpc.AppendEntriesReply || rpc instanceof RaftRpc.HeartbeatReply)
        {
            for (final ServerCore core : live)
            {
                if (core.role() == RaftRole.LEADER && core.currentTerm() > rpc.term() &&
                    core.termAt(core.commitIndex()) == core.currentTerm())
                {
                    repliesAfterNewerLeaderCommitted++;
                    return;
                }
            }
        }
    }

    /**
     * @param rpc      being delivered.
     * @param joinedAt the entry its receiver joined at.
     */
    void votesAsked(final RaftRpc rpc, final JoinPoint joinedAt)
    {
        final long lastIndex;
        final long lastTerm;
        if (rpc instanceof RaftRpc.PreVoteRpc preVote)
        {
            lastIndex = preVote.lastLogIndex();
            lastTerm = preVote.lastLogTerm();
        }
        else if (rpc instanceof RaftRpc.RequestVoteRpc vote)
        {
            lastIndex = vote.lastLogIndex();
            lastTerm = vote.lastLogTerm();
        }
        else
        {
            return;
        }
        if (!joinedAt.isHeldBy(lastIndex, lastTerm))
        {
            votesAskedWithoutJoinPoint++;
        }
    }

    /**
     * @param core     of a member whose election timer fired.
     * @param joinedAt the entry it joined at.
     */
    void electionTimedOut(final ServerCore core, final JoinPoint joinedAt)
    {
        if (core.role() == RaftRole.FOLLOWER && !core.recoveringStorage() &&
            !joinedAt.isHeldBy(core.lastIndex(), core.lastTerm()) &&
            core.members().stream().anyMatch(member -> member.id().equals(core.id()) && member.isVoter()))
        {
            campaignsHeldBackBeforeJoinPoint++;
        }
    }

    void pausedLongerThanElectionTimeout()
    {
        longPauses++;
    }

    /**
     * @param rpc    being sent.
     * @param sender its sender's core.
     */
    void sent(final RaftRpc rpc, final ServerCore sender)
    {
        if (rpc instanceof RaftRpc.AppendEntriesReply reply && reply.success() &&
            sender.storageState() == StorageState.TERM_AND_VOTE_LOST && reply.lastIndex() < sender.lastWrittenIndex())
        {
            acknowledgementsHeldBack++;
        }
    }

    /**
     * @return vote and pre-vote replies delivered once the receiver had moved to a later term.
     */
    public long staleVoteReplies()
    {
        return staleVoteReplies;
    }

    /**
     * @return AppendEntries and heartbeat replies delivered after a leader of a later term committed an entry of it.
     */
    public long repliesAfterNewerLeaderCommitted()
    {
        return repliesAfterNewerLeaderCommitted;
    }

    /**
     * @return pauses of a member longer than the election timeout.
     */
    public long longPauses()
    {
        return longPauses;
    }

    /**
     * @return successful AppendEntries replies of a member that lost its term and vote that acknowledged less than it
     *     had durable.
     */
    public long acknowledgementsHeldBack()
    {
        return acknowledgementsHeldBack;
    }

    /**
     * @return pre-votes and votes asked of a member added back under the same id by a candidate whose log lacks the
     *     entry it joined at.
     */
    public long votesAskedWithoutJoinPoint()
    {
        return votesAskedWithoutJoinPoint;
    }

    /**
     * @return election timeouts of a member added back under the same id, a voter by its own log, while that log
     *     lacks the entry it joined at (so that the log names the former member).
     */
    public long campaignsHeldBackBeforeJoinPoint()
    {
        return campaignsHeldBackBeforeJoinPoint;
    }

    /** A leader asked for a removed member's retirement, and the simulation checked it (RetirementChecker). */
    void retirementChecked()
    {
        retirementsChecked++;
    }

    /**
     * @return retirements of removed members leaders asked for, each checked against the committed configurations.
     */
    public long retirementsChecked()
    {
        return retirementsChecked;
    }

    /**
     * @param other counts to add.
     */
    public void add(final FaultCoverage other)
    {
        staleVoteReplies += other.staleVoteReplies;
        repliesAfterNewerLeaderCommitted += other.repliesAfterNewerLeaderCommitted;
        longPauses += other.longPauses;
        acknowledgementsHeldBack += other.acknowledgementsHeldBack;
        votesAskedWithoutJoinPoint += other.votesAskedWithoutJoinPoint;
        campaignsHeldBackBeforeJoinPoint += other.campaignsHeldBackBeforeJoinPoint;
        retirementsChecked += other.retirementsChecked;
    }

    @Override
    public String toString()
    {
        return staleVoteReplies + " stale vote replies, " + repliesAfterNewerLeaderCommitted +
            " replies after a newer leader committed, " + longPauses + " pauses longer than the election timeout, " +
            acknowledgementsHeldBack + " acknowledgements held back by members that lost their term, " +
            votesAskedWithoutJoinPoint + " votes asked by candidates without the asked member's join point, " +
            campaignsHeldBackBeforeJoinPoint + " campaigns held back before the member's log held its join point, " +
            retirementsChecked + " retirements of removed members checked";
    }
}

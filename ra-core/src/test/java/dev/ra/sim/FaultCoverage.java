package dev.ra.sim;

import dev.ra.RaftRole;
import dev.ra.core.ServerCore;
import dev.ra.protocol.RaftRpc;
import java.util.List;

/**
 * Counts what the liveness faults of a run actually produced, so that a test can check the default run covers
 * them: vote replies (RequestVote) delivered after their term ended, replication or heartbeat replies delivered after
 * a leader of a later term committed in its own term, and pauses of a member longer than the election timeout.
 *
 * @see Simulation
 */
public final class FaultCoverage
{
    private long staleVoteReplies;
    private long repliesAfterNewerLeaderCommitted;
    private long longPauses;

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

    void pausedLongerThanElectionTimeout()
    {
        longPauses++;
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
     * @param other counts to add.
     */
    public void add(final FaultCoverage other)
    {
        staleVoteReplies += other.staleVoteReplies;
        repliesAfterNewerLeaderCommitted += other.repliesAfterNewerLeaderCommitted;
        longPauses += other.longPauses;
    }

    @Override
    public String toString()
    {
        return staleVoteReplies + " stale vote replies, " + repliesAfterNewerLeaderCommitted +
            " replies after a newer leader committed, " + longPauses + " pauses longer than the election timeout";
    }
}

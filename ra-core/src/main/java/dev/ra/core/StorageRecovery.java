package dev.ra.core;

import dev.ra.StorageState;

/**
 * Protocol-aware recovery of a member whose storage was found damaged at start-up (after Alagappan et al.,
 * "Protocol-aware recovery for consensus-based storage", FAST'18).
 *
 * <p>A member whose log lost entries it had made durable may have acknowledged them, and a leader may have counted
 * those acknowledgements for a commit. If it voted (or campaigned) with the shorter log it could elect a leader that
 * lacks a committed entry. So until its log is again durable, and confirmed by a leader's AppendEntries (or replaced by
 * a leader's snapshot), up to the highest index it had ({@link RecoveredState#acknowledgedIndex()}), it is a non-voting
 * follower: it refuses pre-votes and votes, never starts an election and ignores TimeoutNow, but accepts entries and
 * snapshots from a leader as any follower does. That leader was elected by undamaged members and holds every committed
 * entry, so once the log matches it past the mark it holds every entry its lost acknowledgements can have committed.
 * (Confirmed, not just long enough: what survived may be a suffix that the lost records had overwritten.) Instead of
 * campaigning on its election timeout it sends pre-vote requests whose answers it ignores: members that still take it
 * for their leader learn that it is not, and a leader resends it entries.
 *
 * <p>A member whose term and vote were lost (ra-log keeps them in two files, so both were lost) may have voted in any
 * term up to the one it forgot, and nothing it can learn bounds that term: a vote for a candidate that then lost, or
 * for itself, is known to no one else. So it never votes or stands again under this identity: it follows leaders,
 * replicates and applies like any follower (and records a vote for each leader it follows, so that it cannot vote for
 * anyone else in that term), but it stays non-voting until the operator removes it and adds it back, which starts it
 * afresh. Voting again after following a leader would risk two leaders in one term (the deterministic simulation
 * found such a double vote).
 *
 * <p>Nor may its acknowledgements count: it may have been in a later term than the leader it now follows (a leader
 * paused or cut off while this member led or followed a later term, say), and have promised that term's quorum
 * entries it has since lost. Acknowledging that leader's entries or query rounds could complete a quorum for a commit
 * over a committed entry, or for a read that misses it (simulation seed 7076169: a stale read). Learning its term
 * from the others first is not enough: the quorums of the term it forgot may include members added in the entries it
 * lost, which it does not know to ask ({@code lost_term_stale_configuration.txt}). So it acknowledges only entries it
 * knows to be committed (up to its commit index, which a leader's commit index set) and no query round: each commit
 * and each read is decided by members that kept their promises, as if it were not a voter, and it still catches up
 * and applies. The price: it adds nothing to a quorum, so a cluster of three with such a member needs both others.
 *
 * <p>The cluster stays available while a majority of voters is undamaged.
 */
final class StorageRecovery
{
    private long mustReach;
    private final boolean termAndVoteLost;

    StorageRecovery(final RecoveredState recovered)
    {
        this.mustReach = recovered.acknowledgedIndex();
        this.termAndVoteLost = recovered.termAndVoteLost();
    }

    /**
     * @return whether the member must not vote, campaign or lead yet.
     */
    boolean recovering()
    {
        return mustReach > 0 || termAndVoteLost;
    }

    /**
     * @return whether term and vote were lost: the member does not vote again under this identity, and acknowledges
     *     only entries it knows to be committed.
     */
    boolean termAndVoteLost()
    {
        return termAndVoteLost;
    }

    /**
     * @return the state operators see ({@link StorageState}).
     */
    StorageState state()
    {
        if (termAndVoteLost)
        {
            return StorageState.TERM_AND_VOTE_LOST;
        }
        return recovering() ? StorageState.RECOVERING : StorageState.WHOLE;
    }

    /**
     * @return the index the durable log must reach, or 0.
     */
    long mustReach()
    {
        return mustReach;
    }

    /**
     * The durable log (or an installed snapshot) now reaches {@code durableIndex}.
     *
     * @param durableIndex last durable index.
     * @return true if this completed the recovery.
     */
    boolean onDurable(final long durableIndex)
    {
        if (mustReach > 0 && durableIndex >= mustReach)
        {
            mustReach = 0;
            return !termAndVoteLost;
        }
        return false;
    }


    @Override
    public String toString()
    {
        return recovering() ? "recovering{mustReach=" + mustReach + ", termAndVoteLost=" + termAndVoteLost + "}" :
            "whole";
    }
}

package dev.ra.core;

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
 * <p>A member whose term and vote were lost may have voted in any term up to the one it forgot. It refuses to vote
 * until it follows a leader; it then records a vote for that leader in the leader's term (harmless: that term's
 * election is over), so it can never vote for anyone else in it. Votes it may have cast in a HIGHER term before the
 * loss cannot be known; the storage keeps term and vote in two copies so that this needs both to be lost.
 *
 * <p>The cluster stays available while a majority of voters is undamaged.
 */
final class StorageRecovery
{
    private long mustReach;
    private boolean termAndVoteLost;

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
     * @return whether term and vote are still unknown (the member has not followed a leader since it started).
     */
    boolean termAndVoteLost()
    {
        return termAndVoteLost;
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

    /**
     * The member follows a leader of its current term: the term is known again.
     *
     * @return true if this completed the recovery.
     */
    boolean onLeaderFollowed()
    {
        if (termAndVoteLost)
        {
            termAndVoteLost = false;
            return mustReach == 0;
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

package dev.ra.core;

import dev.ra.ServerId;
import dev.ra.protocol.Member;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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
 * <p>Nor may it follow just any leader: it may have been in a later term than a leader that was left behind (a leader
 * paused or cut off while this member led a later term, say), and acknowledging that leader's entries or heartbeats
 * could complete a quorum for a commit or a read that misses what the later term committed (simulation seed 7076169:
 * a stale read). So before it answers any leader it learns a term at least as high as any it may have been in: the
 * highest of the terms that a majority of the other voters report in their answers to its pre-votes (sent after
 * this start: after a node's restart no answer to an earlier incarnation arrives, its connections are gone).
 * Every term it can have taken part in was adopted by a majority of the voters (the quorum that elected that term's
 * leader), and the members of that quorum other than itself and any majority of the other voters always have one in
 * common. Until then it answers no leader and no pre-vote (its own term says nothing yet), and it learns again at
 * every start, as long as the damage is on record. The configuration is the one its log holds: a change lost with
 * the damaged log is not known to it, and if voters it names were removed since, the majority may never answer; the
 * member then waits for the operator to remove it and add it back, as it must to vote again anyway.
 *
 * <p>The cluster stays available while a majority of voters is undamaged.
 */
final class StorageRecovery
{
    private long mustReach;
    private boolean termAndVoteLost;
    /** The terms other voters reported since this start, while a term bounding ours is not yet known; else null. */
    private Map<ServerId, Long> termsHeard;

    StorageRecovery(final RecoveredState recovered)
    {
        this.mustReach = recovered.acknowledgedIndex();
        this.termAndVoteLost = recovered.termAndVoteLost();
        this.termsHeard = termAndVoteLost ? new HashMap<>() : null;
    }

    /**
     * @return whether term and vote were lost and no term bounding every term this member may have been in is known
     *     yet: it answers no leader and no pre-vote until it is.
     */
    boolean termUnknown()
    {
        return null != termsHeard;
    }

    /**
     * A voter answered this member's pre-vote with its current term.
     *
     * @param from    the voter.
     * @param term    its term.
     * @param members the configuration this member knows.
     * @param self    this member.
     * @return the highest term a majority of the other voters reported, once they have (from then on the term is
     *     known), else -1.
     */
    long termReported(final ServerId from, final long term, final List<Member> members, final ServerId self)
    {
        if (null == termsHeard)
        {
            return -1;
        }
        int others = 0;
        int heard = 0;
        long highest = 0;
        for (final Member member : members)
        {
            if (member.isVoter() && !member.id().equals(self))
            {
                others++;
                if (member.id().equals(from))
                {
                    // Only the voters it knows count, and only they are recorded.
                    termsHeard.merge(from, term, Math::max);
                }
                final Long reported = termsHeard.get(member.id());
                if (null != reported)
                {
                    heard++;
                    highest = Math.max(highest, reported);
                }
            }
        }
        if (heard < Quorum.majority(others))
        {
            return -1;
        }
        termsHeard = null;
        return highest;
    }

    /**
     * @return whether the member must not vote, campaign or lead yet.
     */
    boolean recovering()
    {
        return mustReach > 0 || termAndVoteLost;
    }

    /**
     * @return whether term and vote were lost: the member does not vote again under this identity.
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


    @Override
    public String toString()
    {
        return recovering() ? "recovering{mustReach=" + mustReach + ", termAndVoteLost=" + termAndVoteLost +
            (termUnknown() ? ", termUnknown" : "") + "}" :
            "whole";
    }
}

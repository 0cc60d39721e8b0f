package dev.ra;

import dev.ra.protocol.Membership;

/**
 * How a member added with {@link RaSystem#addMemberAsync} or {@link RaCluster#addMember(ServerId, MemberKind)} takes
 * part in the cluster's decisions.
 */
public enum MemberKind
{
    /**
     * Votes in elections and counts towards the commit quorum from the moment it is added; but while the cluster's log
     * needs a machine version above 0 (docs/UPGRADES.md), it joins as {@link #PROMOTABLE} and becomes a voter once
     * caught up on a build that supports that version.
     */
    VOTER,
    /**
     * Replicates but does not vote yet; the leader makes it a {@link #VOTER} once it holds every entry the leader had
     * when it was added, so that a member that starts empty does not count towards the quorum while it catches up.
     */
    PROMOTABLE,
    /** Replicates and never votes: it never starts an election, never leads and is never promoted. */
    NON_VOTER;

    /**
     * @return the wire and log form of this kind, written into the configuration entry.
     */
    Membership toMembership()
    {
        return switch (this)
        {
            case VOTER -> Membership.VOTER;
            case PROMOTABLE -> Membership.PROMOTABLE;
            case NON_VOTER -> Membership.NON_VOTER;
        };
    }
}

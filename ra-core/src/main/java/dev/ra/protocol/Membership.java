package dev.ra.protocol;

/**
 * How a member takes part in the cluster's decisions.
 */
public enum Membership
{
    /** Votes in elections and counts towards the commit quorum. */
    VOTER,
    /** Replicates but does not vote yet; the leader promotes it to {@link #VOTER} once it has caught up. */
    PROMOTABLE,
    /** Replicates and never votes; it never starts an election and is never promoted. */
    NON_VOTER
}

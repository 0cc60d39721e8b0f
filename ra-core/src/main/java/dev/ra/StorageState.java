package dev.ra;

/**
 * What a member's storage told it at start-up (see docs/INTERNALS.md, "Damaged storage"), as {@link ServerOverview}
 * reports it.
 */
public enum StorageState
{
    /** Nothing was lost: the member votes and counts towards quorums. */
    WHOLE,
    /**
     * The log lost entries the member had made durable: it does not vote or campaign until a leader has brought its
     * log back past them, then it is whole again by itself.
     */
    RECOVERING,
    /**
     * Its term and vote were lost: it follows, replicates and applies, but never votes or campaigns again under this
     * identity and its acknowledgements count towards no quorum, so the cluster tolerates one failure fewer. Remove
     * the member and add it back to restore it.
     */
    TERM_AND_VOTE_LOST
}

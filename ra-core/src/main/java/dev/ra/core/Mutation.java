package dev.ra.core;

/**
 * Deliberate bugs a test can switch on in one core, to prove that the simulation's invariants and linearizability
 * checker catch them. Never set outside tests; the field that holds it is package-private.
 */
enum Mutation
{
    /** Correct behaviour. */
    NONE,
    /** Commit by counting replicas of entries from earlier terms (the Figure 8 bug, §5.4.2). */
    COMMIT_OLD_TERM_ENTRIES,
    /** Acknowledge and count entries before they are durable (etcd-io/etcd#14370). */
    ACK_BEFORE_DURABLE,
    /** Grant votes without checking that the candidate's log is up to date (§5.4.1). */
    VOTE_WITHOUT_LOG_CHECK,
    /** Serve consistent queries without confirming leadership (the stale read of etcd 2014). */
    READ_WITHOUT_QUORUM
}

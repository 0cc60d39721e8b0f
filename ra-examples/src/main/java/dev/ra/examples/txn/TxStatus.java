package dev.ra.examples.txn;

/**
 * A transaction as a participant knows it.
 */
public enum TxStatus
{
    /** The participant never heard of it (or only of a commit, which cannot happen without a prepare). */
    UNKNOWN,
    /** Prepared: its debits are reserved, and the participant voted yes. */
    PREPARED,
    /** Committed: applied to the accounts. */
    COMMITTED,
    /** Aborted: voted no, or told to abort; its reservations were released. A later prepare votes no. */
    ABORTED
}

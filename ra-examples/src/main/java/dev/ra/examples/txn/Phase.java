package dev.ra.examples.txn;

/**
 * Where a transaction stands in the coordinator's log.
 */
public enum Phase
{
    /** Begun: the participants are being asked to prepare; no decision is logged. */
    PREPARING,
    /** Decided to commit; the participants are being told. */
    COMMITTING,
    /** Decided to abort; the participants are being told. */
    ABORTING,
    /** Every participant committed. */
    COMMITTED,
    /** Every participant aborted (or never prepared). */
    ABORTED;

    /**
     * @return true once every participant applied the decision.
     */
    public boolean isFinal()
    {
        return this == COMMITTED || this == ABORTED;
    }

    /**
     * @return true once the decision is logged (commit or abort, finished or not).
     */
    public boolean isDecided()
    {
        return this != PREPARING;
    }

    /**
     * @return true if the decision is (or was) to commit.
     */
    public boolean commits()
    {
        return this == COMMITTING || this == COMMITTED;
    }
}

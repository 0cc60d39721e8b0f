package dev.ra.examples.txn;

/**
 * Told by the {@link TransferDriver} when it passes the two points of the protocol where a crash matters most; tests
 * use it to stop a driver exactly there. Runs on the driver's thread: whatever it does (block, too), the driver
 * waits for it.
 */
@FunctionalInterface
public interface DriverCheckpoint
{
    /** Every participant was asked to prepare and answered; the decision is not logged yet. */
    String AFTER_PREPARE = "after-prepare";
    /** The decision is logged; the participants have not been told yet. */
    String AFTER_DECISION = "after-decision";

    /** A checkpoint that does nothing. */
    DriverCheckpoint NONE = (checkpoint, txId) -> { };

    /**
     * @param checkpoint {@link #AFTER_PREPARE} or {@link #AFTER_DECISION}.
     * @param txId       of the transaction being driven.
     */
    void reached(String checkpoint, String txId);
}

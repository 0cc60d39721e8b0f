package dev.ra.examples.txn;

/**
 * Message to a transfer's client: every participant applied the decision. At least once, and may be lost with a
 * failed leader; {@link TransferClient} also polls.
 *
 * @param txId      of the transaction.
 * @param committed true if it committed, false if it aborted.
 * @param reason    why it aborted; empty if it committed.
 */
public record TransferFinished(String txId, boolean committed, String reason)
{
}

package dev.ra.examples.txn;

/**
 * How a transfer ended: on every participant alike.
 *
 * @param txId      of its transaction, to look it up later.
 * @param committed true if the money moved, false if nothing changed.
 * @param reason    why it aborted (which participant refused and why, or that the coordinator failed over before
 *                  deciding); empty if it committed.
 */
public record TransferResult(String txId, boolean committed, String reason)
{
}

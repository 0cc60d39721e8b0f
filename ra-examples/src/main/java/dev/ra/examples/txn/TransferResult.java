package dev.ra.examples.txn;

/**
 * How a transfer ended: on every participant alike.
 *
 * @param txId      of its transaction, to look it up later.
 * @param committed true if the money moved, false if nothing changed.
 */
public record TransferResult(String txId, boolean committed)
{
}

package dev.ra.log;

/**
 * How the write-ahead log makes a batch durable before acknowledging it.
 */
public enum SyncMethod
{
    /**
     * {@code fdatasync} after every batch (the default): an acknowledged entry survives a power loss.
     */
    DATASYNC,

    /**
     * UNSAFE, for benchmarks only: batches are written but never synced, and acknowledged at once. An operating
     * system crash or power loss can lose acknowledged entries, which breaks Raft's safety guarantees.
     */
    NONE
}

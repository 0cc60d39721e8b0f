package dev.ra.core;

/**
 * What a leader holds of the commands it appended in its term and has not applied yet: their entries (in the log's
 * unwritten tail, the storage's buffers, messages in flight) and, for each, the caller awaiting it. Commands are
 * taken faster than a cluster commits them when followers are slow or down; without a bound the leader would hold
 * them until its JVM ran out of heap, taking down every cluster on the node (etcd bounds this with
 * {@code MaxUncommittedEntriesSize}, Ratis with its write element and byte limits).
 *
 * <p>A running count, added to on append and taken from on apply (where the entry is in hand anyway): no allocation
 * and no scan. Entries of an earlier leader above the commit index at the start of a term are not counted (they were
 * taken before, and the new leader cannot refuse them).
 */
final class UncommittedTail
{
    /**
     * Counted per command besides its encoded bytes: what the leader holds for its entry and its caller whatever the
     * command's size, so that a flood of tiny commands is bounded too.
     */
    static final long ENTRY_OVERHEAD_BYTES = 64;

    private long bytes;
    private long firstCounted = Long.MAX_VALUE;

    /**
     * A term starts: nothing is counted, and only entries from {@code nextIndex} on will be.
     *
     * @param nextIndex of the first entry this leader appends.
     */
    void reset(final long nextIndex)
    {
        bytes = 0;
        firstCounted = nextIndex;
    }

    /**
     * @param commandBytes encoded size of a command to append.
     * @param limit        most bytes held.
     * @return whether it may be appended: within the limit, or nothing is held (so a command larger than the limit
     *     still goes through on its own, rather than never).
     */
    boolean admits(final long commandBytes, final long limit)
    {
        return 0 == bytes || bytes + commandBytes + ENTRY_OVERHEAD_BYTES <= limit;
    }

    /**
     * @param commandBytes encoded size of a command appended.
     */
    void appended(final long commandBytes)
    {
        bytes += commandBytes + ENTRY_OVERHEAD_BYTES;
    }

    /**
     * @param index        of a command applied.
     * @param commandBytes its encoded size.
     */
    void applied(final long index, final long commandBytes)
    {
        if (index >= firstCounted)
        {
            bytes = Math.max(0, bytes - commandBytes - ENTRY_OVERHEAD_BYTES);
        }
    }

    /** @return the bytes held now. */
    long bytes()
    {
        return bytes;
    }
}

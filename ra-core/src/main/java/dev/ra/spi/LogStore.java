package dev.ra.spi;

import dev.ra.protocol.LogEntry;
import java.util.List;

/**
 * One server's Raft log on stable storage.
 *
 * <p>Writes are asynchronous: {@link #append} makes entries readable at once (from memory), and durability is
 * reported later through the {@link LogListener} the store was opened with, as "everything up to index {@code i} of
 * term {@code t} is durable". Reports are monotonic per store except after an overwrite. No per-entry fsync: a
 * shared write-ahead log syncs many servers' entries at once.
 *
 * <p>Called only from the owning server's thread, except the listener, which is called from the store's own thread.
 * Reads are of a half-open or closed range as documented per method. An I/O failure is reported through
 * {@link LogListener#onFailure} or thrown as {@link java.io.UncheckedIOException}; it is fatal to the server.
 */
public interface LogStore extends LogReader, AutoCloseable
{
    /** The term returned for index 0, which every log implicitly has. */
    long NO_TERM = 0;

    /** Returned by {@link #term} when the entry is not in the log (never written, truncated or snapshotted away). */
    long UNKNOWN_TERM = -1;

    /**
     * Append entries, which must have consecutive indexes. If the first index is at or below {@link #lastIndex()},
     * the log is first truncated to {@code first - 1} (a follower overwriting a divergent suffix). The entries are
     * readable when this returns; durability is reported later to the listener.
     *
     * @param entries to append, in index order.
     * @throws IllegalArgumentException if the entries leave a gap after the last index.
     */
    void append(List<LogEntry> entries);

    /**
     * Drop entries at and below {@code index}, which a durable snapshot now covers.
     *
     * @param index of the snapshot.
     */
    void truncateUpTo(long index);

    /**
     * Discard the whole log and continue after a snapshot installed from the leader: afterwards
     * {@code lastIndex() == index}, {@code term(index) == term}, and the next append starts at {@code index + 1}.
     *
     * @param index of the installed snapshot.
     * @param term  of the installed snapshot.
     */
    void resetTo(long index, long term);

    /**
     * Release resources; entries appended but not yet durable may be lost, exactly as in a crash.
     */
    @Override
    void close();
}

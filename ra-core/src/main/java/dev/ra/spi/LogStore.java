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
     * Append as {@link #append} does, as part of a round of work that the caller promises to end with
     * {@link #writeIfIdle}: the log may hold back waking its writer until then. The default appends.
     *
     * @param entries to append, in index order.
     */
    default void appendInRound(final List<LogEntry> entries)
    {
        append(entries);
    }

    /**
     * The calling thread has finished a round of work and has nothing to do until what it appended is durable: the
     * log may write and sync its pending appends on this thread now, if its writer is idle, instead of handing them
     * to the writer (on a quiet node that saves two thread wake-ups per append). Must return at once, without
     * writing, when the writer is busy. The default does nothing.
     */
    default void writeIfIdle()
    {
    }

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

package dev.ra.spi;

import dev.ra.protocol.LogEntry;
import java.util.List;

/**
 * The read side of a {@link LogStore}: what the pure Raft core may look at. It never writes; writes are actions that
 * the runtime executes.
 */
public interface LogReader
{
    /**
     * @return the index of the first entry readable from this store; {@code lastIndex() + 1} when it is empty.
     */
    long firstIndex();

    /**
     * @return the index of the last appended entry, durable or not; the snapshot index (or 0) when empty.
     */
    long lastIndex();

    /**
     * @return the index of the last entry known to be durable.
     */
    long lastWrittenIndex();

    /**
     * @param index of an entry.
     * @return its term, {@link LogStore#NO_TERM} for index 0, the snapshot term for the index the log was reset to,
     *     or {@link LogStore#UNKNOWN_TERM} when the entry is not held.
     */
    long term(long index);

    /**
     * @param index of an entry.
     * @return the entry, or null when it is not held.
     */
    LogEntry entry(long index);

    /**
     * Read consecutive entries {@code [fromIndex, toIndex]} into {@code out}, stopping early at the first entry not
     * held, after {@code maxEntries} entries, or once {@code maxBytes} of payload is exceeded (at least one entry is
     * read when available).
     *
     * @param fromIndex  first index.
     * @param toIndex    last index, inclusive.
     * @param maxEntries most entries to read.
     * @param maxBytes   soft limit on the payload bytes read.
     * @param out        to add entries to.
     * @return the number of entries read.
     */
    int read(long fromIndex, long toIndex, int maxEntries, long maxBytes, List<LogEntry> out);
}

package dev.ra.core;

import dev.ra.codec.Bytes;
import dev.ra.protocol.LogEntry;
import dev.ra.protocol.UserCommand;
import dev.ra.spi.LogReader;
import dev.ra.spi.LogStore;
import java.util.ArrayList;
import java.util.List;

/**
 * The core's view of its log: entries the runtime has stored, read through a {@link LogReader}, plus an in-memory
 * tail of entries the core has appended that are not yet known durable (the "unstable" entries of etcd raft).
 *
 * <p>The tail shadows the store: after a follower overwrites a divergent suffix, the store may still hold the old
 * entries until the runtime executes the append, but reads already see the new ones. Not thread safe.
 */
final class RaftLog
{
    private final LogReader store;
    private final ArrayList<LogEntry> unstable = new ArrayList<>();
    private long unstableFrom;
    private long lastIndex;
    private long lastWritten;
    private long snapshotIndex;
    private long snapshotTerm;
    private int flushedCount;

    RaftLog(final LogReader store, final long snapshotIndex, final long snapshotTerm)
    {
        this.store = store;
        this.snapshotIndex = snapshotIndex;
        this.snapshotTerm = snapshotTerm;
        this.lastIndex = Math.max(store.lastIndex(), snapshotIndex);
        this.lastWritten = Math.max(Math.min(store.lastWrittenIndex(), lastIndex), snapshotIndex);
        this.unstableFrom = lastIndex + 1;
    }

    long lastIndex()
    {
        return lastIndex;
    }

    long lastTerm()
    {
        return term(lastIndex);
    }

    long lastWritten()
    {
        return lastWritten;
    }

    long snapshotIndex()
    {
        return snapshotIndex;
    }

    long snapshotTerm()
    {
        return snapshotTerm;
    }

    /**
     * @return the term of the entry, 0 for index 0, or {@link LogStore#UNKNOWN_TERM} if not held.
     */
    long term(final long index)
    {
        if (index == 0)
        {
            return LogStore.NO_TERM;
        }
        if (index > lastIndex || index < snapshotIndex)
        {
            return LogStore.UNKNOWN_TERM;
        }
        if (index == snapshotIndex)
        {
            return snapshotTerm;
        }
        if (index >= unstableFrom)
        {
            return unstable.get((int)(index - unstableFrom)).term();
        }
        return store.term(index);
    }

    /**
     * @return the entry, or null if it is not held (compacted into a snapshot or beyond the end).
     */
    LogEntry entry(final long index)
    {
        if (index > lastIndex || index <= snapshotIndex)
        {
            return null;
        }
        if (index >= unstableFrom)
        {
            return unstable.get((int)(index - unstableFrom));
        }
        return store.entry(index);
    }

    /**
     * Collect entries {@code [from, to]}, at most {@code max} and at most {@code maxBytes} of commands (but at least
     * one entry); stops at the first one not held. The byte bound keeps both the read buffer and the message the
     * entries go into bounded however large each entry is.
     */
    void collect(final long from, final long to, final int max, final long maxBytes, final List<LogEntry> out)
    {
        long index = from;
        final long end = Math.min(to, lastIndex);
        if (index <= snapshotIndex)
        {
            return;
        }
        final int start = out.size();
        int remaining = max;
        long bytes = 0;
        if (index < unstableFrom)
        {
            final long storeEnd = Math.min(end, unstableFrom - 1);
            final int read = store.read(index, storeEnd, remaining, maxBytes, out);
            // The store's limit is soft (it may read one entry past it): keep the strict prefix.
            for (int i = start; i < out.size(); i++)
            {
                bytes += commandBytes(out.get(i));
                if (i > start && bytes > maxBytes)
                {
                    out.subList(i, out.size()).clear();
                    return;
                }
            }
            remaining -= read;
            index += read;
            if (index <= storeEnd)
            {
                return;
            }
        }
        while (index <= end && remaining > 0)
        {
            final LogEntry entry = unstable.get((int)(index - unstableFrom));
            bytes += commandBytes(entry);
            if (out.size() > start && bytes > maxBytes)
            {
                return;
            }
            out.add(entry);
            index++;
            remaining--;
        }
    }

    /**
     * @return the encoded size of the entries' commands, as {@link #commandBytes(LogEntry)} counts it.
     */
    static long commandBytes(final List<LogEntry> entries)
    {
        long bytes = 0;
        for (int i = 0; i < entries.size(); i++)
        {
            bytes += commandBytes(entries.get(i));
        }
        return bytes;
    }

    /**
     * @return the encoded size of an entry's command (0 for other entries, which are small), as counted against the
     *     byte limits of reads and messages.
     */
    static long commandBytes(final LogEntry entry)
    {
        if (entry.payload() instanceof UserCommand command)
        {
            final Bytes data = command.dataIfEncoded();
            return null == data ? 0 : data.length();
        }
        return 0;
    }

    /**
     * Append entries at the end (a leader accepting commands); they are held in memory until flushed and written.
     */
    void appendNew(final LogEntry entry)
    {
        if (entry.index() != lastIndex + 1)
        {
            throw new IllegalStateException("append at " + entry.index() + " after last index " + lastIndex);
        }
        if (unstable.isEmpty())
        {
            unstableFrom = entry.index();
        }
        unstable.add(entry);
        lastIndex = entry.index();
    }

    /**
     * Truncate the log to {@code index - 1}, dropping a divergent suffix; the caller checked none of it is committed.
     */
    void truncateFrom(final long index)
    {
        if (index <= snapshotIndex)
        {
            throw new IllegalStateException("truncate at " + index + " inside snapshot " + snapshotIndex);
        }
        if (index > lastIndex)
        {
            return;
        }
        if (index >= unstableFrom)
        {
            final int keep = (int)(index - unstableFrom);
            unstable.subList(keep, unstable.size()).clear();
            flushedCount = Math.min(flushedCount, keep);
        }
        else
        {
            // The stored suffix is shadowed from now on: the next AppendToLog overwrites it in the store.
            unstable.clear();
            unstableFrom = index;
            flushedCount = 0;
        }
        lastIndex = index - 1;
        lastWritten = Math.min(lastWritten, lastIndex);
    }

    /**
     * @return the entries appended since the last call, to hand to the runtime as one {@code AppendToLog}; empty if
     *     none.
     */
    List<LogEntry> takeUnflushed()
    {
        if (flushedCount == unstable.size())
        {
            return List.of();
        }
        final List<LogEntry> batch = List.copyOf(unstable.subList(flushedCount, unstable.size()));
        flushedCount = unstable.size();
        return batch;
    }

    boolean hasUnflushed()
    {
        return flushedCount < unstable.size();
    }

    /**
     * The store reports entries up to {@code index} of {@code term} durable.
     *
     * @return true if this advanced the written index.
     */
    boolean markWritten(final long index, final long term)
    {
        if (index <= lastWritten || index > lastIndex || term(index) != term)
        {
            return false;
        }
        // Never count entries the runtime has not been asked to write yet.
        final long flushedUpTo = unstableFrom + flushedCount - 1;
        final long durable = Math.min(index, Math.max(flushedUpTo, unstableFrom - 1));
        if (durable <= lastWritten)
        {
            return false;
        }
        lastWritten = durable;
        dropWrittenTail();
        return true;
    }

    private void dropWrittenTail()
    {
        final int drop = (int)Math.min(flushedCount, lastWritten - unstableFrom + 1);
        if (drop > 0)
        {
            unstable.subList(0, drop).clear();
            unstableFrom += drop;
            flushedCount -= drop;
        }
    }

    /**
     * A snapshot at {@code index} is durable and the store dropped the entries below it.
     */
    void snapshotTaken(final long index, final long term)
    {
        if (index <= snapshotIndex)
        {
            return;
        }
        snapshotIndex = index;
        snapshotTerm = term;
        if (unstableFrom <= index)
        {
            final int drop = (int)Math.min(unstable.size(), index - unstableFrom + 1);
            unstable.subList(0, drop).clear();
            flushedCount = Math.max(0, flushedCount - drop);
            unstableFrom = index + 1;
        }
        if (lastIndex < index)
        {
            lastIndex = index;
        }
        lastWritten = Math.max(lastWritten, index);
    }

    /**
     * The log was reset to a snapshot installed from the leader: nothing else remains.
     */
    void resetTo(final long index, final long term)
    {
        unstable.clear();
        flushedCount = 0;
        snapshotIndex = index;
        snapshotTerm = term;
        lastIndex = index;
        lastWritten = index;
        unstableFrom = index + 1;
    }

    /**
     * Is a log ending at (lastLogIndex, lastLogTerm) at least as up to date as this one (§5.4.1)?
     */
    boolean isUpToDate(final long lastLogIndex, final long lastLogTerm)
    {
        final long myTerm = lastTerm();
        return lastLogTerm > myTerm || (lastLogTerm == myTerm && lastLogIndex >= lastIndex);
    }
}

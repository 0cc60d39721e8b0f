package dev.ra.sim;

import dev.ra.protocol.LogEntry;
import dev.ra.spi.LogStore;
import java.util.ArrayList;
import java.util.List;

/**
 * An in-memory log for the simulation that tells durable entries from volatile ones: a crash keeps only what a sync
 * made durable, exactly like a disk losing its page cache.
 */
final class SimLogStore implements LogStore
{
    private final ArrayList<LogEntry> entries = new ArrayList<>();
    private long baseIndex;
    private long baseTerm;
    private long durableIndex;

    @Override
    public long firstIndex()
    {
        return baseIndex + 1;
    }

    @Override
    public long lastIndex()
    {
        return baseIndex + entries.size();
    }

    @Override
    public long lastWrittenIndex()
    {
        return durableIndex;
    }

    @Override
    public long term(final long index)
    {
        if (index == 0)
        {
            return NO_TERM;
        }
        if (index == baseIndex)
        {
            return baseTerm;
        }
        final LogEntry entry = entry(index);
        return null == entry ? UNKNOWN_TERM : entry.term();
    }

    @Override
    public LogEntry entry(final long index)
    {
        if (index <= baseIndex || index > lastIndex())
        {
            return null;
        }
        return entries.get((int)(index - baseIndex - 1));
    }

    @Override
    public int read(final long fromIndex, final long toIndex, final int maxEntries, final long maxBytes,
        final List<LogEntry> out)
    {
        int read = 0;
        for (long i = fromIndex; i <= toIndex && read < maxEntries; i++)
        {
            final LogEntry entry = entry(i);
            if (null == entry)
            {
                break;
            }
            out.add(entry);
            read++;
        }
        return read;
    }

    @Override
    public void append(final List<LogEntry> batch)
    {
        if (batch.isEmpty())
        {
            return;
        }
        final long first = batch.get(0).index();
        if (first > lastIndex() + 1)
        {
            throw new IllegalArgumentException("gap: append at " + first + " after " + lastIndex());
        }
        if (first <= baseIndex)
        {
            throw new IllegalArgumentException("append at " + first + " inside snapshot " + baseIndex);
        }
        while (lastIndex() >= first)
        {
            entries.remove(entries.size() - 1);
        }
        durableIndex = Math.min(durableIndex, first - 1);
        entries.addAll(batch);
    }

    /**
     * Make everything appended so far durable.
     *
     * @return the last index now durable.
     */
    long sync()
    {
        durableIndex = lastIndex();
        return durableIndex;
    }

    /**
     * A crash: everything not durable is gone.
     */
    void loseVolatile()
    {
        while (lastIndex() > durableIndex)
        {
            entries.remove(entries.size() - 1);
        }
    }

    /**
     * A restart of a versioned run reads its log back from the disk, where commands are bytes (see {@link SimWire}).
     */
    void readBack()
    {
        final List<LogEntry> stored = SimWire.asStored(entries);
        entries.clear();
        entries.addAll(stored);
    }

    /**
     * Damage: durable entries from {@code index} on are gone, as if a WAL file lost its tail.
     *
     * @param index first entry lost, above the snapshot.
     */
    void loseFrom(final long index)
    {
        while (lastIndex() >= index && lastIndex() > baseIndex)
        {
            entries.remove(entries.size() - 1);
        }
        durableIndex = Math.min(durableIndex, lastIndex());
    }

    @Override
    public void truncateUpTo(final long index)
    {
        if (index <= baseIndex)
        {
            return;
        }
        final long newBaseTerm = term(index);
        final int drop = (int)Math.min(entries.size(), index - baseIndex);
        entries.subList(0, drop).clear();
        baseIndex = index;
        baseTerm = newBaseTerm;
        durableIndex = Math.max(durableIndex, index);
    }

    @Override
    public void resetTo(final long index, final long term)
    {
        entries.clear();
        baseIndex = index;
        baseTerm = term;
        durableIndex = index;
    }

    @Override
    public void close()
    {
    }
}

package dev.ra.runtime.memory;

import dev.ra.codec.Bytes;
import dev.ra.protocol.LogEntry;
import dev.ra.protocol.UserCommand;
import dev.ra.spi.LogListener;
import dev.ra.spi.LogStore;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The log of {@link InMemoryStorage}: an array of entries with simulated durability. All state lives in the shared
 * {@link ServerData} and is guarded by its monitor, because the sync thread reports durability concurrently.
 */
final class InMemoryLog implements LogStore
{
    private final ServerData data;
    private final LogListener listener;
    private final long syncDelayNanos;
    private final Supplier<ScheduledExecutorService> syncer;
    private volatile boolean closed;

    InMemoryLog(final ServerData data, final LogListener listener, final long syncDelayNanos,
        final Supplier<ScheduledExecutorService> syncer)
    {
        this.data = data;
        this.listener = listener;
        this.syncDelayNanos = syncDelayNanos;
        this.syncer = syncer;
    }

    @Override
    public long firstIndex()
    {
        synchronized (data)
        {
            return data.firstIndex;
        }
    }

    @Override
    public long lastIndex()
    {
        synchronized (data)
        {
            return lastIndexLocked();
        }
    }

    private long lastIndexLocked()
    {
        return data.firstIndex + data.count - 1;
    }

    @Override
    public long lastWrittenIndex()
    {
        synchronized (data)
        {
            return data.durableIndex;
        }
    }

    @Override
    public long term(final long index)
    {
        synchronized (data)
        {
            return termLocked(index);
        }
    }

    private long termLocked(final long index)
    {
        if (index == 0)
        {
            return NO_TERM;
        }
        if (index == data.baseIndex && index < data.firstIndex)
        {
            return data.baseTerm;
        }
        final LogEntry entry = entryLocked(index);
        return null == entry ? UNKNOWN_TERM : entry.term();
    }

    @Override
    public LogEntry entry(final long index)
    {
        synchronized (data)
        {
            return entryLocked(index);
        }
    }

    private LogEntry entryLocked(final long index)
    {
        final long offset = index - data.firstIndex;
        return offset < 0 || offset >= data.count ? null : data.entries[(int)offset];
    }

    @Override
    public int read(final long fromIndex, final long toIndex, final int maxEntries, final long maxBytes,
        final List<LogEntry> out)
    {
        synchronized (data)
        {
            int read = 0;
            long bytes = 0;
            for (long i = fromIndex; i <= toIndex && read < maxEntries; i++)
            {
                final LogEntry entry = entryLocked(i);
                if (null == entry || (read > 0 && bytes > maxBytes))
                {
                    break;
                }
                out.add(entry);
                read++;
                if (entry.payload() instanceof UserCommand command)
                {
                    final Bytes encoded = command.dataIfEncoded();
                    bytes += null == encoded ? 0 : encoded.length();
                }
            }
            return read;
        }
    }

    @Override
    public void append(final List<LogEntry> entries)
    {
        if (entries.isEmpty())
        {
            return;
        }
        final LogEntry last = entries.get(entries.size() - 1);
        synchronized (data)
        {
            final long first = entries.get(0).index();
            final long lastIndex = lastIndexLocked();
            if (first > lastIndex + 1)
            {
                throw new IllegalArgumentException("append at " + first + " leaves a gap after " + lastIndex);
            }
            if (first < data.firstIndex)
            {
                throw new IllegalArgumentException("append at " + first + " is below the first index " +
                    data.firstIndex);
            }
            data.count = (int)(first - data.firstIndex);
            data.durableIndex = Math.min(data.durableIndex, first - 1);
            ensureCapacity(data.count + entries.size());
            long expected = first;
            for (final LogEntry entry : entries)
            {
                if (entry.index() != expected)
                {
                    throw new IllegalArgumentException("entries are not consecutive at " + entry.index());
                }
                data.entries[data.count++] = entry;
                expected++;
            }
            if (syncDelayNanos == 0)
            {
                data.durableIndex = last.index();
            }
        }
        if (syncDelayNanos == 0)
        {
            listener.onWritten(last.index(), last.term());
        }
        else
        {
            syncer.get().schedule(() -> sync(last.index(), last.term()), syncDelayNanos, TimeUnit.NANOSECONDS);
        }
    }

    private void sync(final long index, final long term)
    {
        if (closed)
        {
            return;
        }
        synchronized (data)
        {
            if (termLocked(index) != term || index <= data.durableIndex)
            {
                return;
            }
            data.durableIndex = index;
        }
        listener.onWritten(index, term);
    }

    private void ensureCapacity(final int capacity)
    {
        if (capacity > data.entries.length)
        {
            data.entries = java.util.Arrays.copyOf(data.entries, Math.max(capacity, data.entries.length * 2));
        }
    }

    @Override
    public void truncateUpTo(final long index)
    {
        synchronized (data)
        {
            if (index < data.firstIndex)
            {
                return;
            }
            final long term = termLocked(index);
            final int drop = (int)Math.min(data.count, index - data.firstIndex + 1);
            System.arraycopy(data.entries, drop, data.entries, 0, data.count - drop);
            java.util.Arrays.fill(data.entries, data.count - drop, data.count, null);
            data.count -= drop;
            data.firstIndex = index + 1;
            data.baseIndex = index;
            data.baseTerm = term;
            data.durableIndex = Math.max(data.durableIndex, index);
        }
    }

    @Override
    public void resetTo(final long index, final long term)
    {
        synchronized (data)
        {
            java.util.Arrays.fill(data.entries, 0, data.count, null);
            data.count = 0;
            data.firstIndex = index + 1;
            data.baseIndex = index;
            data.baseTerm = term;
            data.durableIndex = index;
        }
    }

    @Override
    public void close()
    {
        closed = true;
        synchronized (data)
        {
            // A crash loses whatever the simulated sync had not reported yet.
            final long lastIndex = lastIndexLocked();
            if (data.durableIndex < lastIndex && data.durableIndex >= data.firstIndex - 1)
            {
                final int keep = (int)(data.durableIndex - data.firstIndex + 1);
                java.util.Arrays.fill(data.entries, keep, data.count, null);
                data.count = keep;
            }
        }
    }
}

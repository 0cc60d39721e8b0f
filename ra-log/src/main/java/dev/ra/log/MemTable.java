package dev.ra.log;

import dev.ra.protocol.LogEntry;

/**
 * The recent, not yet flushed entries of one server, readable without I/O: a contiguous run
 * {@code [firstIndex, lastIndex]} in a growable ring buffer. Adds and prefix/suffix drops allocate nothing once the
 * ring has grown. Not thread safe; guarded by the owning {@link ServerLog}.
 */
final class MemTable
{
    private LogEntry[] ring = new LogEntry[64];
    private int head;
    private int size;
    private long firstIndex = 1;

    /**
     * @return the index of the first entry; when empty, the index the next entry must have.
     */
    long firstIndex()
    {
        return firstIndex;
    }

    /**
     * @return the index of the last entry; {@code firstIndex() - 1} when empty.
     */
    long lastIndex()
    {
        return firstIndex + size - 1;
    }

    boolean isEmpty()
    {
        return size == 0;
    }

    int size()
    {
        return size;
    }

    /**
     * Drop everything; the next entry added must have {@code nextIndex}.
     *
     * @param nextIndex index of the next entry.
     */
    void clear(final long nextIndex)
    {
        while (size > 0)
        {
            ring[head] = null;
            head = (head + 1) & (ring.length - 1);
            size--;
        }
        head = 0;
        firstIndex = nextIndex;
    }

    /**
     * @param entry the next entry, with index {@code lastIndex() + 1}.
     */
    void add(final LogEntry entry)
    {
        if (entry.index() != firstIndex + size)
        {
            throw new IllegalStateException("memtable entry " + entry.index() + " does not follow " + lastIndex());
        }
        if (size == ring.length)
        {
            final LogEntry[] bigger = new LogEntry[ring.length * 2];
            for (int i = 0; i < size; i++)
            {
                bigger[i] = ring[(head + i) & (ring.length - 1)];
            }
            ring = bigger;
            head = 0;
        }
        ring[(head + size) & (ring.length - 1)] = entry;
        size++;
    }

    /**
     * @param index of an entry.
     * @return it, or null if not held.
     */
    LogEntry get(final long index)
    {
        final long slot = index - firstIndex;
        if (slot < 0 || slot >= size)
        {
            return null;
        }
        return ring[(head + (int)slot) & (ring.length - 1)];
    }

    /**
     * Keep entries up to {@code index}; if that is below the first entry, everything is dropped and the next entry
     * must be {@code index + 1}.
     *
     * @param index last index kept.
     */
    void truncateAfter(final long index)
    {
        if (index < firstIndex)
        {
            clear(index + 1);
            return;
        }
        while (size > 0 && lastIndex() > index)
        {
            size--;
            ring[(head + size) & (ring.length - 1)] = null;
        }
    }

    /**
     * Drop entries at and below {@code index}.
     *
     * @param index last index dropped.
     */
    void dropUpTo(final long index)
    {
        if (index >= lastIndex())
        {
            clear(Math.max(firstIndex, index + 1));
            return;
        }
        while (size > 0 && firstIndex <= index)
        {
            ring[head] = null;
            head = (head + 1) & (ring.length - 1);
            size--;
            firstIndex++;
        }
    }
}

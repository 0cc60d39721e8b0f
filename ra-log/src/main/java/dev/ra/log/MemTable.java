package dev.ra.log;

import dev.ra.protocol.LogEntry;

/**
 * The not yet flushed entries of one server: a contiguous run {@code [firstIndex, lastIndex]} in a growable ring.
 *
 * <p>Lean: the entry OBJECT is kept only while it is needed, that is until its WAL record is durable (its location is
 * known) and it has fallen out of the window of the {@code objectWindow} most recent entries. Older entries keep only
 * primitives: term, record checksum and the record's location (WAL file sequence, offset, length), and are read back
 * from the WAL file when asked for. Holding every entry of a WAL file as objects until its flush made each young
 * collection copy all of them (tens of milliseconds per pause with a 128 MiB WAL); primitive arrays are not copied
 * per entry. Adds, locates and prefix/suffix drops allocate nothing once the ring has grown.
 *
 * <p>Entries become durable in append order, so the located entries form a prefix of the run and their WAL file
 * sequences never decrease with the index. Not thread safe; guarded by the owning {@link ServerLog}.
 */
final class MemTable
{
    /** Location of an entry whose WAL record is not durable yet. */
    static final long NOT_LOCATED = -1;
    /**
     * Recent entries kept as objects beyond durability: reads of recent entries (applying committed entries, sending
     * them to followers that are nearly caught up) then need no I/O. 512 entries cover tens of milliseconds of
     * appends for one busy server, more than the usual distance between the last durable and the last applied
     * entry, while 100 servers' windows stay a few megabytes for a young collection to copy.
     */
    static final int DEFAULT_OBJECT_WINDOW = 512;

    private final int objectWindow;
    private LogEntry[] objects = new LogEntry[64];
    /** Checksum of each entry's WAL record: tells apart entries with the same index and term written at different
     * times (after a truncation the same index and term may be appended again with other content). */
    private int[] checksums = new int[64];
    private long[] terms = new long[64];
    private long[] walSequences = new long[64];
    private long[] walOffsets = new long[64];
    private int[] recordLengths = new int[64];
    private int head;
    private int size;
    private long firstIndex = 1;
    /** Entries below this index (and at or above the first) are located and have no object. */
    private long objectsFrom = 1;

    MemTable()
    {
        this(DEFAULT_OBJECT_WINDOW);
    }

    /**
     * @param objectWindow most recent entries kept as objects after they are durable (at least 0).
     */
    MemTable(final int objectWindow)
    {
        this.objectWindow = objectWindow;
    }

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
     * @return how many entries are held as objects (tests and monitoring; counts them).
     */
    int objectCount()
    {
        int count = 0;
        for (int i = 0; i < size; i++)
        {
            if (null != objects[(head + i) & (objects.length - 1)])
            {
                count++;
            }
        }
        return count;
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
            objects[head] = null;
            head = (head + 1) & (objects.length - 1);
            size--;
        }
        head = 0;
        firstIndex = nextIndex;
        objectsFrom = nextIndex;
    }

    /**
     * @param entry the next entry, with index {@code lastIndex() + 1}; checksum 0.
     */
    void add(final LogEntry entry)
    {
        add(entry, 0);
    }

    /**
     * @param entry    to add after the last one; not located until {@link #locate} says where it was written.
     * @param checksum of its WAL record.
     */
    void add(final LogEntry entry, final int checksum)
    {
        if (entry.index() != firstIndex + size)
        {
            throw new IllegalStateException("memtable entry " + entry.index() + " does not follow " + lastIndex());
        }
        if (size == objects.length)
        {
            grow();
        }
        final int slot = (head + size) & (objects.length - 1);
        objects[slot] = entry;
        checksums[slot] = checksum;
        terms[slot] = entry.term();
        walSequences[slot] = NOT_LOCATED;
        size++;
        releaseObjects();
    }

    private void grow()
    {
        final int capacity = objects.length * 2;
        final LogEntry[] biggerObjects = new LogEntry[capacity];
        final int[] biggerChecksums = new int[capacity];
        final long[] biggerTerms = new long[capacity];
        final long[] biggerSequences = new long[capacity];
        final long[] biggerOffsets = new long[capacity];
        final int[] biggerLengths = new int[capacity];
        for (int i = 0; i < size; i++)
        {
            final int from = (head + i) & (objects.length - 1);
            biggerObjects[i] = objects[from];
            biggerChecksums[i] = checksums[from];
            biggerTerms[i] = terms[from];
            biggerSequences[i] = walSequences[from];
            biggerOffsets[i] = walOffsets[from];
            biggerLengths[i] = recordLengths[from];
        }
        objects = biggerObjects;
        checksums = biggerChecksums;
        terms = biggerTerms;
        walSequences = biggerSequences;
        walOffsets = biggerOffsets;
        recordLengths = biggerLengths;
        head = 0;
    }

    private int slot(final long index)
    {
        final long slot = index - firstIndex;
        if (slot < 0 || slot >= size)
        {
            throw new IllegalArgumentException("index " + index + " not in the memtable");
        }
        return (head + (int)slot) & (objects.length - 1);
    }

    /**
     * @param index of an entry.
     * @return whether it is held (as an object or as a location).
     */
    boolean contains(final long index)
    {
        return index >= firstIndex && index < firstIndex + size;
    }

    /**
     * @param index of an entry held.
     * @return its term.
     */
    long term(final long index)
    {
        return terms[slot(index)];
    }

    /**
     * @param index of an entry held.
     * @return the checksum of its WAL record, as given to {@link #add(LogEntry, int)}.
     */
    int checksum(final long index)
    {
        return checksums[slot(index)];
    }

    /**
     * @param index of an entry.
     * @return it, or null if not held or held only as a location (read it from the WAL).
     */
    LogEntry entry(final long index)
    {
        return contains(index) ? objects[slot(index)] : null;
    }

    /**
     * @param index of an entry held.
     * @return the sequence of the WAL file holding its record, or {@link #NOT_LOCATED}.
     */
    long walSequence(final long index)
    {
        return walSequences[slot(index)];
    }

    /**
     * @param index of a located entry.
     * @return the offset of its record in the WAL file.
     */
    long walOffset(final long index)
    {
        return walOffsets[slot(index)];
    }

    /**
     * @param index of a located entry.
     * @return the length of its record, header included.
     */
    int recordLength(final long index)
    {
        return recordLengths[slot(index)];
    }

    /**
     * A WAL record is durable: remember where it is, if it is the one of the entry held at its index (the entry may
     * have been overwritten since it was written).
     *
     * @param index    of the record.
     * @param checksum of the record.
     * @param sequence of the WAL file.
     * @param offset   of the record in it.
     * @param length   of the record, header included.
     */
    void locate(final long index, final int checksum, final long sequence, final long offset, final int length)
    {
        if (!contains(index))
        {
            return;
        }
        final int slot = slot(index);
        if (checksums[slot] != checksum || walSequences[slot] != NOT_LOCATED)
        {
            return;
        }
        walSequences[slot] = sequence;
        walOffsets[slot] = offset;
        recordLengths[slot] = length;
        releaseObjects();
    }

    /**
     * Keep an entry as an object again, no longer pointing into the WAL (its file is about to be reused).
     *
     * @param entry held, as read back from the WAL.
     */
    void restore(final LogEntry entry)
    {
        final int slot = slot(entry.index());
        objects[slot] = entry;
        walSequences[slot] = NOT_LOCATED;
    }

    private void releaseObjects()
    {
        final long releaseUpTo = lastIndex() - objectWindow;
        while (objectsFrom <= releaseUpTo)
        {
            final int slot = slot(objectsFrom);
            if (walSequences[slot] == NOT_LOCATED)
            {
                return;
            }
            objects[slot] = null;
            objectsFrom++;
        }
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
            objects[(head + size) & (objects.length - 1)] = null;
        }
        objectsFrom = Math.min(objectsFrom, lastIndex() + 1);
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
            objects[head] = null;
            head = (head + 1) & (objects.length - 1);
            size--;
            firstIndex++;
        }
        objectsFrom = Math.max(objectsFrom, firstIndex);
    }
}

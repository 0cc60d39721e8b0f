package dev.ra.log;

import dev.ra.protocol.LogEntry;
import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * The not yet flushed entries of one server: a contiguous run {@code [firstIndex, lastIndex]} in pages of slots.
 *
 * <p>Lean: the entry OBJECT is kept only while it is needed, that is until its WAL record is durable (its location is
 * known) and it has fallen out of the window of the {@code objectWindow} most recent entries. Older entries keep only
 * primitives: term, record checksum and the record's location (WAL file sequence, offset, length), and are read back
 * from the WAL file when asked for. Holding every entry of a WAL file as objects until its flush made each young
 * collection copy all of them (tens of milliseconds per pause with a 128 MiB WAL); primitive arrays are not copied
 * per entry. Adds, locates and prefix/suffix drops allocate nothing below the high-water mark.
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
    /** Slots per page: 9 KiB. */
    private static final int PAGE_SHIFT = 8;
    private static final int PAGE = 1 << PAGE_SHIFT;
    /**
     * Slots of a memtable's first page until it needs more: most of thousands of servers on a node are idle and hold a
     * handful of entries (an election's noop), so each holds 0.6 KiB rather than a whole page.
     */
    private static final int FIRST_PAGE_SLOTS = 16;

    private final int objectWindow;
    /** Pages in use, in index order, as a ring: page {@code i} holds indexes {@code origin + i * PAGE} on. */
    private Page[] pages = new Page[4];
    private int pageHead;
    private int pageCount;
    /** Index held by the first slot of the first page: a multiple of the page size. */
    private long origin;
    /** Pages released by drops and truncations, reused before any is allocated. */
    private final ArrayDeque<Page> freePages = new ArrayDeque<>();
    private long firstIndex = 1;
    private int size;
    /** Entries below this index (and at or above the first) are located and have no object. */
    private long objectsFrom = 1;

    /**
     * A fixed run of slots. The memtable of a busy server holds a whole WAL file's entries or more; growing it by pages
     * that are reused, rather than by doubling one ring, allocates only at a new high-water mark and never copies.
     */
    private static final class Page
    {
        LogEntry[] objects;
        /** Checksum of each entry's WAL record: tells apart entries with the same index and term written at
         * different times (after a truncation the same index and term may be appended again with other content). */
        int[] checksums;
        long[] terms;
        long[] walSequences;
        long[] walOffsets;
        int[] recordLengths;

        /**
         * @param slots the first slots it can hold; {@link #hold} grows it to a whole page when a later one is added.
         */
        Page(final int slots)
        {
            objects = new LogEntry[slots];
            checksums = new int[slots];
            terms = new long[slots];
            walSequences = new long[slots];
            walOffsets = new long[slots];
            recordLengths = new int[slots];
        }

        /**
         * Make room for a slot: a small first page becomes a whole page (once; pages are reused, not shrunk).
         *
         * @param slot to be written.
         */
        void hold(final int slot)
        {
            if (slot >= objects.length)
            {
                objects = Arrays.copyOf(objects, PAGE);
                checksums = Arrays.copyOf(checksums, PAGE);
                terms = Arrays.copyOf(terms, PAGE);
                walSequences = Arrays.copyOf(walSequences, PAGE);
                walOffsets = Arrays.copyOf(walOffsets, PAGE);
                recordLengths = Arrays.copyOf(recordLengths, PAGE);
            }
        }
    }

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
        for (long index = firstIndex; index <= lastIndex(); index++)
        {
            if (null != page(index).objects[slot(index)])
            {
                count++;
            }
        }
        return count;
    }

    private Page page(final long index)
    {
        return pages[(pageHead + (int)((index - origin) >>> PAGE_SHIFT)) & (pages.length - 1)];
    }

    private static int slot(final long index)
    {
        return (int)(index & (PAGE - 1));
    }

    private void check(final long index)
    {
        if (!contains(index))
        {
            throw new IllegalArgumentException("index " + index + " not in the memtable");
        }
    }

    /**
     * Drop everything; the next entry added must have {@code nextIndex}.
     *
     * @param nextIndex index of the next entry.
     */
    void clear(final long nextIndex)
    {
        while (pageCount > 0)
        {
            releaseFirstPage();
        }
        size = 0;
        firstIndex = nextIndex;
        origin = nextIndex & -PAGE;
        objectsFrom = nextIndex;
    }

    private void releaseFirstPage()
    {
        final Page page = pages[pageHead];
        pages[pageHead] = null;
        Arrays.fill(page.objects, null);
        freePages.push(page);
        pageHead = (pageHead + 1) & (pages.length - 1);
        pageCount--;
        origin += PAGE;
    }

    private void releaseLastPage()
    {
        final int last = (pageHead + pageCount - 1) & (pages.length - 1);
        final Page page = pages[last];
        pages[last] = null;
        Arrays.fill(page.objects, null);
        freePages.push(page);
        pageCount--;
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
        final long index = entry.index();
        if (index != firstIndex + size)
        {
            throw new IllegalStateException("memtable entry " + index + " does not follow " + lastIndex());
        }
        if (index - origin >= (long)pageCount << PAGE_SHIFT)
        {
            addPage();
        }
        final Page page = page(index);
        final int slot = slot(index);
        page.hold(slot);
        page.objects[slot] = entry;
        page.checksums[slot] = checksum;
        page.terms[slot] = entry.term();
        page.walSequences[slot] = NOT_LOCATED;
        size++;
        releaseObjects();
    }

    private void addPage()
    {
        if (pageCount == pages.length)
        {
            final Page[] more = new Page[pages.length * 2];
            for (int i = 0; i < pageCount; i++)
            {
                more[i] = pages[(pageHead + i) & (pages.length - 1)];
            }
            pages = more;
            pageHead = 0;
        }
        if (freePages.isEmpty())
        {
            // Capacity doubles, as a growing array's would, so a memtable whose size hovers around a high-water mark
            // does not allocate again at each new peak.
            if (0 == pageCount)
            {
                freePages.push(new Page(FIRST_PAGE_SLOTS));
            }
            for (int i = pageCount; i > 0; i--)
            {
                freePages.push(new Page(PAGE));
            }
        }
        pages[(pageHead + pageCount) & (pages.length - 1)] = freePages.pop();
        pageCount++;
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
        check(index);
        return page(index).terms[slot(index)];
    }

    /**
     * @param index of an entry held.
     * @return the checksum of its WAL record, as given to {@link #add(LogEntry, int)}.
     */
    int checksum(final long index)
    {
        check(index);
        return page(index).checksums[slot(index)];
    }

    /**
     * @param index of an entry.
     * @return it, or null if not held or held only as a location (read it from the WAL).
     */
    LogEntry entry(final long index)
    {
        return contains(index) ? page(index).objects[slot(index)] : null;
    }

    /**
     * @param index of an entry held.
     * @return the sequence of the WAL file holding its record, or {@link #NOT_LOCATED}.
     */
    long walSequence(final long index)
    {
        check(index);
        return page(index).walSequences[slot(index)];
    }

    /**
     * @param index of a located entry.
     * @return the offset of its record in the WAL file.
     */
    long walOffset(final long index)
    {
        check(index);
        return page(index).walOffsets[slot(index)];
    }

    /**
     * @param index of a located entry.
     * @return the length of its record, header included.
     */
    int recordLength(final long index)
    {
        check(index);
        return page(index).recordLengths[slot(index)];
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
        final Page page = page(index);
        final int slot = slot(index);
        if (page.checksums[slot] != checksum || page.walSequences[slot] != NOT_LOCATED)
        {
            return;
        }
        page.walSequences[slot] = sequence;
        page.walOffsets[slot] = offset;
        page.recordLengths[slot] = length;
        releaseObjects();
    }

    /**
     * Keep an entry as an object again, no longer pointing into the WAL (its file is about to be reused).
     *
     * @param entry held, as read back from the WAL.
     */
    void restore(final LogEntry entry)
    {
        final long index = entry.index();
        check(index);
        page(index).objects[slot(index)] = entry;
        page(index).walSequences[slot(index)] = NOT_LOCATED;
    }

    private void releaseObjects()
    {
        final long releaseUpTo = lastIndex() - objectWindow;
        while (objectsFrom <= releaseUpTo)
        {
            final Page page = page(objectsFrom);
            final int slot = slot(objectsFrom);
            if (page.walSequences[slot] == NOT_LOCATED)
            {
                return;
            }
            page.objects[slot] = null;
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
            page(lastIndex()).objects[slot(lastIndex())] = null;
            size--;
        }
        while (pageCount > 0 && lastIndex() < origin + ((long)(pageCount - 1) << PAGE_SHIFT))
        {
            releaseLastPage();
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
        if (index < firstIndex)
        {
            return;
        }
        size -= (int)(index + 1 - firstIndex);
        firstIndex = index + 1;
        while (firstIndex >= origin + PAGE)
        {
            releaseFirstPage();
        }
        // The dropped entries left in the first page are unreachable; clearing their objects lets them be collected.
        final Page first = pages[pageHead];
        Arrays.fill(first.objects, 0, Math.min(slot(firstIndex), first.objects.length), null);
        objectsFrom = Math.max(objectsFrom, firstIndex);
    }
}

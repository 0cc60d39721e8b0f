package dev.ra.log;

import dev.ra.codec.BufferReader;
import dev.ra.codec.CodecException;
import dev.ra.protocol.EntryCodec;
import dev.ra.protocol.LogEntry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

/**
 * An open segment with its offset and term table in memory; handed out by the {@link SegmentCache}. Reads are
 * positional and thread-safe. Every entry read is checked against its checksum, index and term.
 *
 * <p>The table is kept packed: the file's table has 16 bytes per entry (a long offset and a long term), but a segment
 * is smaller than 2 GiB (its builder holds it in one buffer), so an offset fits an int, and terms change rarely within
 * a segment, so they are kept as runs. About 4 bytes per entry instead of 16: the cache's open readers cost a quarter
 * of the memory, and larger segments ({@link FileStorage.Builder#segmentMaxEntries}) cost what the default did.
 */
final class SegmentReader
{
    /** Most bytes one read allocates for a run of entries (one larger entry is still read whole). */
    static final long MAX_READ_BYTES = 32L * 1024 * 1024;

    private final SegmentFile segment;
    private final LogFile file;
    /** Record offsets, plus the table offset as the end of the last record. */
    private final int[] offsets;
    /** Slot of the first entry of each run of entries with the same term, ascending; the first is 0. */
    private final int[] runStarts;
    /** The term of each run. */
    private final long[] runTerms;

    /** Guarded by the cache. */
    int references;
    /** Guarded by the cache. */
    boolean evicted;

    private SegmentReader(final SegmentFile segment, final LogFile file, final int[] offsets, final int[] runStarts,
        final long[] runTerms)
    {
        this.segment = segment;
        this.file = file;
        this.offsets = offsets;
        this.runStarts = runStarts;
        this.runTerms = runTerms;
    }

    /**
     * Open a segment and load its table.
     *
     * @param files   the file layer.
     * @param segment to open.
     * @return the reader.
     * @throws IOException on failure to read.
     * @throws IllegalStateException if the table is damaged.
     */
    static SegmentReader open(final FileLayer files, final SegmentFile segment) throws IOException
    {
        final LogFile file = files.open(segment.path(), false);
        try
        {
            final int count = segment.count();
            final long tableOffset = segment.size() - SegmentFile.TRAILER - (long)count * SegmentFile.TABLE_ENTRY;
            // Before the table is read: no segment this code writes is that large, and offsets are kept as ints.
            if (tableOffset > Integer.MAX_VALUE)
            {
                throw Formats.corrupt(segment.path(), tableOffset, "segment larger than 2 GiB");
            }
            final ByteBuffer table = ByteBuffer.allocate(count * SegmentFile.TABLE_ENTRY);
            file.read(table, tableOffset);
            final ByteBuffer trailer = ByteBuffer.allocate(SegmentFile.TRAILER);
            file.read(trailer, segment.size() - SegmentFile.TRAILER);
            if (trailer.getInt(12) != Formats.crc(table.array(), 0, table.capacity()))
            {
                throw Formats.corrupt(segment.path(), tableOffset, "segment index table checksum mismatch");
            }
            final int[] offsets = new int[count + 1];
            int[] runStarts = new int[1];
            long[] runTerms = new long[1];
            int runs = 0;
            long previous = SegmentFile.HEADER - 1;
            for (int i = 0; i < count; i++)
            {
                final long offset = table.getLong(i * SegmentFile.TABLE_ENTRY);
                final long term = table.getLong(i * SegmentFile.TABLE_ENTRY + 8);
                if (offset <= previous || offset >= tableOffset)
                {
                    throw Formats.corrupt(segment.path(), tableOffset, "segment index table out of order");
                }
                offsets[i] = (int)offset;
                previous = offset;
                if (runs == 0 || runTerms[runs - 1] != term)
                {
                    if (runs == runStarts.length)
                    {
                        runStarts = Arrays.copyOf(runStarts, runs * 2);
                        runTerms = Arrays.copyOf(runTerms, runs * 2);
                    }
                    runStarts[runs] = i;
                    runTerms[runs] = term;
                    runs++;
                }
            }
            offsets[count] = (int)tableOffset;
            return new SegmentReader(segment, file, offsets, Arrays.copyOf(runStarts, runs),
                Arrays.copyOf(runTerms, runs));
        }
        catch (final IOException | RuntimeException ex)
        {
            file.close();
            throw ex;
        }
    }

    SegmentFile segment()
    {
        return segment;
    }

    /**
     * @param index within the segment.
     * @return the entry's term.
     */
    long term(final long index)
    {
        return runTerms[run(slot(index))];
    }

    /**
     * @return bytes of memory the packed table holds (its arrays' elements), to check that it stays packed.
     */
    long tableBytes()
    {
        return 4L * offsets.length + 4L * runStarts.length + 8L * runTerms.length;
    }

    private int run(final int slot)
    {
        final int found = Arrays.binarySearch(runStarts, slot);
        return found >= 0 ? found : -found - 2;
    }

    /**
     * @param index within the segment.
     * @return the size of the entry's encoded payload, from the table.
     */
    int payloadSize(final long index)
    {
        final int slot = slot(index);
        return offsets[slot + 1] - offsets[slot] - SegmentFile.RECORD_HEADER;
    }

    private int slot(final long index)
    {
        final long slot = index - segment.firstIndex();
        if (slot < 0 || slot >= segment.count())
        {
            throw new IllegalArgumentException("index " + index + " not in " + segment);
        }
        return (int)slot;
    }

    /**
     * Read consecutive entries with one positional read.
     *
     * @param from       first index, within the segment.
     * @param to         last index wanted (clipped to the segment).
     * @param maxEntries most entries.
     * @param maxBytes   soft limit on payload bytes (at least one entry is read).
     * @param out        to add to.
     * @return the number of entries read.
     */
    int read(final long from, final long to, final int maxEntries, final long maxBytes, final List<LogEntry> out)
    {
        final int first = slot(from);
        final int last = (int)Math.min(to - segment.firstIndex(), segment.count() - 1);
        int end = first;
        long bytes = 0;
        // Whatever the caller's limit, one read never allocates more than MAX_READ_BYTES beyond its first entry (whose
        // size the segment table bounds by the file's size): a run of large entries is read a bounded piece at a time.
        while (end <= last && end - first < maxEntries &&
            (end == first || (bytes < maxBytes && offsets[end + 1] - offsets[first] <= MAX_READ_BYTES)))
        {
            bytes += offsets[end + 1] - offsets[end] - SegmentFile.RECORD_HEADER;
            end++;
        }
        final int start = offsets[first];
        final int length = offsets[end] - start;
        final ByteBuffer buffer = ByteBuffer.allocate(length);
        try
        {
            file.read(buffer, start);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read segment " + segment.path(), ex);
        }
        if (buffer.hasRemaining())
        {
            throw damaged(start + buffer.position(), "segment shorter than its table says");
        }
        int run = run(first);
        for (int i = first; i < end; i++)
        {
            if (run + 1 < runStarts.length && runStarts[run + 1] == i)
            {
                run++;
            }
            out.add(decode(buffer, offsets[i] - start, offsets[i + 1] - offsets[i], segment.firstIndex() + i,
                runTerms[run]));
        }
        return end - first;
    }

    private LogEntry decode(final ByteBuffer buffer, final int at, final int size, final long index, final long term)
    {
        final int fileOffset = offsets[(int)(index - segment.firstIndex())];
        final int payload = buffer.getInt(at + 4);
        if (payload != size - SegmentFile.RECORD_HEADER || buffer.getInt(at) != Formats.crc(buffer, at + 4, at + size))
        {
            throw damaged(fileOffset, "entry " + index + " fails its checksum");
        }
        if (buffer.getLong(at + 8) != index || buffer.getLong(at + 16) != term)
        {
            throw damaged(fileOffset, "entry at the position of " + index + " is " + buffer.getLong(at + 8));
        }
        try
        {
            final LogEntry entry = EntryCodec.INSTANCE.decode(
                new BufferReader(buffer.array(), at + SegmentFile.RECORD_HEADER, payload));
            if (entry.index() != index || entry.term() != term)
            {
                throw damaged(fileOffset, "entry payload says " + entry.term() + "/" + entry.index());
            }
            return entry;
        }
        catch (final CodecException ex)
        {
            throw damaged(fileOffset, "undecodable entry " + index + ": " + ex.getMessage());
        }
    }

    private UncheckedIOException damaged(final long offset, final String what)
    {
        return new UncheckedIOException(new IOException(Formats.corrupt(segment.path(), offset, what).getMessage()));
    }

    void close()
    {
        try
        {
            file.close();
        }
        catch (final IOException ignored)
        {
            // a read-only handle: nothing can be lost by failing to close it
        }
    }
}

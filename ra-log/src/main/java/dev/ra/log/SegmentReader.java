package dev.ra.log;

import dev.ra.codec.BufferReader;
import dev.ra.codec.CodecException;
import dev.ra.protocol.EntryCodec;
import dev.ra.protocol.LogEntry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * An open segment with its offset and term table in memory; handed out by the {@link SegmentCache}. Reads are
 * positional and thread-safe. Every entry read is checked against its checksum, index and term.
 */
final class SegmentReader
{
    /** Most bytes one read allocates for a run of entries (one larger entry is still read whole). */
    static final long MAX_READ_BYTES = 32L * 1024 * 1024;

    private final SegmentFile segment;
    private final LogFile file;
    /** Record offsets, plus the table offset as the end of the last record. */
    private final long[] offsets;
    private final long[] terms;

    /** Guarded by the cache. */
    int references;
    /** Guarded by the cache. */
    boolean evicted;

    private SegmentReader(final SegmentFile segment, final LogFile file, final long[] offsets, final long[] terms)
    {
        this.segment = segment;
        this.file = file;
        this.offsets = offsets;
        this.terms = terms;
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
            final ByteBuffer table = ByteBuffer.allocate(count * SegmentFile.TABLE_ENTRY);
            file.read(table, tableOffset);
            final ByteBuffer trailer = ByteBuffer.allocate(SegmentFile.TRAILER);
            file.read(trailer, segment.size() - SegmentFile.TRAILER);
            if (trailer.getInt(12) != Formats.crc(table.array(), 0, table.capacity()))
            {
                throw Formats.corrupt(segment.path(), tableOffset, "segment index table checksum mismatch");
            }
            final long[] offsets = new long[count + 1];
            final long[] terms = new long[count];
            long previous = SegmentFile.HEADER - 1;
            for (int i = 0; i < count; i++)
            {
                offsets[i] = table.getLong(i * SegmentFile.TABLE_ENTRY);
                terms[i] = table.getLong(i * SegmentFile.TABLE_ENTRY + 8);
                if (offsets[i] <= previous || offsets[i] >= tableOffset)
                {
                    throw Formats.corrupt(segment.path(), tableOffset, "segment index table out of order");
                }
                previous = offsets[i];
            }
            offsets[count] = tableOffset;
            return new SegmentReader(segment, file, offsets, terms);
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
        return terms[slot(index)];
    }

    /**
     * @param index within the segment.
     * @return the size of the entry's encoded payload, from the table.
     */
    int payloadSize(final long index)
    {
        final int slot = slot(index);
        return (int)(offsets[slot + 1] - offsets[slot]) - SegmentFile.RECORD_HEADER;
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
        final long start = offsets[first];
        final int length = (int)(offsets[end] - start);
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
        for (int i = first; i < end; i++)
        {
            out.add(decode(buffer, (int)(offsets[i] - start), (int)(offsets[i + 1] - offsets[i]),
                segment.firstIndex() + i, terms[i]));
        }
        return end - first;
    }

    private LogEntry decode(final ByteBuffer buffer, final int at, final int size, final long index, final long term)
    {
        final long fileOffset = offsets[(int)(index - segment.firstIndex())];
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

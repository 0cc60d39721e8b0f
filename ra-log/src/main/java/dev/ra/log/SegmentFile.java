package dev.ra.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * One immutable segment file of a server: consecutive entries {@code [firstIndex, lastIndex]}, written whole by the
 * segment writer (temporary file, sync, rename, sync the directory) and never modified.
 *
 * <pre>
 * header  := magic "RASG" | version u32 | sequence u64 | first index u64 | count u32 | flags u32 | 0 u32 | crc u32
 * record  := crc32c u32 (of the rest) | payload length u32 | index u64 | term u64 | payload
 * table   := count x (record offset u64 | term u64)
 * trailer := table offset u64 | count u32 | table crc u32 | magic "RASE" | crc u32 (of the trailer's first 20)
 * </pre>
 *
 * <p>Segments are applied in sequence order, each REPLACING the log from its first index on (the same rule as an
 * append that overwrites a divergent suffix), so a later segment supersedes what an earlier one held at and above its
 * first index. An empty segment records a truncation; the {@link #FLAG_RESET} flag records a reset to a snapshot.
 * Instances hold metadata only and are immutable.
 */
final class SegmentFile
{
    static final String SUFFIX = ".segment";
    static final int HEADER = 40;
    static final int RECORD_HEADER = 24;
    static final int TABLE_ENTRY = 16;
    static final int TRAILER = 24;
    /** Everything before this segment's first index is discarded (the log was reset to a snapshot). */
    static final int FLAG_RESET = 1;

    private final Path path;
    private final long sequence;
    private final long firstIndex;
    private final int count;
    private final int flags;
    private final long size;

    SegmentFile(final Path path, final long sequence, final long firstIndex, final int count, final int flags,
        final long size)
    {
        this.path = path;
        this.sequence = sequence;
        this.firstIndex = firstIndex;
        this.count = count;
        this.flags = flags;
        this.size = size;
    }

    Path path()
    {
        return path;
    }

    long sequence()
    {
        return sequence;
    }

    long firstIndex()
    {
        return firstIndex;
    }

    /**
     * @return the last index held; {@code firstIndex - 1} for an empty segment.
     */
    long lastIndex()
    {
        return firstIndex + count - 1;
    }

    int count()
    {
        return count;
    }

    boolean isReset()
    {
        return (flags & FLAG_RESET) != 0;
    }

    long size()
    {
        return size;
    }

    static String fileName(final long sequence)
    {
        return String.format("%016x%s", sequence, SUFFIX);
    }

    /**
     * Parse a segment file name.
     *
     * @param name of a file.
     * @return its sequence, or -1 if it is not a segment file.
     */
    static long sequenceOf(final String name)
    {
        if (name.length() != 16 + SUFFIX.length() || !name.endsWith(SUFFIX))
        {
            return -1;
        }
        try
        {
            return Long.parseUnsignedLong(name.substring(0, 16), 16);
        }
        catch (final NumberFormatException ex)
        {
            return -1;
        }
    }

    /**
     * Read and check a segment's header, trailer and index table; entry checksums are checked on every read.
     *
     * @param files the file layer.
     * @param path  of the segment.
     * @return its metadata.
     * @throws IOException if it cannot be read.
     * @throws IllegalStateException naming the file and offset if it is truncated or damaged.
     */
    static SegmentFile open(final FileLayer files, final Path path) throws IOException
    {
        try (LogFile file = files.open(path, false))
        {
            final long size = file.size();
            if (size < HEADER + TRAILER)
            {
                throw Formats.corrupt(path, size, "truncated segment (" + size + " bytes)");
            }
            final ByteBuffer header = ByteBuffer.allocate(HEADER);
            file.read(header, 0);
            final boolean intact = header.getInt(HEADER - 4) == Formats.crc(header, 0, HEADER - 4);
            Formats.checkHeader(path, Formats.SEGMENT_MAGIC, header.getInt(0), header.getInt(4), intact, HEADER - 4);
            if (!intact)
            {
                throw Formats.corrupt(path, HEADER - 4, "segment header checksum mismatch");
            }
            final long sequence = header.getLong(8);
            final long first = header.getLong(16);
            final int count = header.getInt(24);
            final int flags = header.getInt(28);
            final ByteBuffer trailer = ByteBuffer.allocate(TRAILER);
            file.read(trailer, size - TRAILER);
            if (trailer.getInt(16) != Formats.SEGMENT_TRAILER_MAGIC ||
                trailer.getInt(20) != Formats.crc(trailer, 0, 20))
            {
                throw Formats.corrupt(path, size - TRAILER, "segment trailer missing or damaged (truncated file?)");
            }
            final long tableOffset = trailer.getLong(0);
            if (trailer.getInt(8) != count || count < 0 ||
                tableOffset + (long)count * TABLE_ENTRY + TRAILER != size || tableOffset < HEADER)
            {
                throw Formats.corrupt(path, size - TRAILER, "segment trailer does not match header and size");
            }
            // The index table is checked here too, so that a damaged table refuses the open (as documented) instead
            // of surfacing later as an I/O error from whichever read first loads the table.
            final ByteBuffer table = ByteBuffer.allocate(count * TABLE_ENTRY);
            file.read(table, tableOffset);
            if (trailer.getInt(12) != Formats.crc(table.array(), 0, table.capacity()))
            {
                throw Formats.corrupt(path, tableOffset, "segment index table checksum mismatch");
            }
            if (sequence != sequenceOf(path.getFileName().toString()))
            {
                throw Formats.corrupt(path, 8, "sequence " + sequence + " does not match the file name");
            }
            return new SegmentFile(path, sequence, first, count, flags, size);
        }
    }

    @Override
    public String toString()
    {
        return path.getFileName() + "[" + firstIndex + ".." + lastIndex() + (isReset() ? ", reset" : "") + "]";
    }
}

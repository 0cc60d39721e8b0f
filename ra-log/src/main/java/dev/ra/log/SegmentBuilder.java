package dev.ra.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * Assembles one segment file in memory and writes it under its final name (temporary file, sync, rename; the caller
 * syncs the directory once for all the segments it wrote). The buffer is direct, so writing it costs no copy into a
 * temporary direct buffer. Reused by one segment writer thread at a time; not thread safe.
 */
final class SegmentBuilder
{
    /** Largest single write: the segment writer gives way to the WAL writer between writes. */
    private static final int WRITE_CHUNK = 128 << 10;
    /**
     * Most bytes of a segment written before it is synced, when giving way: the page cache then never holds more of
     * it for the device to write at once, so a WAL sync issued meanwhile queues behind at most this much.
     */
    private static final int SYNC_STEP = 1 << 20;

    private final CRC32C crc = new CRC32C();
    private ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 16);
    /** A second view of {@link #buffer} for checksumming ranges of it without allocating. */
    private ByteBuffer view = buffer.duplicate();
    private long[] offsets = new long[256];
    private long[] terms = new long[256];
    private int count;
    private long sequence;
    private long firstIndex;
    private int flags;

    /**
     * Begin a new segment.
     *
     * @param sequence   of the segment in its server's directory.
     * @param firstIndex of its first entry (or of the truncation point, for an empty segment).
     * @param flags      see {@link SegmentFile#FLAG_RESET}.
     */
    void start(final long sequence, final long firstIndex, final int flags)
    {
        this.sequence = sequence;
        this.firstIndex = firstIndex;
        this.flags = flags;
        this.count = 0;
        buffer.clear();
        buffer.position(SegmentFile.HEADER);
    }

    int count()
    {
        return count;
    }

    /**
     * @return bytes the segment holds so far.
     */
    long bytes()
    {
        return buffer.position();
    }

    /**
     * Add the next entry, whose index must be {@code firstIndex + count()}.
     *
     * @param index         of the entry.
     * @param term          of the entry.
     * @param source        holding the encoded entry.
     * @param payloadOffset absolute offset in {@code source}.
     * @param payloadLength length of the encoded entry.
     */
    void add(final long index, final long term, final ByteBuffer source, final int payloadOffset,
        final int payloadLength)
    {
        if (index != firstIndex + count)
        {
            throw new IllegalStateException("segment entry " + index + " does not follow " + (firstIndex + count - 1));
        }
        ensure(SegmentFile.RECORD_HEADER + payloadLength);
        if (count == offsets.length)
        {
            offsets = Arrays.copyOf(offsets, count * 2);
            terms = Arrays.copyOf(terms, count * 2);
        }
        final int at = buffer.position();
        offsets[count] = at;
        terms[count] = term;
        count++;
        buffer.putInt(0).putInt(payloadLength).putLong(index).putLong(term);
        buffer.put(buffer.position(), source, payloadOffset, payloadLength);
        buffer.position(buffer.position() + payloadLength);
        crc.reset();
        view.limit(buffer.position()).position(at + 4);
        crc.update(view);
        buffer.putInt(at, (int)crc.getValue());
    }

    private void ensure(final int extra)
    {
        final long needed = (long)buffer.position() + extra + (long)(count + 1) * SegmentFile.TABLE_ENTRY +
            SegmentFile.TRAILER;
        if (needed > buffer.capacity())
        {
            if (needed > Integer.MAX_VALUE - 64)
            {
                throw new IllegalStateException("segment larger than 2 GiB");
            }
            final ByteBuffer bigger = ByteBuffer.allocateDirect((int)Math.max(needed, Math.min(Integer.MAX_VALUE - 64,
                buffer.capacity() * 2L)));
            buffer.flip();
            bigger.put(buffer);
            buffer = bigger;
            view = buffer.duplicate();
        }
    }

    /**
     * Finish the segment and write it durably under its final name in {@code dir}; the directory is NOT synced.
     *
     * @param files   the file layer.
     * @param dir     the server's segments directory.
     * @param giveWay to report the bytes written to and wait for WAL syncs with (the segment is then also synced every
     *                {@value #SYNC_STEP} bytes), or null to write at full speed.
     * @return the written segment.
     * @throws IOException on failure.
     */
    SegmentFile writeTo(final FileLayer files, final Path dir, final GiveWay giveWay) throws IOException
    {
        ensure(0);
        final int tableOffset = buffer.position();
        for (int i = 0; i < count; i++)
        {
            buffer.putLong(offsets[i]).putLong(terms[i]);
        }
        crc.reset();
        final ByteBuffer table = buffer.duplicate();
        table.limit(buffer.position()).position(tableOffset);
        crc.update(table);
        final int trailerAt = buffer.position();
        buffer.putLong(tableOffset).putInt(count).putInt((int)crc.getValue()).putInt(Formats.SEGMENT_TRAILER_MAGIC);
        buffer.putInt(Formats.crc(buffer, trailerAt, trailerAt + 20));
        final int end = buffer.position();
        buffer.putInt(0, Formats.SEGMENT_MAGIC).putInt(4, Formats.VERSION).putLong(8, sequence)
            .putLong(16, firstIndex).putInt(24, count).putInt(28, flags).putInt(32, 0);
        buffer.putInt(36, Formats.crc(buffer, 0, 36));
        buffer.flip();
        final Path target = dir.resolve(SegmentFile.fileName(sequence));
        final Path temp = dir.resolve(SegmentFile.fileName(sequence) + AtomicFiles.TEMP_SUFFIX);
        try (LogFile file = files.open(temp, true))
        {
            file.truncate(0);
            for (int at = 0; at < end; at += WRITE_CHUNK)
            {
                final int chunkEnd = Math.min(end, at + WRITE_CHUNK);
                view.limit(chunkEnd).position(at);
                if (null != giveWay)
                {
                    giveWay.beforeIo();
                }
                file.write(view, at);
                if (null != giveWay)
                {
                    giveWay.worked(chunkEnd - at);
                    if (chunkEnd < end && chunkEnd % SYNC_STEP == 0)
                    {
                        giveWay.beforeIo();
                        file.force();
                    }
                }
            }
            if (null != giveWay)
            {
                giveWay.beforeIo();
            }
            file.force();
        }
        files.move(temp, target);
        return new SegmentFile(target, sequence, firstIndex, count, flags, end);
    }
}

package dev.ra.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Assembles one segment file in memory and writes it under its temporary name; a {@link SegmentBatch} then syncs it
 * and renames it with the other segments of the same flush. The buffer is direct and aligned to pages, so writing it
 * costs no copy into a temporary direct buffer, and its whole blocks can be written with direct I/O (see
 * {@link #writeTo}). Reused by one segment writer thread at a time; not thread safe.
 */
final class SegmentBuilder
{
    private static final Logger LOG = LoggerFactory.getLogger(SegmentBuilder.class);
    /** Largest single write through the page cache: the segment writer yields the processor between writes. */
    private static final int WRITE_CHUNK = 128 << 10;
    /**
     * Largest direct write. Direct writes do not wait for the WAL's syncs to end: each is on the device when it
     * returns, so it never leaves the device a backlog to write when a WAL sync arrives; large, so that the device
     * works on its parts in parallel.
     */
    private static final int DIRECT_CHUNK = 1 << 20;
    /**
     * Most bytes of a segment written through the page cache before it is synced, when giving way: the page cache then
     * never holds more of it for the device to write at once, so a WAL sync issued meanwhile queues behind at most
     * this much.
     */
    private static final int SYNC_STEP = 1 << 20;

    /** Alignment of direct writes: the page size, a multiple of every common device's block size. */
    static final int DIRECT_ALIGNMENT = 4096;
    /**
     * Smallest segment written with direct I/O by default. Below this the copy into the page cache is cheap and a
     * direct write of the part before the last partial block would save little.
     */
    static final int DIRECT_MIN_BYTES = 64 << 10;

    private final CRC32C crc = new CRC32C();
    private ByteBuffer buffer = aligned(1 << 16);
    /** A second view of {@link #buffer} for checksumming ranges of it without allocating. */
    private ByteBuffer view = buffer.duplicate();
    private long[] offsets = new long[256];
    private long[] terms = new long[256];
    private int count;
    private long sequence;
    private long firstIndex;
    private int flags;
    private long cachedBytes;
    private final int directMinBytes;
    /** Whether the last segment written was written over a spare. */
    private boolean wroteOverSpare;
    /** Whether the file system refused a direct write: then every segment goes through the page cache. */
    private boolean directRefused;

    /**
     * @param directMinBytes size from which a segment is written with direct I/O, where the file system has it.
     */
    SegmentBuilder(final int directMinBytes)
    {
        this.directMinBytes = directMinBytes;
    }

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

    /**
     * @return bytes of the segment last written that went through the page cache (all of it, or its last partial
     *     block when written with direct I/O).
     */
    long cachedBytes()
    {
        return cachedBytes;
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
            final ByteBuffer bigger = aligned((int)Math.max(needed, Math.min(Integer.MAX_VALUE - 64 -
                DIRECT_ALIGNMENT, buffer.capacity() * 2L)));
            buffer.flip();
            bigger.put(buffer);
            buffer = bigger;
            view = buffer.duplicate();
        }
    }

    /**
     * Write {@code [0, directEnd)} of the segment with direct writes.
     *
     * @return where direct writing stopped: {@code directEnd}, or the start of a write the file system refused (the
     *     rest then goes through the page cache, and so do later segments of this builder).
     */
    private int writeDirect(final LogFile direct, final int directEnd, final Path temp, final GiveWay giveWay)
    {
        for (int at = 0; at < directEnd; at += DIRECT_CHUNK)
        {
            final int chunkEnd = Math.min(directEnd, at + DIRECT_CHUNK);
            view.limit(chunkEnd).position(at);
            try
            {
                direct.write(view, at);
            }
            catch (final IOException ex)
            {
                // A file system that opens files for direct I/O and then refuses the writes (alignment rules other
                // than the block size it reports). A failing device fails the same write through the page cache, or
                // its sync, and that is reported as any other I/O error.
                directRefused = true;
                LOG.warn("{}: a direct write at offset {} failed ({}); segments are written through the page cache " +
                    "from now on", temp, at, ex.toString());
                return at;
            }
            if (null != giveWay)
            {
                giveWay.worked(chunkEnd - at);
            }
        }
        return directEnd;
    }

    private static ByteBuffer aligned(final int capacity)
    {
        return ByteBuffer.allocateDirect(capacity + DIRECT_ALIGNMENT).alignedSlice(DIRECT_ALIGNMENT)
            .limit(capacity).slice();
    }

    /**
     * @return whether the last segment written ({@link #writeTo}) was written over a spare file.
     */
    boolean wroteOverSpare()
    {
        return wroteOverSpare;
    }

    /**
     * Finish the segment and write it under its temporary name in {@code dir} ({@link AtomicFiles#temporary}),
     * NOT synced: the caller adds it to a {@link SegmentBatch}, which syncs and renames it.
     *
     * @param files   the file layer.
     * @param dir     the server's segments directory.
     * @param spares  files to write the segment over instead of creating one, or null.
     * @param giveWay to report the bytes written to, and to wait for WAL syncs with before syncing (a large segment
     *                written through the page cache is then also synced every {@value #SYNC_STEP} bytes), or null
     *                to write at full speed.
     * @return the written segment, named by its final path.
     * @throws IOException on failure.
     */
    SegmentFile writeTo(final FileLayer files, final Path dir, final SegmentSpares spares, final GiveWay giveWay)
        throws IOException
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
        final Path temp = AtomicFiles.temporary(target);
        // A spare already has its blocks: writing over them costs the device no allocation (see SegmentSpares).
        final boolean overSpare = null != spares && spares.take(end, temp);
        wroteOverSpare = overSpare;
        try (LogFile file = files.open(temp, true))
        {
            if (!overSpare && file.size() > 0)
            {
                // left by a write that failed earlier in this run (the ones of earlier runs are deleted at startup)
                file.truncate(0);
            }
            // The whole blocks go around the page cache: no copy into it, no write-back later competing with the
            // WAL's syncs, and each chunk is on the device when its write returns, so a WAL sync issued meanwhile
            // waits behind one chunk at most. The last partial block is written normally.
            final LogFile direct = end >= directMinBytes && !directRefused ?
                files.openDirect(temp, DIRECT_ALIGNMENT) : null;
            int directEnd = 0;
            if (null != direct)
            {
                try (direct)
                {
                    directEnd = writeDirect(direct, end & -DIRECT_ALIGNMENT, temp, giveWay);
                }
            }
            cachedBytes = end - directEnd;
            for (int at = directEnd; at < end; at += WRITE_CHUNK)
            {
                final int chunkEnd = Math.min(end, at + WRITE_CHUNK);
                view.limit(chunkEnd).position(at);
                file.write(view, at);
                if (null != giveWay)
                {
                    giveWay.worked(chunkEnd - at);
                    if (chunkEnd < end && (chunkEnd - directEnd) % SYNC_STEP == 0)
                    {
                        giveWay.beforeSync();
                        file.force();
                    }
                }
            }
            if (overSpare && file.size() > end)
            {
                // What the spare held beyond this segment goes: its trailer is where the file ends.
                file.truncate(end);
            }
        }
        return new SegmentFile(target, sequence, firstIndex, count, flags, end);
    }
}

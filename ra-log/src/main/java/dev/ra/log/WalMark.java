package dev.ra.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * How far the WAL was durable when its servers were last told so: the newest WAL file's sequence, where its synced
 * data ends, and for every server with records in that file the index and term of its last durable entry. Written and
 * synced after each batch's WAL sync and BEFORE any server hears that the batch is durable (hence before anything in
 * it is acknowledged): per sync round, a write of the rows that changed and of a small head, and one
 * {@code fdatasync}, whatever the number of entries in the batch.
 *
 * <p>The WAL cannot vouch for its own tail: a truncated, zero-filled or deleted newest WAL file looks like a torn write
 * or no write at all. Recovery compares the WAL files with this mark: data that ends before the mark (or a missing
 * file) means acknowledged entries were lost, and the servers named here are told (see {@link FileStorage}).
 *
 * <p>Format (version 2): a header (magic "RAMK", version, row size, rows offset) at offset 0; two head slots, at
 * offsets 512 and 1024 (separate sectors), written in turn: crc32c u32 of the rest | 0 u32 | counter u64 | WAL sequence
 * u64 | end offset u64. From offset 4096, one row of 128 bytes per server (a server keeps its row while the mark is
 * open; a deleted server's goes to the next new one), each two halves of 64 bytes written in turn: crc32c u32 of the
 * rest | 0 u32 | counter u64 | WAL sequence u64 | uid u64 | last index u64 | last term u64 | 16 zero bytes. A round
 * writes only the rows of servers in it (their 4 KiB pages, unchanged bytes rewritten as they were, the last one up to
 * its last row written) and the head slot its counter selects, then syncs; when the rows' first page is among those
 * written, the head slots and that run of pages go in one write (the bytes between them rewritten as they were), which
 * saves a system call per round where few servers share the WAL. The device sees the same either way (the page cache
 * writes back whole pages, the file's first page with both slots each round). Nothing relies on the order of a round's
 * writes: until its sync any of its sectors may reach the disk or not. A torn write damages at most the half and the
 * head slot being written; the other half and the other slot hold the state before the round. A half speaks for its
 * server only if it is valid, names the head's sequence and has a counter no higher than the head's; the valid one with
 * the higher counter wins. So a torn round reads exactly as the state before it, and rows of earlier WAL files say
 * nothing. Version 1 ({@link WalMarkVersion1}) is still read.
 *
 * <p>Not thread-safe: one thread writes it at a time, under the WAL writer's lock (the writer, or a server thread
 * writing a batch in its place).
 */
final class WalMark implements AutoCloseable
{
    static final String FILE = "wal.mark";
    static final int VERSION = 2;
    static final int HEAD_SLOT_OFFSET = 512;
    static final int HEAD_SLOT_SIZE = 32;
    static final int ROWS_OFFSET = 4096;
    static final int ROW_SIZE = 128;
    static final int HALF_SIZE = 64;
    private static final int PAGE = 4096;
    private static final int ROWS_PER_PAGE = PAGE / ROW_SIZE;
    /** Where the rows start in {@link #image}. */
    private static final int ROWS_AT = ROWS_OFFSET - HEAD_SLOT_OFFSET;
    private static final long MAX_FILE = 256L << 20;

    /**
     * What the mark says.
     *
     * @param sequence of the newest WAL file when it was written (0: no data since the WAL was last replayed).
     * @param end      offset in that file up to which data was synced and reported durable.
     * @param servers  the last durable entry of each server with records in that file, by server uid: {index, term}.
     */
    record State(long sequence, long end, Map<Long, long[]> servers)
    {
        static final State EMPTY = new State(0, 0, Map.of());
    }

    private final Path path;
    private final Path directory;
    private final CRC32C crc = new CRC32C();
    private final Map<Long, Integer> rowOfUid = new HashMap<>();
    private LogFile file;
    /**
     * The file from the first head slot on, as it is (or is being) written: file offset {@code o} at
     * {@code o - HEAD_SLOT_OFFSET}, so the head slots at 0 and {@link #HEAD_SLOT_OFFSET}, row r at
     * {@code ROWS_AT + r * ROW_SIZE}.
     */
    private ByteBuffer image = ByteBuffer.allocateDirect(ROWS_AT + PAGE);
    private long[] dirtyPages = new long[1];
    /** The highest row written this round, -1 if none: the last write of a round ends with it. */
    private int lastDirtyRow = -1;
    private int rowCount;
    private long[] uidOfRow = new long[ROWS_PER_PAGE];
    /** Which half holds the row's newest value. */
    private byte[] halfOfRow = new byte[ROWS_PER_PAGE];
    /** The round that last wrote the row: a row is written to its other half at most once per round. */
    private long[] roundOfRow = new long[ROWS_PER_PAGE];
    private int[] rowOfRef = new int[16];
    /** Rows of deleted servers, for the next new ones: the mark holds as many rows as servers live at once. */
    private int[] freeRows = new int[0];
    private int freeRowCount;
    private long counter;
    private long sequence;

    private WalMark(final Path directory)
    {
        this.directory = directory;
        this.path = directory.resolve(FILE);
        Arrays.fill(rowOfRef, -1);
    }

    /**
     * Read the mark a previous run left.
     *
     * @param files     the file layer.
     * @param directory the storage directory.
     * @return what it says; {@link State#EMPTY} if there is none; null if it is unreadable (no head slot readable, or
     *     a header reading version 0, which no release writes).
     * @throws IOException on failure.
     * @throws UnsupportedFormatException if it is of a version this code does not read.
     */
    static State read(final FileLayer files, final Path directory) throws IOException
    {
        final Path path = directory.resolve(FILE);
        if (!files.exists(path))
        {
            return State.EMPTY;
        }
        final ByteBuffer data = ByteBuffer.wrap(AtomicFiles.readAll(files, path, MAX_FILE));
        if (data.limit() < 16 || data.getInt(0) != Formats.WAL_MARK_MAGIC)
        {
            return null;
        }
        final int version = data.getInt(4);
        if (Formats.NO_VERSION == version)
        {
            // No checksum covers the header, but no release writes version 0: damage, not an older release's mark.
            return null;
        }
        Formats.checkVersion(path, version, WalMarkVersion1.VERSION, VERSION);
        if (version == WalMarkVersion1.VERSION)
        {
            return WalMarkVersion1.read(data);
        }
        long headCounter = -1;
        long headSequence = 0;
        long headEnd = 0;
        for (int i = 0; i < 2; i++)
        {
            final int at = HEAD_SLOT_OFFSET * (1 + i);
            if (at + HEAD_SLOT_SIZE > data.limit() ||
                data.getInt(at) != Formats.crc(data.array(), at + 4, HEAD_SLOT_SIZE - 4))
            {
                continue;
            }
            final long slotCounter = data.getLong(at + 8);
            if (slotCounter > headCounter)
            {
                headCounter = slotCounter;
                headSequence = data.getLong(at + 16);
                headEnd = data.getLong(at + 24);
            }
        }
        if (headCounter < 0)
        {
            return null;
        }
        final Map<Long, long[]> servers = new LinkedHashMap<>();
        for (int row = ROWS_OFFSET; row + ROW_SIZE <= data.limit() && headSequence != 0; row += ROW_SIZE)
        {
            int best = -1;
            for (int half = row; half < row + ROW_SIZE; half += HALF_SIZE)
            {
                if (data.getInt(half) == Formats.crc(data.array(), half + 4, HALF_SIZE - 4) &&
                    data.getLong(half + 16) == headSequence && data.getLong(half + 8) <= headCounter &&
                    (best < 0 || data.getLong(half + 8) > data.getLong(best + 8)))
                {
                    best = half;
                }
            }
            if (best >= 0)
            {
                servers.put(data.getLong(best + 24), new long[] {data.getLong(best + 32), data.getLong(best + 40)});
            }
        }
        return new State(headSequence, headEnd, servers);
    }

    /**
     * Start a new mark (the WAL files it could speak of have been replayed): it says nothing until the first batch.
     *
     * @param files     the file layer.
     * @param directory the storage directory.
     * @return the mark, open for writing.
     * @throws IOException on failure.
     */
    static WalMark create(final FileLayer files, final Path directory) throws IOException
    {
        final WalMark mark = new WalMark(directory);
        final ByteBuffer content = ByteBuffer.allocate(ROWS_OFFSET);
        content.putInt(0, Formats.WAL_MARK_MAGIC).putInt(4, VERSION).putInt(8, ROW_SIZE).putInt(12, ROWS_OFFSET);
        // Counter 0 in the first slot, the second empty: as the image starts, since a round may rewrite both.
        mark.encodeHead(0, 0);
        content.put(HEAD_SLOT_OFFSET, mark.image, 0, HEAD_SLOT_SIZE);
        AtomicFiles.write(files, mark.path, content);
        mark.file = files.open(mark.path, false);
        return mark;
    }

    /**
     * Storage without a mark: a mark an earlier run left was checked; it goes now, durably, so that no tool (nor a
     * later run with the mark back on) reads a mark this run no longer keeps up to date.
     *
     * @param files     the file layer.
     * @param directory the storage directory.
     * @throws IOException on failure.
     */
    static void remove(final FileLayer files, final Path directory) throws IOException
    {
        final Path path = directory.resolve(FILE);
        if (files.exists(path))
        {
            files.delete(path);
            files.syncDirectory(directory);
        }
    }

    /**
     * The writer started a new WAL file: the mark now speaks of it (from the next {@link #write}); rows of the earlier
     * file no longer count.
     *
     * @param walSequence of the new file.
     */
    void startFile(final long walSequence)
    {
        sequence = walSequence;
    }

    /**
     * A server's records in the batch just synced end with this entry (recorded with the next {@link #write}).
     *
     * @param serverRef compact id of the server in this storage.
     * @param uid       its incarnation id.
     * @param index     of its last durable entry (or control record).
     * @param term      of that entry.
     */
    void put(final int serverRef, final long uid, final long index, final long term)
    {
        final int row = row(serverRef, uid);
        final long round = counter + 1;
        if (roundOfRow[row] != round)
        {
            // Never the half that holds the value the last synced round left: a torn write falls back to it.
            halfOfRow[row] ^= 1;
            roundOfRow[row] = round;
        }
        final int at = ROWS_AT + row * ROW_SIZE + halfOfRow[row] * HALF_SIZE;
        image.putInt(at + 4, 0).putLong(at + 8, round).putLong(at + 16, sequence).putLong(at + 24, uid)
            .putLong(at + 32, index).putLong(at + 40, term);
        image.putInt(at, checksum(image, at + 4, at + HALF_SIZE));
        dirtyPages[row / ROWS_PER_PAGE >>> 6] |= 1L << (row / ROWS_PER_PAGE);
        lastDirtyRow = Math.max(lastDirtyRow, row);
    }

    private int row(final int serverRef, final long uid)
    {
        if (serverRef >= rowOfRef.length)
        {
            final int old = rowOfRef.length;
            rowOfRef = Arrays.copyOf(rowOfRef, Math.max(serverRef + 1, old * 2));
            Arrays.fill(rowOfRef, old, rowOfRef.length, -1);
        }
        final int cached = rowOfRef[serverRef];
        if (cached >= 0 && uidOfRow[cached] == uid)
        {
            return cached;
        }
        // A server opened again (new ref, same uid) keeps its row; a new incarnation gets one of its own.
        Integer row = rowOfUid.get(uid);
        if (null == row && freeRowCount > 0)
        {
            // A deleted server's: its other half keeps what the last synced round left (the deleted server's row),
            // which a torn write falls back to, as for any row.
            row = freeRows[--freeRowCount];
            rowOfUid.put(uid, row);
            uidOfRow[row] = uid;
        }
        else if (null == row)
        {
            row = rowCount++;
            if ((long)ROWS_OFFSET + (long)rowCount * ROW_SIZE > MAX_FILE)
            {
                throw new IllegalStateException("WAL mark too large (" + rowCount + " servers)");
            }
            grow(rowCount);
            rowOfUid.put(uid, row);
            uidOfRow[row] = uid;
        }
        rowOfRef[serverRef] = row;
        return row;
    }

    /**
     * A server was deleted: its row goes to the next new server. Records of it still on their way to the WAL get a
     * row again, as a new server would.
     *
     * @param uid of the deleted server.
     */
    void release(final long uid)
    {
        final Integer row = rowOfUid.remove(uid);
        if (null == row)
        {
            return;
        }
        // No server's cached row any more.
        uidOfRow[row] = 0;
        if (freeRowCount == freeRows.length)
        {
            freeRows = Arrays.copyOf(freeRows, Math.max(16, freeRows.length * 2));
        }
        freeRows[freeRowCount++] = row;
    }

    private void grow(final int needed)
    {
        final int rowBytes = image.capacity() - ROWS_AT;
        if (needed * ROW_SIZE <= rowBytes)
        {
            return;
        }
        final ByteBuffer bigger = ByteBuffer.allocateDirect(ROWS_AT + rowBytes * 2);
        bigger.put(0, image, 0, image.capacity());
        image = bigger;
        final int capacityRows = rowBytes * 2 / ROW_SIZE;
        uidOfRow = Arrays.copyOf(uidOfRow, capacityRows);
        halfOfRow = Arrays.copyOf(halfOfRow, capacityRows);
        roundOfRow = Arrays.copyOf(roundOfRow, capacityRows);
        dirtyPages = Arrays.copyOf(dirtyPages, Math.max(dirtyPages.length, (capacityRows / ROWS_PER_PAGE + 63) / 64));
    }

    /**
     * Make the mark say that the current WAL file is durable up to {@code end}, with the servers' last entries given
     * so far; synced when this returns.
     *
     * @param end offset after the last synced batch.
     * @param sync whether to sync (false only when the WAL is not synced either).
     * @throws IOException on failure.
     */
    void write(final long end, final boolean sync) throws IOException
    {
        counter++;
        final int slot = HEAD_SLOT_OFFSET * (int)(counter & 1);
        encodeHead(slot, end);
        if (!writeDirtyPages())
        {
            writeImage(slot, slot + HEAD_SLOT_SIZE);
        }
        if (sync)
        {
            file.force();
        }
    }

    /**
     * Each run of consecutive dirty pages with one write, a page's other rows rewritten as they are (the last run
     * ends with the last row written); a run from the first page on takes the head slots with it.
     *
     * @return whether the head slots were written.
     */
    private boolean writeDirtyPages() throws IOException
    {
        final int pages = (image.capacity() - ROWS_AT) / PAGE;
        boolean headWritten = false;
        int page = 0;
        while (page < pages)
        {
            if ((dirtyPages[page >>> 6] & 1L << page) == 0)
            {
                page++;
                continue;
            }
            final int first = page;
            while (page < pages && (dirtyPages[page >>> 6] & 1L << page) != 0)
            {
                page++;
            }
            headWritten |= first == 0;
            writeImage(first == 0 ? 0 : ROWS_AT + first * PAGE,
                Math.min(ROWS_AT + page * PAGE, ROWS_AT + (lastDirtyRow + 1) * ROW_SIZE));
        }
        Arrays.fill(dirtyPages, 0);
        lastDirtyRow = -1;
        return headWritten;
    }

    /** Write {@link #image}'s bytes from {@code from} to {@code to} where they belong in the file. */
    private void writeImage(final int from, final int to) throws IOException
    {
        image.limit(to).position(from);
        file.write(image, HEAD_SLOT_OFFSET + (long)from);
        image.clear();
    }

    /** Encode the head into the slot at {@code slot} of {@link #image}. */
    private void encodeHead(final int slot, final long end)
    {
        image.putInt(slot, 0).putInt(slot + 4, 0).putLong(slot + 8, counter).putLong(slot + 16, sequence)
            .putLong(slot + 24, end);
        image.putInt(slot, checksum(image, slot + 4, slot + HEAD_SLOT_SIZE));
    }

    private int checksum(final ByteBuffer buffer, final int from, final int to)
    {
        final int limit = buffer.limit();
        crc.reset();
        buffer.limit(to).position(from);
        crc.update(buffer);
        buffer.limit(limit).position(0);
        return (int)crc.getValue();
    }

    @Override
    public void close() throws IOException
    {
        if (null != file)
        {
            file.close();
            file = null;
        }
    }

    Path path()
    {
        return path;
    }

    Path directory()
    {
        return directory;
    }
}

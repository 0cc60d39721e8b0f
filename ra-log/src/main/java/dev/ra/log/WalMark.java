package dev.ra.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How far the WAL was durable when its servers were last told so: the newest WAL file's sequence, where its synced
 * data ends, and for every server with records in that file the index and term of its last durable entry. Written and
 * synced by the WAL writer after each batch's sync and BEFORE any server hears that the batch is durable (hence before
 * anything in it is acknowledged): one small write and one {@code fdatasync} of a file that never grows per sync round,
 * whatever the number of entries or servers in the batch.
 *
 * <p>The WAL cannot vouch for its own tail: a truncated, zero-filled or deleted newest WAL file looks like a torn write
 * or no write at all. Recovery compares the WAL files with this mark: data that ends before the mark (or a missing
 * file) means acknowledged entries were lost, and the servers named here are told (see {@link FileStorage}).
 *
 * <p>Format: a header (magic "RAMK", version, slot size, 4 bytes zero) in the first 4 KiB, then two slots written in
 * turn (a torn write leaves the other, older one): crc32c u32 of the rest | body length u32 | counter u64 | WAL
 * sequence u64 | end offset u64 | server count u32 | per server: uid u64, last index u64, last term u64. A slot grows
 * by rewriting the file atomically with bigger slots. Not thread-safe: used by the WAL writer under its lock.
 */
final class WalMark implements AutoCloseable
{
    static final String FILE = "wal.mark";
    private static final int HEADER_REGION = 4096;
    private static final int SLOT_HEADER = 8;
    private static final int BODY_FIXED = 28;
    private static final int ROW = 24;
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

    private final FileLayer files;
    private final Path path;
    private final Path directory;
    private LogFile file;
    private int slotSize;
    private ByteBuffer slot;
    private long counter;
    private long sequence;
    private long end;
    private int count;
    private long[] uids = new long[8];
    private long[] indexes = new long[8];
    private long[] terms = new long[8];
    private int[] rowOfRef = new int[16];

    private WalMark(final FileLayer files, final Path directory)
    {
        this.files = files;
        this.directory = directory;
        this.path = directory.resolve(FILE);
        Arrays.fill(rowOfRef, -1);
    }

    /**
     * Read the mark a previous run left.
     *
     * @param files     the file layer.
     * @param directory the storage directory.
     * @return what it says; {@link State#EMPTY} if there is none; null if it is unreadable (both slots damaged).
     * @throws IOException on failure.
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
        Formats.checkVersion(path, data.getInt(4), Formats.VERSION, Formats.VERSION);
        final int size = data.getInt(8);
        State best = null;
        long bestCounter = -1;
        for (int i = 0; i < 2; i++)
        {
            final long offset = HEADER_REGION + (long)i * size;
            if (size < SLOT_HEADER + BODY_FIXED || offset + SLOT_HEADER > data.limit())
            {
                continue;
            }
            final int at = (int)offset;
            final int length = data.getInt(at + 4);
            if (length < BODY_FIXED || length > size - SLOT_HEADER || at + SLOT_HEADER + length > data.limit() ||
                data.getInt(at) != Formats.crc(data.array(), at + 4, 4 + length))
            {
                continue;
            }
            final long slotCounter = data.getLong(at + 8);
            final int rows = data.getInt(at + 32);
            if (rows < 0 || BODY_FIXED + (long)rows * ROW != length || slotCounter <= bestCounter)
            {
                continue;
            }
            final Map<Long, long[]> servers = new LinkedHashMap<>();
            for (int r = 0; r < rows; r++)
            {
                final int row = at + SLOT_HEADER + BODY_FIXED + r * ROW;
                servers.put(data.getLong(row), new long[] {data.getLong(row + 8), data.getLong(row + 16)});
            }
            best = new State(data.getLong(at + 16), data.getLong(at + 24), servers);
            bestCounter = slotCounter;
        }
        return best;
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
        final WalMark mark = new WalMark(files, directory);
        mark.rewrite(HEADER_REGION);
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

    private void rewrite(final int newSlotSize) throws IOException
    {
        if (null != file)
        {
            file.close();
            file = null;
        }
        slotSize = newSlotSize;
        slot = ByteBuffer.allocateDirect(slotSize);
        // The current state in slot 0 of the new file, slot 1 empty; the next write goes to slot 1.
        final ByteBuffer content = ByteBuffer.allocate(HEADER_REGION + 2 * slotSize);
        content.putInt(0, Formats.WAL_MARK_MAGIC).putInt(4, Formats.VERSION).putInt(8, slotSize);
        counter++;
        encode();
        content.put(HEADER_REGION + (int)(counter & 1) * slotSize, slot, 0, slot.limit());
        AtomicFiles.write(files, path, content);
        file = files.open(path, false);
    }

    /**
     * The writer started a new WAL file: the mark now speaks of it (written with its first batch).
     *
     * @param walSequence of the new file.
     */
    void startFile(final long walSequence)
    {
        Arrays.fill(rowOfRef, -1);
        count = 0;
        sequence = walSequence;
    }

    /**
     * A server's records in the batch just synced end with this entry.
     *
     * @param serverRef compact id of the server in this storage.
     * @param uid       its incarnation id.
     * @param index     of its last durable entry (or control record).
     * @param term      of that entry.
     */
    void put(final int serverRef, final long uid, final long index, final long term)
    {
        if (serverRef >= rowOfRef.length)
        {
            final int old = rowOfRef.length;
            rowOfRef = Arrays.copyOf(rowOfRef, Math.max(serverRef + 1, old * 2));
            Arrays.fill(rowOfRef, old, rowOfRef.length, -1);
        }
        int row = rowOfRef[serverRef];
        if (row < 0 || uids[row] != uid)
        {
            if (count == uids.length)
            {
                uids = Arrays.copyOf(uids, count * 2);
                indexes = Arrays.copyOf(indexes, count * 2);
                terms = Arrays.copyOf(terms, count * 2);
            }
            row = count++;
            rowOfRef[serverRef] = row;
            uids[row] = uid;
        }
        indexes[row] = index;
        terms[row] = term;
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
        if (SLOT_HEADER + BODY_FIXED + (long)count * ROW > slotSize)
        {
            final long needed = SLOT_HEADER + BODY_FIXED + (long)count * ROW;
            if (needed > Integer.MAX_VALUE / 4)
            {
                throw new IllegalStateException("WAL mark too large (" + count + " servers)");
            }
            this.end = end;
            rewrite((int)((needed * 2 + HEADER_REGION - 1) / HEADER_REGION * HEADER_REGION));
            return;
        }
        counter++;
        this.end = end;
        encode();
        file.write(slot, HEADER_REGION + (counter & 1) * (long)slotSize);
        if (sync)
        {
            file.force();
        }
    }

    private void encode()
    {
        slot.clear();
        slot.putInt(0).putInt(BODY_FIXED + count * ROW).putLong(counter).putLong(sequence).putLong(end).putInt(count);
        for (int i = 0; i < count; i++)
        {
            slot.putLong(uids[i]).putLong(indexes[i]).putLong(terms[i]);
        }
        slot.putInt(0, Formats.crc(slot, 4, slot.position()));
        slot.flip();
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

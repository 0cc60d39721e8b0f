package dev.ra.log;

import dev.ra.codec.BufferWriter;
import dev.ra.protocol.EntryCodec;
import dev.ra.protocol.LogEntry;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.CRC32C;

/**
 * One server's WAL records waiting for the writer thread: a pair of byte buffers, one filled by the server thread
 * (which encodes and checksums its own records, spreading that work over the servers' threads), one drained by the
 * writer. Swapping them is O(1) under a short lock, and neither allocates once grown, so the hot path produces no
 * garbage per entry.
 */
final class PendingWrites
{
    /** Set while this object is queued for the writer, so it is queued at most once. */
    final AtomicBoolean queued = new AtomicBoolean();
    /** Link in the writer's lock-free signal stack; written only before publication. */
    PendingWrites next;

    private final ServerLog owner;
    private final int serverRef;
    private final CRC32C crc = new CRC32C();
    /** Small at first (they grow to a busy server's batches and stay): a node may host thousands of idle servers. */
    private BufferWriter filling = new BufferWriter(256);
    private BufferWriter draining = new BufferWriter(256);
    private EntryPositions fillingPositions = new EntryPositions();
    private EntryPositions drainingPositions = new EntryPositions();
    private int records;
    private long lastIndex;
    private long lastTerm;
    private boolean lastIsEntry;
    private int lastChecksum;

    // Writer thread only.
    long registeredInWal = -1;
    int drainedRecords;
    long drainedIndex;
    long drainedTerm;
    boolean drainedIsEntry;
    int drainedChecksum;
    /** Where the drained buffer starts in the WAL file it was written to. */
    long drainedFileOffset;

    PendingWrites(final ServerLog owner, final int serverRef)
    {
        this.owner = owner;
        this.serverRef = serverRef;
    }

    ServerLog owner()
    {
        return owner;
    }

    int serverRef()
    {
        return serverRef;
    }

    /**
     * Encode an entry record. Called by the server thread.
     *
     * @param entry to write.
     * @return the record's checksum.
     * @throws RuntimeException if the entry cannot be encoded (or the buffer cannot grow): then nothing of it is left
     *     in the buffer, which the writer would otherwise write as a damaged record.
     */
    synchronized int addEntry(final LogEntry entry)
    {
        final BufferWriter out = filling;
        final int start = out.position();
        final int checksum;
        try
        {
            header(out, WalFormat.ENTRY, entry.index(), entry.term());
            EntryCodec.INSTANCE.encode(entry, out);
            checksum = seal(out, start);
        }
        catch (final RuntimeException | Error ex)
        {
            out.rewind(start);
            throw ex;
        }
        fillingPositions.add(entry.index(), start, out.position() - start, checksum);
        records++;
        lastIndex = entry.index();
        lastTerm = entry.term();
        lastIsEntry = true;
        lastChecksum = checksum;
        return checksum;
    }

    /**
     * Encode a payload-less control record ({@link WalFormat#TRUNCATE} or {@link WalFormat#RESET}).
     *
     * @param type  of the record.
     * @param index it carries.
     * @param term  it carries.
     */
    synchronized void addControl(final byte type, final long index, final long term)
    {
        final BufferWriter out = filling;
        final int start = out.position();
        try
        {
            header(out, type, index, term);
            seal(out, start);
        }
        catch (final RuntimeException | Error ex)
        {
            out.rewind(start);
            throw ex;
        }
        records++;
        lastIndex = index;
        lastTerm = term;
        lastIsEntry = false;
    }

    private void header(final BufferWriter out, final byte type, final long index, final long term)
    {
        out.writeInt(0).writeInt(0).writeByte(type).writeInt(serverRef).writeLong(index).writeLong(term);
    }

    private int seal(final BufferWriter out, final int start)
    {
        out.putInt(start + WalFormat.OFFSET_LENGTH, out.position() - start - WalFormat.RECORD_HEADER);
        crc.reset();
        crc.update(out.array(), start + 4, out.position() - start - 4);
        final int checksum = (int)crc.getValue();
        out.putInt(start, checksum);
        return checksum;
    }

    /**
     * @return the records added since the last {@link #swap()}.
     */
    synchronized int pendingRecords()
    {
        return records;
    }

    /**
     * Writer thread: take everything added so far; it is then in {@link #drained()} until {@link #recycle()}.
     *
     * @return the number of records taken.
     */
    synchronized int swap()
    {
        final BufferWriter full = filling;
        filling = draining;
        draining = full;
        final EntryPositions fullPositions = fillingPositions;
        fillingPositions = drainingPositions;
        drainingPositions = fullPositions;
        fillingPositions.clear();
        drainedRecords = records;
        drainedIndex = lastIndex;
        drainedTerm = lastTerm;
        drainedIsEntry = lastIsEntry;
        drainedChecksum = lastChecksum;
        records = 0;
        return drainedRecords;
    }

    /**
     * @return the buffer taken by the last {@link #swap()}; writer thread only.
     */
    BufferWriter drained()
    {
        return draining;
    }

    /**
     * @return the entry records of the buffer taken by the last {@link #swap()}, offsets relative to its start;
     *     writer thread only, valid until the next swap.
     */
    EntryPositions drainedPositions()
    {
        return drainingPositions;
    }

    /**
     * Writer thread: the drained bytes are copied; reuse the buffer (the positions stay until the next swap).
     */
    void recycle()
    {
        draining.reset();
    }
}

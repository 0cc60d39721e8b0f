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
 * Consecutive memtable entries held only as WAL locations, copied out under the server's lock and read back from
 * their (pinned) WAL file after it is released, so the WAL writer never waits for this I/O. Records close to each
 * other in the file are read with one positional read; every record is checked against its checksum, index and term,
 * as segment reads are.
 */
final class WalRecordRun
{
    /** Records at most this far apart are read together (the gap holds other servers' records). */
    private static final int MAX_GAP = 16 << 10;
    /** Largest single read. */
    private static final int MAX_SPAN = 1 << 20;

    private final WalFiles.LiveFile file;
    private final long firstIndex;
    private final int count;
    private final long[] terms;
    private final long[] offsets;
    private final int[] lengths;
    private final int[] checksums;

    private WalRecordRun(final WalFiles.LiveFile file, final long firstIndex, final int count, final long[] terms,
        final long[] offsets, final int[] lengths, final int[] checksums)
    {
        this.file = file;
        this.firstIndex = firstIndex;
        this.count = count;
        this.terms = terms;
        this.offsets = offsets;
        this.lengths = lengths;
        this.checksums = checksums;
    }

    /**
     * Copy out the locations of the entries from {@code from} that are held only as locations in the same WAL file,
     * and pin that file. Called under the server's lock.
     *
     * @param table      the memtable; {@code from} must be held there as a location.
     * @param from       first index.
     * @param to         last index wanted.
     * @param maxEntries most entries.
     * @param maxBytes   soft limit on payload bytes (at least one entry is taken).
     * @param walFiles   to pin the file in.
     * @return the run; {@link #readInto} must follow.
     */
    static WalRecordRun collect(final MemTable table, final long from, final long to, final int maxEntries,
        final long maxBytes, final WalFiles walFiles)
    {
        final long sequence = table.walSequence(from);
        long last = from;
        long bytes = table.recordLength(from) - WalFormat.RECORD_HEADER;
        while (last < to && last + 1 - from < maxEntries && bytes < maxBytes && table.contains(last + 1) &&
            null == table.entry(last + 1) && table.walSequence(last + 1) == sequence)
        {
            last++;
            bytes += table.recordLength(last) - WalFormat.RECORD_HEADER;
        }
        final int n = (int)(last - from + 1);
        final long[] terms = new long[n];
        final long[] offsets = new long[n];
        final int[] lengths = new int[n];
        final int[] checksums = new int[n];
        for (int i = 0; i < n; i++)
        {
            terms[i] = table.term(from + i);
            offsets[i] = table.walOffset(from + i);
            lengths[i] = table.recordLength(from + i);
            checksums[i] = table.checksum(from + i);
        }
        return new WalRecordRun(walFiles.pin(sequence), from, n, terms, offsets, lengths, checksums);
    }

    /**
     * Read the entries and release the file. Outside the server's lock.
     *
     * @param out to add the entries to, in index order.
     * @return the number of entries read (all of them).
     * @throws UncheckedIOException if the file cannot be read or a record is damaged.
     */
    int readInto(final List<LogEntry> out)
    {
        try
        {
            int first = 0;
            while (first < count)
            {
                int end = first + 1;
                while (end < count && offsets[end] >= offsets[end - 1] + lengths[end - 1] &&
                    offsets[end] - offsets[end - 1] - lengths[end - 1] <= MAX_GAP &&
                    offsets[end] + lengths[end] - offsets[first] <= MAX_SPAN)
                {
                    end++;
                }
                readRange(first, end, out);
                first = end;
            }
            return count;
        }
        finally
        {
            file.unpin();
        }
    }

    private void readRange(final int first, final int end, final List<LogEntry> out)
    {
        final long start = offsets[first];
        final ByteBuffer buffer = ByteBuffer.allocate((int)(offsets[end - 1] + lengths[end - 1] - start));
        try
        {
            file.read(buffer, start);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read WAL file " + file.path(), ex);
        }
        if (buffer.hasRemaining())
        {
            throw damaged(start + buffer.position(), "WAL file shorter than the memtable says");
        }
        for (int i = first; i < end; i++)
        {
            out.add(decode(buffer, (int)(offsets[i] - start), i));
        }
    }

    private LogEntry decode(final ByteBuffer buffer, final int at, final int i)
    {
        final long index = firstIndex + i;
        final int length = lengths[i];
        final int payload = length - WalFormat.RECORD_HEADER;
        if (buffer.getInt(at) != checksums[i] || buffer.getInt(at + WalFormat.OFFSET_LENGTH) != payload ||
            buffer.getInt(at) != Formats.crc(buffer, at + 4, at + length))
        {
            throw damaged(offsets[i], "WAL record of entry " + index + " fails its checksum");
        }
        if (buffer.get(at + WalFormat.OFFSET_TYPE) != WalFormat.ENTRY ||
            buffer.getLong(at + WalFormat.OFFSET_INDEX) != index ||
            buffer.getLong(at + WalFormat.OFFSET_TERM) != terms[i])
        {
            throw damaged(offsets[i], "WAL record at the position of entry " + index + " is another record");
        }
        try
        {
            final LogEntry entry = EntryCodec.INSTANCE.decode(
                new BufferReader(buffer.array(), at + WalFormat.RECORD_HEADER, payload));
            if (entry.index() != index || entry.term() != terms[i])
            {
                throw damaged(offsets[i], "entry payload says " + entry.term() + "/" + entry.index());
            }
            return entry;
        }
        catch (final CodecException ex)
        {
            throw damaged(offsets[i], "undecodable entry " + index + ": " + ex.getMessage());
        }
    }

    private UncheckedIOException damaged(final long offset, final String what)
    {
        return new UncheckedIOException(new IOException(Formats.corrupt(file.path(), offset, what).getMessage()));
    }
}

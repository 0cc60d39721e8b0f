package dev.ra.log;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * Layout of write-ahead log files (see docs/log-format.md).
 *
 * <pre>
 * file   := header batch*
 * header := magic "RAWL" u32 | version u32 | file sequence u64                                  (16 bytes)
 * record := crc32c u32 | payload length u32 | type u8 | server ref u32 | index u64 | term u64 | payload
 *           (the checksum covers every byte after itself; 29-byte header)
 * batch  := BATCH record (index = batch number, term = batch length in bytes) followed by the batch's records
 * </pre>
 *
 * A batch is what one write and one sync made durable, so recovery can tell a torn last batch (never acknowledged,
 * dropped whole) from damage to an earlier batch (acknowledged, so an error). All integers are big-endian.
 */
final class WalFormat
{
    static final int FILE_HEADER = 16;
    static final int RECORD_HEADER = 29;

    /** A log entry: payload is the entry encoded by {@link dev.ra.protocol.EntryCodec}. */
    static final byte ENTRY = 1;
    /** The server's log was cut after {@code index} (whose term is {@code term}); no payload. */
    static final byte TRUNCATE = 2;
    /** The server's log was reset to a snapshot at {@code index}/{@code term}; no payload. */
    static final byte RESET = 3;
    /** Binds a compact server ref to a server for the rest of the file: payload is uid u64 and directory name. */
    static final byte REGISTER = 4;
    /** Starts a batch. */
    static final byte BATCH = 5;

    static final int OFFSET_LENGTH = 4;
    static final int OFFSET_TYPE = 8;
    static final int OFFSET_REF = 9;
    static final int OFFSET_INDEX = 13;
    static final int OFFSET_TERM = 21;

    private WalFormat()
    {
    }

    static String fileName(final long sequence)
    {
        return String.format("%016x.wal", sequence);
    }

    /**
     * Parse a WAL file name.
     *
     * @param name of a file in the WAL directory.
     * @return its sequence, or -1 if it is not a WAL file.
     */
    static long sequenceOf(final String name)
    {
        if (name.length() != 20 || !name.endsWith(".wal"))
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
     * Check the record at {@code at}: it fits in {@code limit} and its checksum matches.
     *
     * @param buffer holding the file.
     * @param at     absolute offset of the record.
     * @param limit  absolute end of the readable bytes.
     * @return the record's total length, or -1 if it is not a valid record.
     */
    static int validRecordLength(final ByteBuffer buffer, final int at, final int limit)
    {
        return validRecordLength(buffer, at, limit, new CRC32C());
    }

    /**
     * As {@link #validRecordLength(ByteBuffer, int, int)}, reusing a checksum object; changes {@code buffer}'s
     * position and limit, so pass a view owned by the caller.
     *
     * @param buffer holding the file.
     * @param at     absolute offset of the record.
     * @param limit  absolute end of the readable bytes.
     * @param crc    to reuse.
     * @return the record's total length, or -1 if it is not a valid record.
     */
    static int validRecordLength(final ByteBuffer buffer, final int at, final int limit,
        final CRC32C crc)
    {
        if (limit - at < RECORD_HEADER)
        {
            return -1;
        }
        final int payload = buffer.getInt(at + OFFSET_LENGTH);
        final byte type = buffer.get(at + OFFSET_TYPE);
        if (payload < 0 || payload > limit - at - RECORD_HEADER || type < ENTRY || type > BATCH)
        {
            return -1;
        }
        final int end = at + RECORD_HEADER + payload;
        crc.reset();
        buffer.limit(end).position(at + 4);
        crc.update(buffer);
        buffer.limit(buffer.capacity());
        return buffer.getInt(at) == (int)crc.getValue() ? RECORD_HEADER + payload : -1;
    }
}

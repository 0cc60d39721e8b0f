package dev.ra.log;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * Layout of write-ahead log files (see docs/log-format.md).
 *
 * <pre>
 * file   := header batch* [end]
 * header := magic "RAWL" u32 | version u32 | file sequence u64 | crc32c u32 of the first 16 bytes      (20 bytes)
 * record := crc32c u32 | payload length u32 | type u8 | server ref u32 | index u64 | term u64 | payload
 *           (the checksum covers every byte after itself; 29-byte header)
 * batch  := BATCH record (index = file sequence, term = batch length in bytes; its checksum covers the WHOLE batch
 *           after the checksum field) followed by the batch's records
 * end    := END record (index = file sequence, term = its own offset): written and synced at rollover
 * </pre>
 *
 * A batch is what one write and one sync made durable, so recovery can tell a torn last batch (never acknowledged,
 * dropped whole) from damage to an earlier batch (acknowledged, so an error). Files are recycled: a file that was
 * flushed into segments becomes a later WAL file and is overwritten in place, so it still holds the batches of its
 * earlier use after the new valid data. Those carry an older sequence and never validate as batches of this file; the
 * end marker tells where a complete file ends. All integers are big-endian.
 */
final class WalFormat
{
    static final int FILE_HEADER = 20;
    /** The WAL format before recycling: a 16-byte header without a checksum. Read by no release since. */
    static final int VERSION_BEFORE_RECYCLING = 1;
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
    /** Ends a file that was rolled over; what follows it is left over from an earlier use of the file. */
    static final byte END = 6;

    static final int OFFSET_LENGTH = 4;
    static final int OFFSET_TYPE = 8;
    static final int OFFSET_REF = 9;
    static final int OFFSET_INDEX = 13;
    static final int OFFSET_TERM = 21;

    private static final String WAL_SUFFIX = ".wal";
    private static final String SPARE_SUFFIX = ".spare";

    private WalFormat()
    {
    }

    static String fileName(final long sequence)
    {
        return String.format("%016x" + WAL_SUFFIX, sequence);
    }

    /**
     * @param sequence the file last held.
     * @return the name of a spare file: a flushed WAL file kept to be overwritten as a later one.
     */
    static String spareName(final long sequence)
    {
        return String.format("%016x" + SPARE_SUFFIX, sequence);
    }

    /**
     * Parse a WAL file name.
     *
     * @param name of a file in the WAL directory.
     * @return its sequence, or -1 if it is not a WAL file.
     */
    static long sequenceOf(final String name)
    {
        return parse(name, WAL_SUFFIX);
    }

    /**
     * Parse a spare file name.
     *
     * @param name of a file in the WAL directory.
     * @return the sequence the spare last held, or -1 if it is not a spare.
     */
    static long spareSequenceOf(final String name)
    {
        return parse(name, SPARE_SUFFIX);
    }

    private static long parse(final String name, final String suffix)
    {
        if (name.length() != 16 + suffix.length() || !name.endsWith(suffix))
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
     * Write a file header at the buffer's position.
     *
     * @param out      to write to.
     * @param sequence of the file.
     */
    static void putHeader(final ByteBuffer out, final long sequence)
    {
        final int start = out.position();
        out.putInt(Formats.WAL_MAGIC).putInt(Formats.WAL_VERSION).putLong(sequence);
        out.putInt(Formats.crc(out, start, start + 16));
    }

    /**
     * @param file     the file's bytes from offset 0.
     * @param sequence the file's name says it has.
     * @return whether the header is complete, undamaged and of this sequence (a recycled file whose new header never
     *     reached the disk still shows the header of its earlier use).
     */
    static boolean validHeader(final ByteBuffer file, final long sequence)
    {
        return file.limit() >= FILE_HEADER && file.getInt(0) == Formats.WAL_MAGIC &&
            file.getInt(4) == Formats.WAL_VERSION && file.getLong(8) == sequence &&
            file.getInt(16) == Formats.crc(file, 0, 16);
    }

    /**
     * @param file the file's bytes from offset 0.
     * @return whether it was written by another release: version 1 (before recycling, no header checksum, so a header
     *     reading version 1 is taken for one whatever follows), or another version whose header checks. Every WAL
     *     format version keeps this 20-byte header, its checksum included, so that a header torn by a crash (a fresh
     *     file's zeros after the magic: version 0) or damaged since (a garbled version) is told from a newer
     *     release's: its checksum does not match, and it is damage (docs/log-format.md, "Recovery").
     */
    static boolean otherRelease(final ByteBuffer file)
    {
        if (file.limit() < 8 || file.getInt(0) != Formats.WAL_MAGIC || file.getInt(4) == Formats.WAL_VERSION)
        {
            return false;
        }
        return file.getInt(4) == VERSION_BEFORE_RECYCLING ||
            file.limit() >= FILE_HEADER && file.getInt(16) == Formats.crc(file, 0, 16);
    }

    /**
     * Write an end marker at the buffer's position.
     *
     * @param out      to write to.
     * @param sequence of the file.
     * @param offset   of the marker in the file.
     */
    static void putEndMarker(final ByteBuffer out, final long sequence, final long offset)
    {
        final int start = out.position();
        out.putInt(0).putInt(0).put(END).putInt(0).putLong(sequence).putLong(offset);
        out.putInt(start, Formats.crc(out, start + 4, start + RECORD_HEADER));
    }

    /**
     * @param file     the file's bytes.
     * @param at       absolute offset.
     * @param limit    absolute end of the readable bytes.
     * @param sequence of the file.
     * @param crc      to reuse.
     * @return whether a valid end marker of this file starts at {@code at}.
     */
    static boolean isEndMarker(final ByteBuffer file, final int at, final int limit, final long sequence,
        final CRC32C crc)
    {
        return limit - at >= RECORD_HEADER && file.get(at + OFFSET_TYPE) == END &&
            file.getInt(at + OFFSET_LENGTH) == 0 && file.getLong(at + OFFSET_INDEX) == sequence &&
            file.getLong(at + OFFSET_TERM) == at && file.getInt(at) == checksum(file, at + 4, at + RECORD_HEADER, crc);
    }

    /**
     * Without checking any checksum: does a batch header of this file seem to start at {@code at}? Tells a torn batch
     * of this file from bytes left over by an earlier use of a recycled file.
     *
     * @param file     the file's bytes.
     * @param at       absolute offset.
     * @param limit    absolute end of the readable bytes.
     * @param sequence of the file.
     * @return whether the header fields name this file.
     */
    static boolean startsBatchOf(final ByteBuffer file, final int at, final int limit, final long sequence)
    {
        return limit - at >= RECORD_HEADER && file.get(at + OFFSET_TYPE) == BATCH &&
            file.getInt(at + OFFSET_LENGTH) == 0 && file.getLong(at + OFFSET_INDEX) == sequence;
    }

    /**
     * Check the batch at {@code at}: a BATCH record of this file whose checksum covers the whole batch, and records
     * that fill it exactly.
     *
     * @param file     the file's bytes.
     * @param at       absolute offset.
     * @param limit    absolute end of the readable bytes.
     * @param sequence of the file.
     * @param crc      to reuse.
     * @return the batch's length in bytes, or -1 if no valid batch of this file starts there.
     */
    static int validBatchLength(final ByteBuffer file, final int at, final int limit, final long sequence,
        final CRC32C crc)
    {
        if (!startsBatchOf(file, at, limit, sequence))
        {
            return -1;
        }
        final long batchLength = file.getLong(at + OFFSET_TERM);
        if (batchLength < RECORD_HEADER || batchLength > limit - at)
        {
            return -1;
        }
        final int end = at + (int)batchLength;
        if (file.getInt(at) != checksum(file, at + 4, end, crc))
        {
            return -1;
        }
        // The checksum vouches for the bytes; the records must still fill the batch exactly (a writer bug otherwise).
        int record = at + RECORD_HEADER;
        while (record < end)
        {
            final int payload = file.getInt(record + OFFSET_LENGTH);
            final byte type = file.get(record + OFFSET_TYPE);
            if (end - record < RECORD_HEADER || payload < 0 || payload > end - record - RECORD_HEADER ||
                type < ENTRY || type > REGISTER)
            {
                return -1;
            }
            record += RECORD_HEADER + payload;
        }
        return (int)batchLength;
    }

    private static int checksum(final ByteBuffer file, final int from, final int to, final CRC32C crc)
    {
        final ByteBuffer view = file.duplicate();
        view.limit(to).position(from);
        crc.reset();
        crc.update(view);
        return (int)crc.getValue();
    }
}

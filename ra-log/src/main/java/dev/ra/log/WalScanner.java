package dev.ra.log;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * Reads a WAL file batch by batch and decides what the bytes after the last valid batch mean.
 *
 * <p>Only the last batch of the newest file can have been torn by a crash: every batch is synced before the next is
 * written, and a file gets its end marker, synced, before the next file is started. So:
 * <ul>
 *   <li>a file that is not the newest must end with its end marker; damage before it, or no marker, is corruption
 *       of acknowledged data and fails with an error naming the file and offset;</li>
 *   <li>in the newest file, what follows the last valid batch is a torn write (never acknowledged, dropped) or bytes
 *       left over from an earlier use of a recycled file (batches of an older sequence, ignored), unless a valid batch
 *       of THIS file follows it: then acknowledged data is damaged, also an error.</li>
 * </ul>
 */
final class WalScanner
{
    private WalScanner()
    {
    }

    /**
     * Outcome of a scan.
     *
     * @param validEnd     offset after the last valid batch (where the end marker is, if {@code ended}).
     * @param ended        true if the file ends with its end marker (it was rolled over).
     * @param tornTail     true if a batch of this file was started at {@code validEnd} but not completed.
     * @param neverWritten true if the header never reached the disk (the newest file, just created or recycled);
     *                     the file holds nothing of this sequence.
     */
    record Result(long validEnd, boolean ended, boolean tornTail, boolean neverWritten)
    {
    }

    /**
     * Scan a whole WAL file.
     *
     * @param path      of the file, for messages.
     * @param fileBytes its bytes, position 0 to limit.
     * @param sequence  of the file, from its name.
     * @param newest    whether it is the newest WAL file (the only one whose tail may be torn).
     * @param visitor   to receive the records of valid batches, or null to only validate.
     * @return where the valid data ends.
     * @throws IllegalStateException if acknowledged data is damaged.
     */
    static Result scan(final Path path, final ByteBuffer fileBytes, final long sequence, final boolean newest,
        final WalRecordVisitor visitor)
    {
        final int limit = fileBytes.limit();
        final ByteBuffer file = fileBytes.duplicate();
        final CRC32C crc = new CRC32C();
        if (!WalFormat.validHeader(file, sequence))
        {
            return damagedHeader(path, file, sequence, newest, crc);
        }
        int at = WalFormat.FILE_HEADER;
        while (at < limit)
        {
            if (WalFormat.isEndMarker(file, at, limit, sequence, crc))
            {
                return new Result(at, true, false, false);
            }
            final int batchLength = WalFormat.validBatchLength(file, at, limit, sequence, crc);
            if (batchLength < 0)
            {
                break;
            }
            if (null != visitor)
            {
                visitBatch(file, at, batchLength, visitor);
            }
            at += batchLength;
        }
        final boolean startedBatch = WalFormat.startsBatchOf(file, at, limit, sequence);
        if (at < limit)
        {
            final int next = nextOfThisFile(file, at + 1, limit, sequence, crc);
            if (next >= 0)
            {
                throw Formats.corrupt(path, at, "damaged WAL batch followed by a valid batch or end marker of this " +
                    "file at offset " + next + "; acknowledged entries may be affected, refusing to skip them");
            }
        }
        if (!newest)
        {
            throw Formats.corrupt(path, at, startedBatch ? "damaged WAL batch in a file that was completely synced" :
                "no end marker after the last valid batch in a file that was rolled over (damaged or missing)");
        }
        return new Result(at, false, startedBatch, false);
    }

    private static Result damagedHeader(final Path path, final ByteBuffer file, final long sequence,
        final boolean newest, final CRC32C crc)
    {
        if (WalFormat.otherRelease(file))
        {
            // Written by another release (version 1 before recycling, or one whose header checks): never taken for a
            // torn header. A header that does not check is damage whatever its version field reads (below).
            Formats.checkVersion(path, file.getInt(4), Formats.WAL_VERSION, Formats.WAL_VERSION);
        }
        final int evidence = nextOfThisFile(file, 0, file.limit(), sequence, crc);
        if (evidence >= 0)
        {
            throw Formats.corrupt(path, 0, "damaged WAL file header, but a valid batch or end marker of this file " +
                "follows at offset " + evidence);
        }
        if (!newest)
        {
            throw Formats.corrupt(path, 0, "damaged WAL file header in a file that was completely synced");
        }
        return new Result(0, false, false, true);
    }

    /**
     * @return the offset of the first valid batch or end marker of this file at or after {@code from}, or -1.
     */
    private static int nextOfThisFile(final ByteBuffer file, final int from, final int limit, final long sequence,
        final CRC32C crc)
    {
        for (int at = from; at + WalFormat.RECORD_HEADER <= limit; at++)
        {
            // Cheap filters first: a batch header or end marker naming this file's sequence.
            if (file.getLong(at + WalFormat.OFFSET_INDEX) == sequence &&
                file.getInt(at + WalFormat.OFFSET_LENGTH) == 0 &&
                (WalFormat.isEndMarker(file, at, limit, sequence, crc) ||
                WalFormat.validBatchLength(file, at, limit, sequence, crc) > 0))
            {
                return at;
            }
        }
        return -1;
    }

    private static void visitBatch(final ByteBuffer file, final int at, final int batchLength,
        final WalRecordVisitor visitor)
    {
        final int end = at + batchLength;
        int record = at + WalFormat.RECORD_HEADER;
        while (record < end)
        {
            final int payload = file.getInt(record + WalFormat.OFFSET_LENGTH);
            visitor.onRecord(file.get(record + WalFormat.OFFSET_TYPE), file.getInt(record + WalFormat.OFFSET_REF),
                file.getLong(record + WalFormat.OFFSET_INDEX), file.getLong(record + WalFormat.OFFSET_TERM), file,
                record + WalFormat.RECORD_HEADER, payload);
            record += WalFormat.RECORD_HEADER + payload;
        }
    }
}

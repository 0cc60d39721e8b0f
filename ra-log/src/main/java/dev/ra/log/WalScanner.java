package dev.ra.log;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * Reads a WAL file batch by batch and decides what a damaged batch means.
 *
 * <p>Only the last batch of the newest file can have been torn by a crash: every batch is synced before the next is
 * written, and a file is synced before the next file is started. So damage in the last batch of the newest file,
 * with no valid batch after it, is a torn write that was never acknowledged: the batch is dropped whole. Damage
 * anywhere else is corruption of acknowledged data and fails with an error naming the file and offset.
 */
final class WalScanner
{
    private WalScanner()
    {
    }

    /**
     * Outcome of a scan.
     *
     * @param validEnd    offset after the last valid batch.
     * @param tornTail    true if a torn last batch starts at {@code validEnd}.
     * @param lastBatch   number of the last valid batch, or -1 if none.
     */
    record Result(long validEnd, boolean tornTail, long lastBatch)
    {
    }

    /**
     * Scan a whole WAL file.
     *
     * @param path    of the file, for messages.
     * @param file    its bytes, position 0 to limit.
     * @param newest  whether it is the newest WAL file (the only one whose tail may be torn).
     * @param visitor to receive the records of valid batches, or null to only validate.
     * @return where the valid data ends.
     * @throws IllegalStateException if acknowledged data is damaged.
     */
    static Result scan(final Path path, final ByteBuffer fileBytes, final boolean newest,
        final WalRecordVisitor visitor)
    {
        final int limit = fileBytes.limit();
        final ByteBuffer file = fileBytes.duplicate();
        final CRC32C crc = new CRC32C();
        int at = WalFormat.FILE_HEADER;
        long lastBatch = -1;
        while (at < limit)
        {
            final int batchLength = validBatchLength(file, at, limit, crc);
            if (batchLength < 0)
            {
                final int next = nextValidBatch(file, at + 1, limit, crc);
                if (next >= 0)
                {
                    throw Formats.corrupt(path, at, "damaged WAL batch followed by a valid batch at offset " + next +
                        "; acknowledged entries may be affected, refusing to skip them");
                }
                if (!newest)
                {
                    throw Formats.corrupt(path, at, "damaged WAL batch in a file that was completely synced");
                }
                return new Result(at, true, lastBatch);
            }
            lastBatch = file.getLong(at + WalFormat.OFFSET_INDEX);
            if (null != visitor)
            {
                visitBatch(file, at, batchLength, visitor);
            }
            at += batchLength;
        }
        return new Result(at, false, lastBatch);
    }

    private static int validBatchLength(final ByteBuffer file, final int at, final int limit, final CRC32C crc)
    {
        final int headerLength = WalFormat.validRecordLength(file, at, limit, crc);
        if (headerLength != WalFormat.RECORD_HEADER || file.get(at + WalFormat.OFFSET_TYPE) != WalFormat.BATCH)
        {
            return -1;
        }
        final long batchLength = file.getLong(at + WalFormat.OFFSET_TERM);
        if (batchLength < WalFormat.RECORD_HEADER || batchLength > limit - at)
        {
            return -1;
        }
        final int end = at + (int)batchLength;
        int record = at + WalFormat.RECORD_HEADER;
        while (record < end)
        {
            final int length = WalFormat.validRecordLength(file, record, end, crc);
            if (length < 0 || file.get(record + WalFormat.OFFSET_TYPE) == WalFormat.BATCH)
            {
                return -1;
            }
            record += length;
        }
        return (int)batchLength;
    }

    private static int nextValidBatch(final ByteBuffer file, final int from, final int limit, final CRC32C crc)
    {
        for (int at = from; at + WalFormat.RECORD_HEADER <= limit; at++)
        {
            if (file.get(at + WalFormat.OFFSET_TYPE) == WalFormat.BATCH &&
                file.getInt(at + WalFormat.OFFSET_LENGTH) == 0 &&
                WalFormat.validRecordLength(file, at, limit, crc) == WalFormat.RECORD_HEADER)
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

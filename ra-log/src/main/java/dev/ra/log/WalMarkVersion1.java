package dev.ra.log;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads a {@code wal.mark} of format version 1, as releases before the incremental mark left it, so that a storage
 * stopped by one of them is still checked at its next start (the mark is then reset in the current format).
 *
 * <p>Version 1: a header (magic "RAMK", version 1, slot size u32, 4 zero bytes) in the first 4 KiB, then two slots of
 * that size written in turn: crc32c u32 of the rest | body length u32 | counter u64 | WAL sequence u64 | end offset
 * u64 | server count u32 | per server: uid u64, last index u64, last term u64. The valid slot with the higher counter
 * wins.
 */
final class WalMarkVersion1
{
    static final int VERSION = 1;
    private static final int HEADER_REGION = 4096;
    private static final int SLOT_HEADER = 8;
    private static final int BODY_FIXED = 28;
    private static final int ROW = 24;

    private WalMarkVersion1()
    {
    }

    /**
     * @param data the whole file, its magic and version checked.
     * @return what it says, or null if neither slot is readable.
     */
    static WalMark.State read(final ByteBuffer data)
    {
        final int size = data.getInt(8);
        WalMark.State best = null;
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
            best = new WalMark.State(data.getLong(at + 16), data.getLong(at + 24), servers);
            bestCounter = slotCounter;
        }
        return best;
    }
}

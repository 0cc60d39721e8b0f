package dev.ra.log;

import java.util.Arrays;

/**
 * Where each entry record of one pending buffer sits in it: index, offset, length and checksum, in primitive arrays
 * that are reused (no allocation per entry once grown). The WAL writer adds the buffer's offset in the WAL file, and
 * the server's memtable keeps the result, so it can drop old entry objects and read them back from the WAL.
 * Not thread safe; guarded by the owning {@link PendingWrites}, then owned by the writer thread once drained.
 */
final class EntryPositions
{
    /** Few at first: most of the thousands of servers a node may host write a record now and then. */
    private static final int INITIAL_RECORDS = 4;

    private long[] indexes = new long[INITIAL_RECORDS];
    private int[] offsets = new int[INITIAL_RECORDS];
    private int[] lengths = new int[INITIAL_RECORDS];
    private int[] checksums = new int[INITIAL_RECORDS];
    private int count;

    void add(final long index, final int offset, final int length, final int checksum)
    {
        if (count == indexes.length)
        {
            indexes = Arrays.copyOf(indexes, count * 2);
            offsets = Arrays.copyOf(offsets, count * 2);
            lengths = Arrays.copyOf(lengths, count * 2);
            checksums = Arrays.copyOf(checksums, count * 2);
        }
        indexes[count] = index;
        offsets[count] = offset;
        lengths[count] = length;
        checksums[count] = checksum;
        count++;
    }

    void clear()
    {
        count = 0;
    }

    int count()
    {
        return count;
    }

    long index(final int i)
    {
        return indexes[i];
    }

    /**
     * @param i record number.
     * @return the record's offset in its buffer.
     */
    int offset(final int i)
    {
        return offsets[i];
    }

    /**
     * @param i record number.
     * @return the record's length, header included.
     */
    int length(final int i)
    {
        return lengths[i];
    }

    int checksum(final int i)
    {
        return checksums[i];
    }
}

package dev.ra.log;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * The net effect of one WAL file on one server's log: "replace the log after {@link #base()} with these entries"
 * (and, if {@link #isReset()}, discard everything before too). Built by applying the file's records in order with the
 * same rules as {@link ServerLog}: an entry at or below the last index overwrites the suffix from there. Holds the
 * entries' positions in the file, not copies. Not thread safe.
 */
final class ServerReplay
{
    private final int serverRef;
    private final long uid;
    private final String directoryName;
    private boolean started;
    private boolean reset;
    private long base;
    private int count;
    private long[] terms = new long[64];
    private int[] offsets = new int[64];
    private int[] lengths = new int[64];

    ServerReplay(final int serverRef, final long uid, final String directoryName)
    {
        this.serverRef = serverRef;
        this.uid = uid;
        this.directoryName = directoryName;
    }

    int serverRef()
    {
        return serverRef;
    }

    long uid()
    {
        return uid;
    }

    String directoryName()
    {
        return directoryName;
    }

    boolean isReset()
    {
        return reset;
    }

    /**
     * @return the index after which this file replaces the log.
     */
    long base()
    {
        return base;
    }

    int count()
    {
        return count;
    }

    long lastIndex()
    {
        return base + count;
    }

    long term(final long index)
    {
        return terms[(int)(index - base - 1)];
    }

    int offset(final long index)
    {
        return offsets[(int)(index - base - 1)];
    }

    int length(final long index)
    {
        return lengths[(int)(index - base - 1)];
    }

    /**
     * @param index of an entry.
     * @return whether this replay holds it.
     */
    boolean holds(final long index)
    {
        return index > base && index <= base + count;
    }

    /**
     * Apply one record.
     *
     * @param path   of the WAL file, for errors.
     * @param type   of the record.
     * @param index  of the record.
     * @param term   of the record.
     * @param offset of its payload in the file.
     * @param length of its payload.
     * @throws IllegalStateException if an entry leaves a gap after the previous one.
     */
    void apply(final Path path, final byte type, final long index, final long term, final int offset,
        final int length)
    {
        switch (type)
        {
            case WalFormat.ENTRY:
                applyEntry(path, index, term, offset, length);
                break;
            case WalFormat.TRUNCATE:
                if (!started || index < base)
                {
                    base = index;
                    count = 0;
                }
                else if (index < base + count)
                {
                    count = (int)(index - base);
                }
                started = true;
                break;
            case WalFormat.RESET:
                reset = true;
                base = index;
                count = 0;
                started = true;
                break;
            default:
                throw Formats.corrupt(path, offset - WalFormat.RECORD_HEADER, "unexpected record type " + type);
        }
    }

    private void applyEntry(final Path path, final long index, final long term, final int offset, final int length)
    {
        if (!started || index <= base)
        {
            base = index - 1;
            count = 0;
            started = true;
        }
        else if (index > base + count + 1)
        {
            throw Formats.corrupt(path, offset - WalFormat.RECORD_HEADER, "entry " + index + " of server ref " +
                serverRef + " follows entry " + (base + count) + ": entries are missing");
        }
        else
        {
            count = (int)(index - base - 1);
        }
        if (count == terms.length)
        {
            terms = Arrays.copyOf(terms, count * 2);
            offsets = Arrays.copyOf(offsets, count * 2);
            lengths = Arrays.copyOf(lengths, count * 2);
        }
        terms[count] = term;
        offsets[count] = offset;
        lengths[count] = length;
        count++;
    }
}

package dev.ra.log;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The net effect of one WAL file on one server's log: "replace the log after {@link #base()} with these entries"
 * (and, if {@link #isReset()}, discard everything before too). Built by applying the file's records in order with the
 * same rules as {@link ServerLog}: an entry at or below the last index overwrites the suffix from there. Holds the
 * entries' positions in the file's bytes (the length is read from the record headers there), not copies, and is valid
 * only while those bytes are. Terms and checksums are copied into arrays as the file is scanned (in file order, so
 * cheaply): comparing them with a memtable then runs over compact arrays under the server's lock, rather than over
 * record headers scattered across a 128 MiB buffer (a cache miss each), which held up the WAL writer. Reused from one
 * WAL file to the next by the segment writer, so its arrays are not garbage to collect (and copy) at every flush.
 * Not thread safe.
 */
final class ServerReplay
{
    private int serverRef;
    private long uid;
    private String directoryName;
    private ByteBuffer file;
    private boolean started;
    private boolean reset;
    private long base;
    /** Term of the entry at {@link #base}, as a TRUNCATE or RESET record gave it; -1 if none did. */
    private long baseTerm;
    private int count;
    /** Payload offset of each entry's record in {@link #file}. */
    private int[] offsets = new int[64];
    private long[] terms = new long[64];
    private int[] checksums = new int[64];

    /**
     * Begin the replay of one server's records in one WAL file.
     *
     * @param ref       compact server ref in the file.
     * @param serverUid incarnation of the server, from its registration.
     * @param name      the server's directory name.
     * @param fileBytes the whole file; must stay unchanged while this replay is used.
     * @return this.
     */
    ServerReplay start(final int ref, final long serverUid, final String name, final ByteBuffer fileBytes)
    {
        serverRef = ref;
        uid = serverUid;
        directoryName = name;
        file = fileBytes;
        started = false;
        reset = false;
        base = 0;
        baseTerm = -1;
        count = 0;
        return this;
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

    /**
     * @return whether the file holds any record of this server that changes its log (an ENTRY, TRUNCATE or RESET).
     */
    boolean changesLog()
    {
        return started;
    }

    /**
     * @return the term of the entry at {@link #lastIndex()} once this file is applied: the last entry's, or, if the
     *     file leaves no entry after {@link #base()}, the term its TRUNCATE or RESET record gave ({@code -1} if none
     *     did).
     */
    long lastTerm()
    {
        return count > 0 ? terms[count - 1] : baseTerm;
    }

    long term(final long index)
    {
        return terms[(int)(index - base - 1)];
    }

    /**
     * @param index of an entry held.
     * @return the offset of its payload in the file.
     */
    int offset(final long index)
    {
        return offsets[(int)(index - base - 1)];
    }

    /**
     * @param index of an entry held.
     * @return the length of its payload.
     */
    int length(final long index)
    {
        return file.getInt(recordOffset(index) + WalFormat.OFFSET_LENGTH);
    }

    /**
     * @param index of an entry held.
     * @return the checksum of its WAL record.
     */
    int checksum(final long index)
    {
        return checksums[(int)(index - base - 1)];
    }

    private int recordOffset(final long index)
    {
        return offsets[(int)(index - base - 1)] - WalFormat.RECORD_HEADER;
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
     * @param offset of its payload in the file.
     * @throws IllegalStateException if an entry leaves a gap after the previous one.
     */
    void apply(final Path path, final byte type, final long index, final int offset)
    {
        switch (type)
        {
            case WalFormat.ENTRY:
                applyEntry(path, index, offset);
                break;
            case WalFormat.TRUNCATE:
                if (!started || index < base)
                {
                    base = index;
                    baseTerm = recordTerm(offset);
                    count = 0;
                }
                else if (index < base + count)
                {
                    count = (int)(index - base);
                    baseTerm = 0 == count ? recordTerm(offset) : baseTerm;
                }
                started = true;
                break;
            case WalFormat.RESET:
                reset = true;
                base = index;
                baseTerm = recordTerm(offset);
                count = 0;
                started = true;
                break;
            default:
                throw Formats.corrupt(path, offset - WalFormat.RECORD_HEADER, "unexpected record type " + type);
        }
    }

    private long recordTerm(final int offset)
    {
        return file.getLong(offset - WalFormat.RECORD_HEADER + WalFormat.OFFSET_TERM);
    }

    private void applyEntry(final Path path, final long index, final int offset)
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
        if (count == offsets.length)
        {
            offsets = Arrays.copyOf(offsets, count * 2);
            terms = Arrays.copyOf(terms, count * 2);
            checksums = Arrays.copyOf(checksums, count * 2);
        }
        offsets[count] = offset;
        terms[count] = recordTerm(offset);
        checksums[count] = file.getInt(offset - WalFormat.RECORD_HEADER);
        count++;
    }
}

package dev.ra.log;

import dev.ra.ServerId;
import dev.ra.codec.BufferReader;
import dev.ra.codec.BufferWriter;
import dev.ra.protocol.EntryCodec;
import dev.ra.spi.Storage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's record of the servers that applied their cluster's deletion here, with the term each ended in and the
 * uid of its directory then ({@link Storage#rememberDeletion}, {@link DeletedIncarnations}): the file
 * {@code deleted-servers} in the data directory. A file of version 1 (records without a uid) is read, its records
 * naming no directory, and written anew in the current version by the next deletion. A deletion appends one
 * record and syncs the file; once the file holds twice {@link Storage#REMEMBERED_DELETIONS} records, or was found
 * damaged, missing or of another version, the next deletion writes it anew, atomically, with the newest records only
 * (at most {@link Storage#REMEMBERED_DELETIONS}, oldest dropped first). Deletions are rare, and a node deleting
 * thousands of clusters in a row writes one small record each, not the whole file. Read once when the storage opens:
 * a file that is missing (a directory of an earlier release) remembers none; a damaged one (a torn append, garbage)
 * never stops the storage, which warns naming the file and offset and keeps the records before the damage. One of a
 * newer format version is read as none, with a warning, and left as it is (deletions are then not recorded). Format
 * in docs/log-format.md. Thread-safe.
 */
final class DeletedServersFile
{
    /** Name of the file in the data directory. */
    static final String NAME = "deleted-servers";
    /** Bytes before the first record: magic and version. */
    static final int HEADER = 8;
    /** Version written: each record names the uid of the server's directory when it was made. */
    static final int VERSION = 2;
    /** Version before it, still read: records without a uid (they name no data). */
    private static final int VERSION_WITHOUT_UID = 1;
    /** Largest record body accepted: a term and a server id (two strings of a few hundred bytes at most). */
    private static final int MAX_RECORD_BYTES = 64 * 1024;
    /** Largest file accepted: far above what twice {@link Storage#REMEMBERED_DELETIONS} records of that size take. */
    private static final long MAX_FILE_BYTES = 1L << 30;

    private static final Logger LOG = LoggerFactory.getLogger(DeletedServersFile.class);

    private final FileLayer files;
    private final Path path;
    /** The records, oldest first, as durable in the file. */
    private final Map<ServerId, Deletion> records;
    /** Where the file's last whole record ends: the next append goes there. */
    private long end;
    /** Records in the file, those of a server recorded again since among them. */
    private int fileRecords;
    /** Whether the next write must write the file anew (it is missing, damaged, or an append failed). */
    private boolean rewrite;
    /** The damage the file had when the storage opened, naming it and where, or null. */
    private String damage;
    /** The version of the file, if a newer release wrote it: it is read as none, and never replaced. */
    private int newerVersion;
    /** Whether the file is of the version before (records without a uid): the next write writes it anew. */
    private boolean olderVersion;
    /** Whether the storage closed: its directory may belong to another storage now, and nothing is written. */
    private boolean closed;

    private DeletedServersFile(final FileLayer files, final Path path)
    {
        this.files = files;
        this.path = path;
        this.records = new LinkedHashMap<>();
    }

    /**
     * Read the record of a data directory; never fails (see the class comment).
     *
     * @param files     the file layer.
     * @param directory the storage's data directory.
     * @return the record.
     */
    static DeletedServersFile open(final FileLayer files, final Path directory)
    {
        final DeletedServersFile file = new DeletedServersFile(files, directory.resolve(NAME));
        file.read(true);
        return file;
    }

    /**
     * Read the record of a data directory as {@link #open} does, but silently: for a tool that reports what it finds
     * ({@link #damage}, {@link #records}); never written.
     *
     * @param files     the file layer (read-only).
     * @param directory the storage's data directory.
     * @return the record.
     */
    static DeletedServersFile inspect(final FileLayer files, final Path directory)
    {
        final DeletedServersFile file = new DeletedServersFile(files, directory.resolve(NAME));
        file.read(false);
        return file;
    }

    private void read(final boolean warn)
    {
        rewrite = true;
        final byte[] data;
        try
        {
            if (!files.exists(path))
            {
                return;
            }
            data = AtomicFiles.readAll(files, path, MAX_FILE_BYTES);
        }
        catch (final IOException | RuntimeException ex)
        {
            damage = null != ex.getMessage() && ex.getMessage().startsWith("corrupt file ") ? ex.getMessage() :
                "corrupt file " + path + " at offset 0: cannot read (" + ex + ")";
            if (warn)
            {
                LOG.warn("cannot read {}: servers deleted with their cluster before are not remembered ({}); the " +
                    "file is written anew at the next deletion", path, ex.toString());
            }
            return;
        }
        damage = decode(data);
        if (null != damage && warn)
        {
            LOG.warn("{}; {} deleted servers read before it are remembered, the rest is not; the file is written " +
                "anew at the next deletion", damage, records.size());
            return;
        }
        // A file of the version before is written anew, in this version, by the next deletion: no record of this
        // version is appended to it.
        rewrite = olderVersion;
    }

    /**
     * @return what stopped the reading, naming the file and offset, or null if the whole file was read.
     */
    private String decode(final byte[] data)
    {
        if (data.length < HEADER)
        {
            return "corrupt file " + path + ": too short (" + data.length + " bytes)";
        }
        final ByteBuffer buffer = ByteBuffer.wrap(data);
        final int magic = buffer.getInt();
        final int version = buffer.getInt();
        if (magic != Formats.DELETED_SERVERS_MAGIC)
        {
            return "corrupt file " + path + " at offset 0: bad magic '" + Formats.magicText(magic) + "', expected '" +
                Formats.magicText(Formats.DELETED_SERVERS_MAGIC) + "'";
        }
        if (version > VERSION)
        {
            newerVersion = version;
            return new UnsupportedFormatException(path, version, VERSION_WITHOUT_UID, VERSION).getMessage() +
                " (written by a newer release; not replaced)";
        }
        if (version != VERSION && version != VERSION_WITHOUT_UID)
        {
            return "corrupt file " + path + " at offset 4: format version " + version;
        }
        olderVersion = version == VERSION_WITHOUT_UID;
        final int fixed = version == VERSION ? 16 : 8;
        int offset = HEADER;
        end = HEADER;
        while (offset < data.length)
        {
            if (data.length - offset < 4 + 8 + 4)
            {
                return "corrupt file " + path + " at offset " + offset + ": record cut short";
            }
            final int length = ByteBuffer.wrap(data, offset, 4).getInt();
            if (length < fixed || length > MAX_RECORD_BYTES || length > data.length - offset - 8)
            {
                return "corrupt file " + path + " at offset " + offset + ": record length " + length +
                    " beyond the file or out of range";
            }
            final int recordEnd = offset + 4 + length;
            if (ByteBuffer.wrap(data, recordEnd, 4).getInt() != Formats.crc(data, offset, 4 + length))
            {
                return "corrupt file " + path + " at offset " + offset + ": checksum mismatch";
            }
            final long term = ByteBuffer.wrap(data, offset + 4, 8).getLong();
            if (term < 0)
            {
                return "corrupt file " + path + " at offset " + offset + ": negative term " + term;
            }
            final long uid = version == VERSION ? ByteBuffer.wrap(data, offset + 12, 8).getLong() : 0;
            final ServerId server;
            try
            {
                final BufferReader in = new BufferReader(data, offset + 4 + fixed, length - fixed);
                server = EntryCodec.readServerId(in);
                if (in.remaining() != 0)
                {
                    throw new IllegalStateException(in.remaining() + " bytes after the server id");
                }
            }
            catch (final RuntimeException ex)
            {
                return "corrupt file " + path + " at offset " + offset + ": unreadable server id (" + ex.getMessage() +
                    ")";
            }
            put(records, server, new Deletion(term, uid));
            offset = recordEnd + 4;
            end = offset;
            fileRecords++;
        }
        return null;
    }

    /**
     * @return the damage the file had when the storage opened (what was warned), or null.
     */
    synchronized String damage()
    {
        return damage;
    }

    /**
     * @return the records read when the storage opened and made since, oldest first.
     */
    synchronized Map<ServerId, Long> records()
    {
        final Map<ServerId, Long> terms = new LinkedHashMap<>();
        records.forEach((server, deletion) -> terms.put(server, deletion.term()));
        return terms;
    }

    /**
     * @return the uid of the directory each recorded server had when recorded (0: none, or a record of version 1,
     *     which names none), oldest record first.
     */
    synchronized Map<ServerId, Long> uids()
    {
        final Map<ServerId, Long> uids = new LinkedHashMap<>();
        records.forEach((server, deletion) -> uids.put(server, deletion.uid()));
        return uids;
    }

    /**
     * Record a server as the newest; returns once the record is durable.
     *
     * @param uid of the server's directory now: the data its deletion is to delete; 0 if none is stored.
     *
     * @throws UncheckedIOException if the file could not be written (the records are then as before).
     * @throws UnsupportedFormatException if a newer release wrote the file, which is left as it is.
     * @throws IllegalStateException if the storage closed.
     */
    synchronized void remember(final ServerId server, final long term, final long uid)
    {
        if (closed)
        {
            throw new IllegalStateException("cannot record that " + server + " applied its cluster's deletion: " +
                "storage " + path.getParent() + " is closed");
        }
        if (newerVersion > 0)
        {
            // A newer release's record is left as it is, as every file of a newer format (docs/UPGRADES.md).
            throw new UnsupportedFormatException(path, newerVersion, VERSION_WITHOUT_UID, VERSION);
        }
        final Deletion deletion = new Deletion(term, uid);
        try
        {
            if (rewrite || fileRecords >= 2 * Storage.REMEMBERED_DELETIONS)
            {
                final Map<ServerId, Deletion> next = new LinkedHashMap<>(records);
                put(next, server, deletion);
                final ByteBuffer content = encode(next);
                end = content.remaining();
                AtomicFiles.write(files, path, content);
                fileRecords = next.size();
                rewrite = false;
            }
            else
            {
                append(server, deletion);
            }
        }
        catch (final IOException ex)
        {
            // Whatever part of the record reached the file, the next write starts the file anew.
            rewrite = true;
            throw new UncheckedIOException("cannot write " + path + " (recording that " + server +
                " applied its cluster's deletion)", ex);
        }
        put(records, server, deletion);
    }

    /**
     * The storage closes: returns once a record under way is written (or failed), before the storage releases its
     * directory to the next one opened on it, which reads the file; none is written after.
     */
    synchronized void close()
    {
        closed = true;
    }

    private void append(final ServerId server, final Deletion deletion) throws IOException
    {
        final BufferWriter out = new BufferWriter(56);
        writeRecord(out, server, deletion);
        final ByteBuffer record = ByteBuffer.wrap(out.array(), 0, out.position());
        try (LogFile file = files.open(path, false))
        {
            file.write(record, end);
            file.force();
        }
        end += out.position();
        fileRecords++;
    }

    private static void put(final Map<ServerId, Deletion> records, final ServerId server, final Deletion deletion)
    {
        records.remove(server);
        records.put(server, deletion);
        final Iterator<ServerId> oldest = records.keySet().iterator();
        while (records.size() > Storage.REMEMBERED_DELETIONS)
        {
            oldest.next();
            oldest.remove();
        }
    }

    /**
     * @return the file's content: header, then one record per server, oldest first.
     */
    static ByteBuffer encode(final Map<ServerId, Deletion> records)
    {
        final BufferWriter out = new BufferWriter(HEADER + 56 * records.size());
        out.writeInt(Formats.DELETED_SERVERS_MAGIC);
        out.writeInt(VERSION);
        for (final Map.Entry<ServerId, Deletion> record : records.entrySet())
        {
            writeRecord(out, record.getKey(), record.getValue());
        }
        return ByteBuffer.wrap(out.array(), 0, out.position());
    }

    private static void writeRecord(final BufferWriter out, final ServerId server, final Deletion deletion)
    {
        final int start = out.position();
        out.writeInt(0);
        out.writeLong(deletion.term());
        out.writeLong(deletion.uid());
        EntryCodec.writeServerId(server, out);
        final int length = out.position() - start - 4;
        ByteBuffer.wrap(out.array(), start, 4).putInt(length);
        out.writeInt(Formats.crc(out.array(), start, 4 + length));
    }

    /**
     * One server's record.
     *
     * @param term the server's current term when it ended.
     * @param uid  of its directory then (the data its deletion is to delete), 0 if none or not named.
     */
    record Deletion(long term, long uid)
    {
    }
}

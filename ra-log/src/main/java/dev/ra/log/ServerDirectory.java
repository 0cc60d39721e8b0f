package dev.ra.log;

import dev.ra.ServerId;
import dev.ra.codec.BufferReader;
import dev.ra.codec.BufferWriter;
import dev.ra.codec.CodecException;
import dev.ra.protocol.EntryCodec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The directory of one server under {@code <data>/servers/}: its identity file, meta store, segments and snapshots.
 *
 * <p>The identity file carries a random incarnation id (uid) as well as the server id. WAL records name their server
 * by uid, so records of a server that was deleted and created again under the same id are never replayed into the
 * new one. Immutable.
 */
final class ServerDirectory
{
    static final String ID_FILE = "server.id";
    static final String META_FILE = "meta";
    static final String META_COPY_FILE = "meta.copy";
    static final String CONFIG_FILE = "config";
    static final String SEGMENTS_DIR = "segments";
    static final String SNAPSHOTS_DIR = "snapshots";

    private static final int MAX_PLAIN_NAME = 120;
    private static final int ID_HEADER = 20;

    private final Path root;
    private final ServerId id;
    private final long uid;

    private ServerDirectory(final Path root, final ServerId id, final long uid)
    {
        this.root = root;
        this.id = id;
        this.uid = uid;
    }

    /**
     * @param root a server directory whose identity is unknown (unreadable).
     * @return it, to reach its files (meta store, segments) by path only: no server id, uid 0.
     */
    static ServerDirectory unidentified(final Path root)
    {
        return new ServerDirectory(root, null, 0);
    }

    Path root()
    {
        return root;
    }

    ServerId id()
    {
        return id;
    }

    long uid()
    {
        return uid;
    }

    String name()
    {
        return root.getFileName().toString();
    }

    Path segments()
    {
        return root.resolve(SEGMENTS_DIR);
    }

    Path snapshots()
    {
        return root.resolve(SNAPSHOTS_DIR);
    }

    Path metaFile()
    {
        return root.resolve(META_FILE);
    }

    Path metaCopyFile()
    {
        return root.resolve(META_COPY_FILE);
    }

    Path configFile()
    {
        return root.resolve(CONFIG_FILE);
    }

    /**
     * A file-system-safe, deterministic directory name for a server id: plain characters are kept, others escaped
     * as {@code %XX}, and long names are shortened with a hash so they fit every file system's name limit.
     *
     * @param id of the server.
     * @return the directory name.
     */
    static String dirName(final ServerId id)
    {
        final String text = id.toString();
        final StringBuilder out = new StringBuilder(text.length());
        for (final byte b : text.getBytes(StandardCharsets.UTF_8))
        {
            final int c = b & 0xFF;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                c == '_' || c == '.' || c == '@')
            {
                out.append((char)c);
            }
            else
            {
                out.append('%').append(HexFormat.of().toHexDigits((byte)c));
            }
        }
        if (out.charAt(0) == '.')
        {
            out.replace(0, 1, "%2e");
        }
        if (out.length() <= MAX_PLAIN_NAME)
        {
            return out.toString();
        }
        return out.substring(0, MAX_PLAIN_NAME - 33) + "~" + sha256Hex(text).substring(0, 32);
    }

    private static String sha256Hex(final String text)
    {
        try
        {
            return HexFormat.of().formatHex(
                MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("SHA-256 is required of every JVM", ex);
        }
    }

    /**
     * Create a new server's directory with a fresh uid; durable when this returns. Its files are written first and
     * synced each (the meta files, holding term 0 and no vote, then the identity file), and then the directory and
     * its parent are synced once: five syncs at most, not one directory sync per file, and the parent's sync is shared
     * with the servers created at the same time. The identity is written last: a crash
     * before it is durable leaves a directory without a valid identity and nothing stored in it, which
     * {@link #loadUnlessDebris} takes for the debris it is (it is recreated).
     *
     * @param files      the file layer.
     * @param serversDir parent directory.
     * @param parentSync syncs of the parent directory, shared by servers created at the same time.
     * @param id         of the server.
     * @return the directory.
     * @throws IOException on failure.
     */
    static ServerDirectory create(final FileLayer files, final Path serversDir, final DirectorySyncs parentSync,
        final ServerId id) throws IOException
    {
        final Path root = serversDir.resolve(dirName(id));
        long uid = 0;
        while (uid == 0)
        {
            uid = ThreadLocalRandom.current().nextLong() ^ System.nanoTime();
        }
        files.createDirectories(root.resolve(SEGMENTS_DIR));
        files.createDirectories(root.resolve(SNAPSHOTS_DIR));
        final ServerDirectory created = new ServerDirectory(root, id, uid);
        FileMetaStore.createForNewServer(files, created);
        final BufferWriter body = new BufferWriter(64);
        EntryCodec.writeServerId(id, body);
        final ByteBuffer content = ByteBuffer.allocate(ID_HEADER + body.position());
        content.putInt(Formats.SERVER_ID_MAGIC).putInt(Formats.VERSION).putLong(uid).putInt(body.position())
            .put(body.array(), 0, body.position()).flip();
        final ByteBuffer withCrc = ByteBuffer.allocate(content.remaining() + 4);
        withCrc.put(content.duplicate()).putInt(Formats.crc(content, 0, content.limit())).flip();
        // A brand-new directory needs no temporary file: if the crash comes before the syncs below, the whole
        // directory is debris without a valid identity, which open() recognises and recreates.
        try (LogFile file = files.open(root.resolve(ID_FILE), true))
        {
            file.truncate(0);
            file.write(withCrc, 0);
            file.force();
        }
        files.syncDirectory(root);
        parentSync.sync();
        return created;
    }

    /**
     * Delete a server's directory durably. The identity file goes first, so a crash part-way leaves a directory that
     * is recognisably debris.
     *
     * @param files the file layer.
     * @param root  the directory.
     * @throws IOException on failure.
     */
    static void deleteTree(final FileLayer files, final Path root) throws IOException
    {
        files.delete(root.resolve(ID_FILE));
        if (files.exists(root))
        {
            files.syncDirectory(root);
        }
        deleteRecursively(files, root);
        files.syncDirectory(root.getParent());
    }

    private static void deleteRecursively(final FileLayer files, final Path path) throws IOException
    {
        for (final String name : files.list(path))
        {
            deleteRecursively(files, path.resolve(name));
        }
        files.delete(path);
    }

    /**
     * Load a server directory, treating the debris of an interrupted create (an identity file torn by a crash in a
     * directory that holds nothing stored: no segment, snapshot or configuration, no term, vote or damage record) as
     * absent. Only for a directory no WAL record of this start names ({@link UnreadableIdentities}).
     *
     * @param files the file layer.
     * @param root  the directory.
     * @return it, or null if there is no server there.
     * @throws IOException on failure to read.
     * @throws IllegalStateException if the identity file is corrupt and the directory holds data.
     */
    static ServerDirectory loadUnlessDebris(final FileLayer files, final Path root) throws IOException
    {
        try
        {
            return load(files, root);
        }
        catch (final UnsupportedFormatException ex)
        {
            throw ex;
        }
        catch (final IllegalStateException ex)
        {
            // A torn identity in a directory holding nothing stored yet (meta files as created, holding no term, no
            // vote and no damage record) is what an interrupted create leaves; with anything stored, the server is
            // damaged. A damage record is what a start that found WAL records naming the directory left there
            // (UnreadableIdentities): the server existed and held entries, so it must not be created anew.
            if (files.list(root.resolve(SEGMENTS_DIR)).isEmpty() && files.list(root.resolve(SNAPSHOTS_DIR)).isEmpty() &&
                !files.exists(root.resolve(CONFIG_FILE)) &&
                FileMetaStore.holdsNothing(files, unidentified(root)))
            {
                return null;
            }
            throw ex;
        }
    }

    /**
     * Load a server directory.
     *
     * @param files the file layer.
     * @param root  the directory.
     * @return it, or null if it has no identity file (the debris of an interrupted create or delete).
     * @throws IOException on failure to read.
     * @throws IllegalStateException if the identity file is corrupt.
     */
    static ServerDirectory load(final FileLayer files, final Path root) throws IOException
    {
        final Path idFile = root.resolve(ID_FILE);
        if (!files.exists(idFile))
        {
            return null;
        }
        final byte[] data = AtomicFiles.readAll(files, idFile, 4096);
        if (data.length < ID_HEADER + 4)
        {
            throw Formats.corrupt(idFile, 0, "too short (" + data.length + " bytes)");
        }
        final ByteBuffer buffer = ByteBuffer.wrap(data);
        // The checksum covers the whole file, header included: a version field torn or damaged is not a newer file's.
        final boolean intact = buffer.getInt(data.length - 4) == Formats.crc(data, 0, data.length - 4);
        Formats.checkHeader(idFile, Formats.SERVER_ID_MAGIC, buffer.getInt(), buffer.getInt(), intact,
            data.length - 4);
        final long uid = buffer.getLong();
        final int length = buffer.getInt();
        if (length != data.length - ID_HEADER - 4)
        {
            throw Formats.corrupt(idFile, 16, "length " + length + " does not match the file size " + data.length);
        }
        if (!intact)
        {
            throw Formats.corrupt(idFile, data.length - 4, "checksum mismatch");
        }
        try
        {
            final ServerId id = EntryCodec.readServerId(new BufferReader(data, ID_HEADER, length));
            return new ServerDirectory(root, id, uid);
        }
        catch (final CodecException ex)
        {
            throw Formats.corrupt(idFile, ID_HEADER, ex.getMessage());
        }
    }
}

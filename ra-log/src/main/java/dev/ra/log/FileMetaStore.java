package dev.ra.log;

import dev.ra.ServerId;
import dev.ra.codec.BufferReader;
import dev.ra.codec.BufferWriter;
import dev.ra.codec.CodecException;
import dev.ra.protocol.EntryCodec;
import dev.ra.spi.MetaStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server's term, vote and last applied index in one small file with two checksummed slots written in turn: an
 * update overwrites the older slot and syncs, so a crash mid-write leaves the other slot, the previous state, intact.
 * No rename, hence one {@code fdatasync} per update. The configuration blob lives in its own file, written once.
 *
 * <p>Thread-safe: the owning server stores term and vote, the storage's background thread flushes last applied.
 */
final class FileMetaStore implements MetaStore, AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(FileMetaStore.class);

    static final int SLOT_SIZE = 4096;
    private static final int HEADER = 16;
    private static final int SLOT_HEADER = 8;
    private static final int CONFIG_HEADER = 16;
    private static final long MAX_CONFIG = 64L << 20;

    private final FileLayer files;
    private final Path path;
    private final Path configPath;
    /** Null until the first write: most servers never vote, so creating the file eagerly would waste syncs. */
    private LogFile file;
    private final BufferWriter body = new BufferWriter(256);
    private final ByteBuffer slot = ByteBuffer.allocate(SLOT_SIZE);

    private long sequence;
    private long currentTerm;
    private ServerId votedFor;
    private long lastApplied;
    private boolean lastAppliedDirty;
    private byte[] config;

    private FileMetaStore(final FileLayer files, final Path path, final Path configPath)
    {
        this.files = files;
        this.path = path;
        this.configPath = configPath;
    }

    /**
     * Open or create the meta store of a server.
     *
     * @param files the file layer.
     * @param dir   of the server.
     * @return the store.
     * @throws IOException on failure.
     * @throws IllegalStateException if the file is corrupt beyond what a crash can cause.
     */
    static FileMetaStore open(final FileLayer files, final ServerDirectory dir) throws IOException
    {
        final FileMetaStore store = new FileMetaStore(files, dir.metaFile(), dir.configFile());
        if (files.exists(store.path))
        {
            store.file = files.open(store.path, false);
            try
            {
                if (store.file.size() >= HEADER)
                {
                    store.load();
                }
            }
            catch (final IOException | RuntimeException ex)
            {
                store.file.close();
                throw ex;
            }
        }
        store.loadConfig();
        return store;
    }

    private void createFile() throws IOException
    {
        file = files.open(path, true);
        final ByteBuffer header = ByteBuffer.allocate(HEADER);
        header.putInt(Formats.META_MAGIC).putInt(Formats.VERSION).putLong(0).flip();
        file.truncate(0);
        file.write(header, 0);
        file.force();
        files.syncDirectory(path.getParent());
    }

    private void load() throws IOException
    {
        final ByteBuffer header = ByteBuffer.allocate(HEADER);
        file.read(header, 0);
        header.flip();
        Formats.checkHeader(path, Formats.META_MAGIC, header.getInt(), header.getInt());
        Slot best = null;
        int invalid = 0;
        for (int i = 0; i < 2; i++)
        {
            final long offset = slotOffset(i);
            final ByteBuffer buffer = ByteBuffer.allocate(SLOT_SIZE);
            file.read(buffer, offset);
            final byte[] data = buffer.array();
            if (allZero(data, buffer.position()))
            {
                continue;
            }
            final Slot parsed = parse(data, buffer.position());
            if (null == parsed)
            {
                invalid++;
                LOG.warn("{}: slot {} at offset {} is torn or corrupt; using the other slot", path, i, offset);
            }
            else if (null == best || parsed.sequence > best.sequence)
            {
                best = parsed;
            }
        }
        if (null == best && invalid > 0)
        {
            throw Formats.corrupt(path, slotOffset(0), "both meta slots are corrupt");
        }
        if (null != best)
        {
            sequence = best.sequence;
            currentTerm = best.term;
            lastApplied = best.lastApplied;
            votedFor = best.votedFor;
        }
    }

    private static long slotOffset(final int slot)
    {
        return (long)SLOT_SIZE * (slot + 1);
    }

    private static boolean allZero(final byte[] data, final int length)
    {
        for (int i = 0; i < length; i++)
        {
            if (data[i] != 0)
            {
                return false;
            }
        }
        return true;
    }

    private record Slot(long sequence, long term, long lastApplied, ServerId votedFor)
    {
    }

    private static Slot parse(final byte[] data, final int length)
    {
        if (length < SLOT_HEADER)
        {
            return null;
        }
        final ByteBuffer buffer = ByteBuffer.wrap(data, 0, length);
        final int storedCrc = buffer.getInt();
        final int bodyLength = buffer.getInt();
        if (bodyLength < 25 || bodyLength > length - SLOT_HEADER ||
            storedCrc != Formats.crc(data, 4, 4 + bodyLength))
        {
            return null;
        }
        final long seq = buffer.getLong();
        final long term = buffer.getLong();
        final long applied = buffer.getLong();
        final boolean hasVote = buffer.get() != 0;
        ServerId vote = null;
        if (hasVote)
        {
            try
            {
                vote = EntryCodec.readServerId(new BufferReader(data, SLOT_HEADER + 25, bodyLength - 25));
            }
            catch (final CodecException ex)
            {
                return null;
            }
        }
        return new Slot(seq, term, applied, vote);
    }

    private void loadConfig() throws IOException
    {
        if (!files.exists(configPath))
        {
            return;
        }
        final byte[] data = AtomicFiles.readAll(files, configPath, MAX_CONFIG);
        if (data.length < CONFIG_HEADER)
        {
            throw Formats.corrupt(configPath, 0, "too short (" + data.length + " bytes)");
        }
        final ByteBuffer buffer = ByteBuffer.wrap(data);
        Formats.checkHeader(configPath, Formats.CONFIG_MAGIC, buffer.getInt(), buffer.getInt());
        final int length = buffer.getInt();
        final int storedCrc = buffer.getInt();
        if (length != data.length - CONFIG_HEADER || storedCrc != Formats.crc(data, CONFIG_HEADER, length))
        {
            throw Formats.corrupt(configPath, CONFIG_HEADER, "configuration length or checksum mismatch");
        }
        config = Arrays.copyOfRange(data, CONFIG_HEADER, data.length);
    }

    @Override
    public synchronized long currentTerm()
    {
        return currentTerm;
    }

    @Override
    public synchronized ServerId votedFor()
    {
        return votedFor;
    }

    @Override
    public synchronized long lastApplied()
    {
        return lastApplied;
    }

    @Override
    public synchronized void storeTermAndVote(final long term, final ServerId vote)
    {
        currentTerm = term;
        votedFor = vote;
        writeSlot();
    }

    @Override
    public synchronized void storeLastApplied(final long index)
    {
        if (index != lastApplied)
        {
            lastApplied = index;
            lastAppliedDirty = true;
        }
    }

    /**
     * Persist last applied if it changed since the last write; called periodically and on close.
     */
    synchronized void flushLastApplied()
    {
        if (lastAppliedDirty)
        {
            writeSlot();
        }
    }

    private void writeSlot()
    {
        sequence++;
        body.reset();
        body.writeLong(sequence).writeLong(currentTerm).writeLong(lastApplied).writeBoolean(null != votedFor);
        if (null != votedFor)
        {
            EntryCodec.writeServerId(votedFor, body);
        }
        slot.clear();
        slot.putInt(0).putInt(body.position()).put(body.array(), 0, body.position());
        slot.putInt(0, Formats.crc(slot.array(), 4, 4 + body.position()));
        slot.flip();
        try
        {
            if (null == file || file.size() < HEADER)
            {
                if (null != file)
                {
                    file.close();
                }
                createFile();
            }
            file.write(slot, slotOffset((int)(sequence & 1)));
            file.force();
            lastAppliedDirty = false;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write meta store " + path, ex);
        }
    }

    @Override
    public synchronized byte[] serverConfig()
    {
        return null == config ? null : config.clone();
    }

    @Override
    public synchronized void storeServerConfig(final byte[] newConfig)
    {
        final ByteBuffer content = ByteBuffer.allocate(CONFIG_HEADER + newConfig.length);
        content.putInt(Formats.CONFIG_MAGIC).putInt(Formats.VERSION).putInt(newConfig.length)
            .putInt(Formats.crc(newConfig, 0, newConfig.length)).put(newConfig).flip();
        try
        {
            AtomicFiles.write(files, configPath, content);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write server configuration " + configPath, ex);
        }
        config = newConfig.clone();
    }

    @Override
    public synchronized void close()
    {
        try
        {
            flushLastApplied();
        }
        catch (final UncheckedIOException ex)
        {
            LOG.warn("could not persist last applied on close: {}", ex.getMessage());
        }
        try
        {
            if (null != file)
            {
                file.close();
            }
        }
        catch (final IOException ex)
        {
            LOG.warn("could not close {}: {}", path, ex.getMessage());
        }
    }
}

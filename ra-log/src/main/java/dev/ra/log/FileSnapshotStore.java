package dev.ra.log;

import dev.ra.codec.BufferReader;
import dev.ra.codec.BufferWriter;
import dev.ra.codec.Bytes;
import dev.ra.codec.CodecException;
import dev.ra.protocol.EntryCodec;
import dev.ra.protocol.SnapshotMeta;
import dev.ra.spi.SnapshotSink;
import dev.ra.spi.SnapshotStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server's snapshots, one file each in its {@code snapshots/} directory, named by index and term.
 *
 * <p>Each file is written to a temporary name, synced, renamed and the directory synced, so a crash leaves the old or
 * the new snapshot, never a torn one. Every snapshot is checked (magic, version, checksums) when the store opens;
 * invalid ones are skipped with a warning, so the newest VALID snapshot is used. The two newest valid snapshots are
 * kept: the older one is the fallback if the newer is ever found damaged, and the log keeps the entries above it;
 * but once the log was reset to a snapshot (one installed from the leader), those below it are deleted, being no
 * fallback for it ({@link #deleteOlderThan}).
 *
 * <p>Thread-safe.
 */
final class FileSnapshotStore implements SnapshotStore
{
    private static final Logger LOG = LoggerFactory.getLogger(FileSnapshotStore.class);

    static final String SUFFIX = ".snapshot";
    static final int HEADER = 32;
    private static final int KEEP = 2;
    private static final int VERIFY_CHUNK = 1 << 16;
    /** Numbers the temporary files of writes and receives, which may run at the same time. */
    private static final AtomicLong TEMPORARIES = new AtomicLong();

    private final FileLayer files;
    private final Path dir;
    /** Valid snapshots, newest (highest index) first. */
    private final List<Snapshot> snapshots;
    /** Why each snapshot file found invalid when the store opened was skipped, for a refusal to explain itself. */
    private final List<String> skipped;

    /** A valid snapshot file (also read by {@link DataDirectoryReader}). */
    record Snapshot(SnapshotMeta meta, Path path, long stateOffset, long stateLength, int stateCrc)
    {
    }

    private FileSnapshotStore(final FileLayer files, final Path dir, final List<Snapshot> snapshots,
        final List<String> skipped)
    {
        this.files = files;
        this.dir = dir;
        this.snapshots = snapshots;
        this.skipped = skipped;
    }

    /**
     * Open a server's snapshot store, validating every snapshot.
     *
     * @param files the file layer.
     * @param dir   the snapshots directory.
     * @return the store.
     * @throws IOException on failure to list or read.
     */
    static FileSnapshotStore open(final FileLayer files, final Path dir) throws IOException
    {
        files.createDirectories(dir);
        AtomicFiles.deleteTemporaries(files, dir);
        final List<Snapshot> valid = new ArrayList<>();
        final List<String> skipped = new ArrayList<>();
        for (final String name : files.list(dir))
        {
            if (!name.endsWith(SUFFIX))
            {
                continue;
            }
            final Path path = dir.resolve(name);
            try
            {
                valid.add(validate(files, path));
            }
            catch (final UnsupportedFormatException ex)
            {
                // Not damage: a newer release's snapshot must not be passed over for an older one (or deleted).
                throw ex;
            }
            catch (final IllegalStateException ex)
            {
                LOG.warn("ignoring invalid snapshot: {}", ex.getMessage());
                skipped.add(ex.getMessage());
            }
        }
        valid.sort(Comparator.comparingLong((Snapshot s) -> s.meta.index()).reversed());
        return new FileSnapshotStore(files, dir, valid, List.copyOf(skipped));
    }

    static String fileName(final SnapshotMeta meta)
    {
        return String.format("%016x-%016x%s", meta.index(), meta.term(), SUFFIX);
    }

    /**
     * Check a snapshot file whole: header, metadata and state checksums.
     *
     * @param files the file layer.
     * @param path  of the file.
     * @return what it holds.
     * @throws IOException if it cannot be read.
     * @throws IllegalStateException naming the file and offset if it is damaged.
     */
    static Snapshot validate(final FileLayer files, final Path path) throws IOException
    {
        try (LogFile file = files.open(path, false))
        {
            final long size = file.size();
            if (size < HEADER)
            {
                throw Formats.corrupt(path, 0, "too short for a snapshot header (" + size + " bytes)");
            }
            final ByteBuffer header = ByteBuffer.allocate(HEADER);
            file.read(header, 0);
            header.flip();
            final boolean intact = header.getInt(HEADER - 4) == Formats.crc(header, 0, HEADER - 4);
            Formats.checkHeader(path, Formats.SNAPSHOT_MAGIC, header.getInt(), header.getInt(), intact, HEADER - 4);
            final int metaLength = header.getInt();
            final int metaCrc = header.getInt();
            final long stateLength = header.getLong();
            final int stateCrc = header.getInt();
            if (!intact)
            {
                throw Formats.corrupt(path, HEADER - 4, "header checksum mismatch");
            }
            if (metaLength < 0 || stateLength < 0 || HEADER + metaLength + stateLength != size)
            {
                throw Formats.corrupt(path, 8, "lengths " + metaLength + "+" + stateLength +
                    " do not match the file size " + size);
            }
            final ByteBuffer metaBytes = ByteBuffer.allocate(metaLength);
            file.read(metaBytes, HEADER);
            if (metaCrc != Formats.crc(metaBytes.array(), 0, metaLength))
            {
                throw Formats.corrupt(path, HEADER, "metadata checksum mismatch");
            }
            final SnapshotMeta meta;
            try
            {
                final BufferReader metaReader = new BufferReader(metaBytes.array());
                // The servers removed from the cluster follow the metadata (an earlier release wrote none there, and
                // reads past them): a leader that restarts from this snapshot still recognises them.
                meta = EntryCodec.readSnapshotMeta(metaReader).withRemoved(EntryCodec.readRemovedServers(metaReader));
            }
            catch (final CodecException ex)
            {
                throw Formats.corrupt(path, HEADER, "undecodable metadata: " + ex.getMessage());
            }
            final long stateOffset = HEADER + metaLength;
            final int computed = stateCrc(file, stateOffset, stateLength);
            if (computed != stateCrc)
            {
                throw Formats.corrupt(path, stateOffset, "state checksum mismatch");
            }
            return new Snapshot(meta, path, stateOffset, stateLength, stateCrc);
        }
    }

    private static int stateCrc(final LogFile file, final long offset, final long length) throws IOException
    {
        final CRC32C crc = new CRC32C();
        final ByteBuffer chunk = ByteBuffer.allocate(VERIFY_CHUNK);
        long done = 0;
        while (done < length)
        {
            chunk.clear().limit((int)Math.min(VERIFY_CHUNK, length - done));
            final int n = file.read(chunk, offset + done);
            if (n <= 0)
            {
                break;
            }
            chunk.flip();
            crc.update(chunk);
            done += n;
        }
        return (int)crc.getValue();
    }

    @Override
    public synchronized SnapshotMeta latest()
    {
        return snapshots.isEmpty() ? null : snapshots.get(0).meta;
    }

    /**
     * @return why the snapshot files found invalid when the store opened were skipped (each naming its file), or an
     *     empty list.
     */
    List<String> skipped()
    {
        return skipped;
    }

    /**
     * @return valid snapshots' metadata, newest first.
     */
    synchronized List<SnapshotMeta> all()
    {
        final List<SnapshotMeta> metas = new ArrayList<>(snapshots.size());
        for (final Snapshot s : snapshots)
        {
            metas.add(s.meta);
        }
        return metas;
    }

    /**
     * @return the index below which the log may be deleted: that of the older retained snapshot, so that snapshot
     *     stays a usable fallback; 0 while fewer than two snapshots exist.
     */
    synchronized long retentionFloor()
    {
        return snapshots.size() < KEEP ? 0 : snapshots.get(KEEP - 1).meta.index();
    }

    private Snapshot find(final SnapshotMeta meta)
    {
        for (final Snapshot s : snapshots)
        {
            if (s.meta.index() == meta.index() && s.meta.term() == meta.term())
            {
                return s;
            }
        }
        throw new IllegalArgumentException("no snapshot " + meta.term() + "/" + meta.index() + " in " + dir);
    }

    @Override
    public Bytes read(final SnapshotMeta meta)
    {
        final Snapshot s;
        synchronized (this)
        {
            s = find(meta);
        }
        if (s.stateLength > Integer.MAX_VALUE - 16)
        {
            throw new IllegalStateException("snapshot " + s.path + " is too large to read whole; read it in chunks");
        }
        final byte[] state = readRange(s, 0, (int)s.stateLength);
        if (Formats.crc(state, 0, state.length) != s.stateCrc)
        {
            throw new UncheckedIOException(new IOException(Formats.corrupt(s.path, s.stateOffset,
                "state checksum mismatch on read").getMessage()));
        }
        return Bytes.wrap(state);
    }

    @Override
    public Bytes readChunk(final SnapshotMeta meta, final long offset, final int maxBytes)
    {
        final Snapshot s;
        synchronized (this)
        {
            s = find(meta);
        }
        if (offset < 0 || maxBytes < 0)
        {
            throw new IllegalArgumentException("cannot read a chunk of snapshot " + s.path + " at offset " + offset +
                " with maxBytes " + maxBytes + ": both must be at least 0");
        }
        final long from = Math.min(offset, s.stateLength);
        final int length = (int)Math.min(maxBytes, s.stateLength - from);
        final byte[] chunk = readRange(s, from, length);
        if (from + length == s.stateLength)
        {
            // The follower installs what it received once it has the last chunk, and stores it under a checksum of
            // its own: damage to this file (bit rot since it was written) must be found before then, or that member
            // keeps a state no other has. Damage does not heal, so a chunk read damaged earlier is found here too.
            final int crc = from == 0 ? Formats.crc(chunk, 0, length) : stateCrc(s);
            if (crc != s.stateCrc)
            {
                throw new UncheckedIOException(new IOException(Formats.corrupt(s.path, s.stateOffset,
                    "state checksum mismatch on read").getMessage()));
            }
        }
        return Bytes.wrap(chunk);
    }

    private int stateCrc(final Snapshot s)
    {
        try (LogFile file = files.open(s.path, false))
        {
            return stateCrc(file, s.stateOffset, s.stateLength);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read snapshot " + s.path, ex);
        }
    }

    private byte[] readRange(final Snapshot s, final long from, final int length)
    {
        final ByteBuffer buffer = ByteBuffer.allocate(length);
        try (LogFile file = files.open(s.path, false))
        {
            file.read(buffer, s.stateOffset + from);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read snapshot " + s.path, ex);
        }
        if (buffer.hasRemaining())
        {
            throw new UncheckedIOException(new IOException("snapshot " + s.path + " is shorter than its header says"));
        }
        return buffer.array();
    }

    @Override
    public synchronized long size(final SnapshotMeta meta)
    {
        return find(meta).stateLength;
    }

    private static ByteBuffer header(final BufferWriter metaBytes, final long stateLength, final int stateCrc)
    {
        final ByteBuffer header = ByteBuffer.allocate(HEADER);
        header.putInt(Formats.SNAPSHOT_MAGIC).putInt(Formats.VERSION).putInt(metaBytes.position())
            .putInt(Formats.crc(metaBytes.array(), 0, metaBytes.position())).putLong(stateLength).putInt(stateCrc);
        header.putInt(Formats.crc(header, 0, HEADER - 4));
        return header.flip();
    }

    private static BufferWriter encode(final SnapshotMeta meta)
    {
        final BufferWriter metaBytes = new BufferWriter(128);
        EntryCodec.writeSnapshotMeta(meta, metaBytes);
        EntryCodec.writeRemovedServers(meta.removed(), metaBytes);
        return metaBytes;
    }

    @Override
    public void write(final SnapshotMeta meta, final Bytes state)
    {
        write(meta, state, () -> { });
    }

    /**
     * Write a snapshot: its file is written and synced under a name of its own, and only then, under this store's
     * lock, {@code stillOpen} is checked, the file renamed into place and the directory synced. So a writer that
     * checks the same condition under {@link #runLocked} knows no write lands once it has changed it, without waiting
     * for a whole snapshot to be written.
     *
     * @param meta      of the snapshot.
     * @param state     its encoded state.
     * @param stillOpen throws if the write must not land (the file is then deleted).
     */
    void write(final SnapshotMeta meta, final Bytes state, final Runnable stillOpen)
    {
        final BufferWriter metaBytes = encode(meta);
        final byte[] data = state.unsafeArray();
        final int stateCrc = Formats.crc(data, 0, data.length);
        final ByteBuffer content = ByteBuffer.allocate(HEADER + metaBytes.position() + data.length);
        content.put(header(metaBytes, data.length, stateCrc));
        content.put(metaBytes.array(), 0, metaBytes.position()).put(data).flip();
        final Path path = dir.resolve(fileName(meta));
        // A name of its own: writes of the same snapshot may run at the same time, outside the lock.
        final Path temp = dir.resolve(fileName(meta) + "." + Long.toHexString(TEMPORARIES.incrementAndGet()) +
            AtomicFiles.TEMP_SUFFIX);
        boolean moved = false;
        try
        {
            try (LogFile file = files.open(temp, true))
            {
                file.truncate(0);
                file.write(content, 0);
                file.force();
            }
            synchronized (this)
            {
                stillOpen.run();
                files.move(temp, path);
                moved = true;
                files.syncDirectory(dir);
                install(new Snapshot(meta, path, HEADER + metaBytes.position(), data.length, stateCrc));
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write snapshot " + path, ex);
        }
        finally
        {
            if (!moved)
            {
                deleteQuietly(temp);
            }
        }
    }

    /**
     * @param action run under this store's lock, which every write holds from its last check to its install.
     */
    synchronized void runLocked(final Runnable action)
    {
        action.run();
    }

    private void deleteQuietly(final Path temp)
    {
        try
        {
            files.delete(temp);
        }
        catch (final IOException ex)
        {
            LOG.warn("could not delete {}: {}", temp, ex.getMessage());
        }
    }

    private void install(final Snapshot snapshot)
    {
        snapshots.removeIf(s -> s.path.equals(snapshot.path));
        snapshots.add(snapshot);
        snapshots.sort(Comparator.comparingLong((Snapshot s) -> s.meta.index()).reversed());
        deleteBeyondRetention();
    }

    /**
     * Streams the received chunks into a temporary file, so a large snapshot never has to fit in memory.
     */
    @Override
    public SnapshotSink accept(final SnapshotMeta meta)
    {
        return accept(meta, () -> { });
    }

    /**
     * @param meta      of the snapshot to receive.
     * @param stillOpen checked under this store's lock before the received file is renamed into place, as by
     *     {@link #write(SnapshotMeta, Bytes, Runnable)}; if it throws, the file is deleted.
     * @return the sink.
     */
    SnapshotSink accept(final SnapshotMeta meta, final Runnable stillOpen)
    {
        return new StreamingSink(meta, stillOpen);
    }

    /**
     * Synchronized: the server's close aborts a receive from another thread than the one appending to it.
     */
    private final class StreamingSink implements SnapshotSink
    {
        private final SnapshotMeta meta;
        private final BufferWriter metaBytes;
        private final Path target;
        private final Path temp;
        private final CRC32C crc = new CRC32C();
        private final Runnable stillOpen;
        private LogFile file;
        private long stateLength;

        StreamingSink(final SnapshotMeta meta, final Runnable stillOpen)
        {
            this.meta = meta;
            this.stillOpen = stillOpen;
            this.metaBytes = encode(meta);
            this.target = dir.resolve(fileName(meta));
            // A name of its own, as for write: a leader resending the snapshot (after a timeout, or a new leader)
            // may start a second receive of it while this one is still open.
            this.temp = dir.resolve(fileName(meta) + ".receiving." + Long.toHexString(TEMPORARIES.incrementAndGet()) +
                AtomicFiles.TEMP_SUFFIX);
            try
            {
                file = files.open(temp, true);
                file.truncate(0);
                file.write(ByteBuffer.wrap(metaBytes.array(), 0, metaBytes.position()), HEADER);
            }
            catch (final IOException ex)
            {
                abort();
                throw new UncheckedIOException("cannot start receiving snapshot " + target, ex);
            }
        }

        private void checkOpen()
        {
            if (null == file)
            {
                throw new IllegalStateException("snapshot " + target + " was already completed or aborted");
            }
        }

        @Override
        public synchronized void append(final Bytes chunk)
        {
            checkOpen();
            try
            {
                file.write(ByteBuffer.wrap(chunk.unsafeArray()), HEADER + metaBytes.position() + stateLength);
            }
            catch (final IOException ex)
            {
                abort();
                throw new UncheckedIOException("cannot write snapshot chunk to " + temp, ex);
            }
            crc.update(chunk.unsafeArray(), 0, chunk.length());
            stateLength += chunk.length();
        }

        @Override
        public synchronized void complete()
        {
            checkOpen();
            final int stateCrc = (int)crc.getValue();
            boolean moved = false;
            try
            {
                file.write(header(metaBytes, stateLength, stateCrc), 0);
                file.force();
                file.close();
                file = null;
                synchronized (FileSnapshotStore.this)
                {
                    stillOpen.run();
                    files.move(temp, target);
                    moved = true;
                    files.syncDirectory(dir);
                    install(new Snapshot(meta, target, HEADER + metaBytes.position(), stateLength, stateCrc));
                }
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot complete snapshot " + target, ex);
            }
            finally
            {
                if (!moved)
                {
                    abort();
                }
            }
        }

        @Override
        public synchronized void abort()
        {
            try
            {
                if (null != file)
                {
                    file.close();
                    file = null;
                }
                files.delete(temp);
            }
            catch (final IOException ex)
            {
                LOG.warn("could not discard partial snapshot {}: {}", temp, ex.getMessage());
            }
        }
    }

    /**
     * Delete the snapshots below the one a log was reset to (installed from the leader): no fallback for it, since the
     * entries between them are in neither. Nothing is deleted unless a snapshot at or above that index is here.
     *
     * @param index of the snapshot the log was reset to; 0 deletes nothing.
     */
    synchronized void deleteOlderThan(final long index)
    {
        if (snapshots.isEmpty() || snapshots.get(0).meta.index() < index)
        {
            return;
        }
        int keep = snapshots.size();
        while (keep > 1 && snapshots.get(keep - 1).meta.index() < index)
        {
            keep--;
        }
        deleteBeyond(keep);
    }

    private void deleteBeyondRetention()
    {
        deleteBeyond(KEEP);
    }

    private void deleteBeyond(final int keep)
    {
        boolean deleted = false;
        while (snapshots.size() > keep)
        {
            final Snapshot old = snapshots.remove(snapshots.size() - 1);
            try
            {
                files.delete(old.path);
                deleted = true;
            }
            catch (final IOException ex)
            {
                LOG.warn("could not delete old snapshot {}: {}", old.path, ex.getMessage());
            }
        }
        if (deleted)
        {
            try
            {
                files.syncDirectory(dir);
            }
            catch (final IOException ex)
            {
                LOG.warn("could not sync {}: {}", dir, ex.getMessage());
            }
        }
    }
}

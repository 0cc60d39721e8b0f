package dev.ra.log;

import dev.ra.ServerId;
import dev.ra.spi.LogListener;
import dev.ra.spi.ServerStorage;
import dev.ra.spi.Storage;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Durable storage for all the servers of one node: one write-ahead log shared by every server (group commit by a
 * single writer thread), per-server memtables and segment files, snapshots and meta stores, with crash recovery.
 *
 * <p>Layout under the data directory: {@code wal/} holds the WAL files; {@code servers/<server>/} holds each server's
 * identity file, meta store, {@code segments/} and {@code snapshots/}; {@code deleted-servers} the servers deleted
 * with their cluster here ({@link DeletedServersFile}). The formats are described in
 * {@code docs/log-format.md}.
 *
 * <p>Opening the storage replays the WAL files left by the previous run into segment files: a torn batch at the very
 * end of the newest WAL file is cut with a warning (it was never acknowledged); a loss of data that the WAL mark says
 * was reported durable is storage damage, recorded for each server it affects ({@link StorageDamage}); damage
 * anywhere else makes every {@link #open} fail with an {@link IllegalStateException} naming the file and offset,
 * rather than silently lose acknowledged entries. An I/O error while running (a full disk, a failed sync) is fatal:
 * every open server's {@link LogListener#onFailure} is called and further writes throw {@link UncheckedIOException}.
 *
 * <p>Thread-safe. Starts two daemon threads: the WAL writer and the segment writer ({@link SegmentWriterThread}).
 */
public final class FileStorage implements Storage
{
    /**
     * Most entries per segment file unless {@link Builder#segmentMaxEntries} says otherwise (Ra's default too). Four
     * times as many measured no better on the whole (docs/benchmarks.md, "ra-log"); an open segment's table costs about
     * 4 bytes per entry in memory either way ({@code SegmentReader}).
     */
    public static final int DEFAULT_SEGMENT_MAX_ENTRIES = 4096;

    private static final Logger LOG = LoggerFactory.getLogger(FileStorage.class);

    static final String WAL_DIR = "wal";
    static final String SERVERS_DIR = "servers";
    static final String LOCK_FILE = "lock";
    /** How long a close waits for the segment writer to finish its work. */
    private static final long SEGMENT_WRITER_CLOSE_SECONDS = 60;
    private static final int SEGMENT_IO_THREADS = 4;
    /** Flushed WAL files kept for reuse: one is what a steady flow of rollovers needs; two absorb a late flush. */
    private static final int MAX_SPARE_WAL_FILES = 2;

    private final FileLayer files;
    private final Path directory;
    private final Path walDirectory;
    private final Path serversDirectory;
    private final DirectorySyncs serversDirectorySyncs;
    private final SegmentCache segmentCache;
    private final SegmentSpares segmentSpares;
    private final WalFiles walFiles;
    private final int memTableObjectWindow;
    /** Moves finished WAL files into segments, and runs the storage's other background work. */
    private final SegmentWriterThread segmentWriter;
    private final ExecutorService segmentIo;
    private final WalFlusher flusher;
    /** The WAL files of the previous run, replayed at start-up and held until the damage check is durable. */
    private final PreviousRun previousRun;
    private final WalWriter wal;
    private final WalMark walMark;
    /** The WAL's syncs in progress, which the segment writer lets go first. */
    private final WalSyncGate walSyncGate = new WalSyncGate();
    private final String recoveryFailure;
    /** What the WAL lost of each server's acknowledged entries at this start, by server uid (for its open). */
    private final Map<Long, String> walDamage = new ConcurrentHashMap<>();
    /** Directories whose server.id is unreadable: their WAL records are left out at start-up, their open refused. */
    private final UnreadableIdentities unreadableIdentities;
    private final Closeable directoryLock;
    /** The servers that applied their cluster's deletion here, kept across restarts. */
    private final DeletedServersFile deletedServers;
    private final AtomicInteger nextServerRef = new AtomicInteger();
    private final Map<ServerId, ServerLog> logs = new HashMap<>();
    private final Map<ServerId, FileServerStorage> openServers = new HashMap<>();
    private final Set<ServerId> opening = new HashSet<>();
    /** Servers whose directory is being deleted, with how many deletions of each are under way. */
    private final Map<ServerId, Integer> deleting = new HashMap<>();
    private final LastAppliedWrites lastAppliedWrites = new LastAppliedWrites();
    private final Map<String, ServerLog> logsByDirectory = new ConcurrentHashMap<>();
    private Map<String, FlushTarget> dormant = new HashMap<>();
    /** The flusher's counts when recovery ended: what it wrote at opening is not counted in the statistics. */
    private final long segmentWritesAtOpen;
    private final long hurriedSegmentWritesAtOpen;
    private final long sparesTakenAtOpen;
    /** Set once the previous run's WAL files are flushed; until then there is no WAL writer to give way to. */
    private volatile boolean replayed;
    private volatile Throwable failure;
    private volatile boolean closed;

    private FileStorage(final Builder builder) throws IOException
    {
        files = NamingFileLayer.wrap(builder.files);
        unreadableIdentities = new UnreadableIdentities(files);
        directory = builder.directory;
        walDirectory = directory.resolve(WAL_DIR);
        serversDirectory = directory.resolve(SERVERS_DIR);
        serversDirectorySyncs = new DirectorySyncs(files, serversDirectory);
        files.createDirectories(directory);
        directoryLock = files.lock(directory.resolve(LOCK_FILE));
        try
        {
            files.createDirectories(walDirectory);
            files.createDirectories(serversDirectory);
            segmentSpares = SegmentSpares.open(files, directory,
                builder.segmentSpareBytes >= 0 ? builder.segmentSpareBytes : 2 * builder.walMaxSizeBytes);
        }
        catch (final IOException | RuntimeException ex)
        {
            directoryLock.close();
            throw ex;
        }
        segmentCache = new SegmentCache(files, builder.openFileCacheSize);
        walFiles = new WalFiles(files, walDirectory, MAX_SPARE_WAL_FILES);
        memTableObjectWindow = builder.memTableObjectWindow;
        final long lastSequence;
        segmentIo = Executors.newFixedThreadPool(SEGMENT_IO_THREADS, r ->
        {
            final Thread t = new Thread(r, "ra-log-segment-io");
            t.setDaemon(true);
            return t;
        });
        previousRun = new PreviousRun(files, walDirectory);
        flusher = new WalFlusher(files, builder.segmentMaxEntries, builder.segmentMaxBytes,
            builder.directWriteMinBytes, segmentSpares, this::flushTarget, this::retireWal, segmentIo,
            this::segmentWriterBehind, walSyncGate);
        try
        {
            lastSequence = previousRun.lastWalSequence();
            AtomicFiles.deleteTemporaries(files, walDirectory);
            AtomicFiles.deleteTemporaries(files, directory);
            deletedServers = DeletedServersFile.open(files, directory);
            final List<String> walNames = files.list(walDirectory);
            walFiles.adoptSpares(walNames);
            final WalMark.State previousMark = WalMark.read(files, directory);
            final Map<Long, Long> validEnds = new HashMap<>();
            recoveryFailure = previousRun.replay(flusher, validEnds);
            if (null == recoveryFailure)
            {
                StorageDamage.checkWalMark(files, walDirectory, serversDirectory, previousMark, validEnds, walNames,
                    walDamage, unreadableIdentities);
                // The damage found is durable: the evidence may go now.
                previousRun.release(this::recycleWal);
                if (builder.walMark)
                {
                    walMark = WalMark.create(files, directory);
                }
                else
                {
                    WalMark.remove(files, directory);
                    walMark = null;
                }
            }
            else
            {
                walMark = null;
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            segmentIo.shutdownNow();
            segmentCache.closeAll();
            walFiles.closeAll();
            directoryLock.close();
            throw ex;
        }
        dormant = null;
        segmentWritesAtOpen = flusher.segmentWrites();
        hurriedSegmentWritesAtOpen = flusher.hurriedSegmentWrites();
        sparesTakenAtOpen = segmentSpares.taken();
        replayed = true;
        segmentWriter = new SegmentWriterThread();
        wal = new WalWriter(files, walFiles, walDirectory, lastSequence + 1, builder.walMaxSizeBytes,
            builder.maxBatchEntries, builder.syncMethod == SyncMethod.DATASYNC, this::onRollover,
            pace -> prepareSpare(builder.walMaxSizeBytes, pace), this::fail, walSyncGate);
        wal.mark(walMark);
        try
        {
            // After a failed recovery no server can be opened, and a new file would make the damaged one look older
            // than it is (the newest file may end in a torn write, an older one must end with its end marker).
            if (null == recoveryFailure)
            {
                wal.start("ra-log-wal-writer");
            }
        }
        catch (final IOException ex)
        {
            // The first file may have been opened before its header failed, and the mark is open: a caller retrying
            // the build must not lose two descriptors each time.
            wal.close();
            segmentWriter.closeNow();
            segmentIo.shutdownNow();
            segmentCache.closeAll();
            walFiles.closeAll();
            directoryLock.close();
            throw ex;
        }
        segmentWriter.scheduleEvery(builder.lastAppliedFlushInterval, this::flushLastApplied);
        if (builder.syncMethod == SyncMethod.NONE)
        {
            LOG.warn("{}: WAL sync is DISABLED (SyncMethod.NONE); acknowledged entries can be lost on a crash — use " +
                "only for benchmarks", directory);
        }
    }

    /**
     * @return a builder with the defaults.
     */
    public static Builder builder()
    {
        return new Builder();
    }

    private FlushTarget flushTarget(final ServerReplay replay)
    {
        final ServerLog log = logsByDirectory.get(replay.directoryName());
        if (null != log)
        {
            return log.directory().uid() == replay.uid() ? log : null;
        }
        final Map<String, FlushTarget> startup = dormant;
        if (null == startup)
        {
            return null;
        }
        return startup.computeIfAbsent(replay.directoryName(), name ->
        {
            try
            {
                final ServerDirectory dir = unreadableIdentities.loadForReplay(serversDirectory.resolve(name), replay);
                return null == dir || dir.uid() != replay.uid() ? null : new DormantServer(files, dir);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        });
    }

    FileLayer files()
    {
        return files;
    }

    WalFiles walFiles()
    {
        return walFiles;
    }

    int memTableObjectWindow()
    {
        return memTableObjectWindow;
    }

    private void retireWal(final long sequence, final Path path) throws IOException
    {
        if (!replayed)
        {
            previousRun.hold(sequence, path);
            return;
        }
        recycleWal(sequence, path);
    }

    private void recycleWal(final long sequence, final Path path) throws IOException
    {
        for (final ServerLog log : logsByDirectory.values())
        {
            log.releaseWalFile(sequence);
        }
        walFiles.recycle(sequence, path);
    }

    SegmentCache segmentCache()
    {
        return segmentCache;
    }

    /**
     * @return the segment files kept to be written over by new segments.
     */
    SegmentSpares segmentSpares()
    {
        return segmentSpares;
    }

    WalWriter wal()
    {
        return wal;
    }

    Throwable failure()
    {
        return failure;
    }

    private void onRollover(final Path finished)
    {
        segmentWriter.handOver(finished, path -> flusher.flush(path, false), () -> failure, this::fail);
    }

    private void prepareSpare(final long size, final long paceNanos)
    {
        // Dropped while the storage closes: there is no next file.
        segmentWriter.executeUnlessClosing(() ->
        {
            try
            {
                walFiles.prepareSpare(size, paceNanos);
            }
            catch (final IOException ex)
            {
                // Not needed for correctness: the next file is then created and grows as it is written.
                LOG.warn("could not prepare a spare WAL file: {}", ex.getMessage());
            }
        });
    }

    /**
     * @return whether the segment writer should hurry: at startup, or while another WAL file waits for it.
     */
    private boolean segmentWriterBehind()
    {
        if (!replayed)
        {
            return true;
        }
        return segmentWriter.hasBacklog();
    }

    void scheduleRetention(final ServerLog log)
    {
        if (!closed)
        {
            // Dropped if closed meanwhile: the segments are dropped at a later start, as the retention floor allows.
            segmentWriter.executeUnlessClosing(log::applyRetention);
        }
    }

    private void fail(final Throwable cause)
    {
        if (null != failure)
        {
            return;
        }
        failure = cause;
        final List<ServerLog> toTell;
        synchronized (this)
        {
            toTell = new ArrayList<>(logs.values());
        }
        for (final ServerLog log : toTell)
        {
            log.onStorageFailure(cause);
        }
    }

    /**
     * Write the last applied index of each open server whose index moved since the previous pass.
     *
     * @return how many servers it visited (tests).
     */
    int flushLastApplied()
    {
        return lastAppliedWrites.pass(this::isOpen);
    }

    private synchronized boolean isOpen(final FileServerStorage server)
    {
        return openServers.get(server.serverLog().directory().id()) == server;
    }

    @Override
    public ServerStorage open(final ServerId id, final LogListener listener)
    {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(listener, "listener");
        if (closed)
        {
            throw new IllegalStateException("storage " + directory + " is closed");
        }
        if (null != recoveryFailure)
        {
            throw new IllegalStateException("cannot open server " + id + ": WAL recovery failed: " + recoveryFailure);
        }
        if (null != failure)
        {
            throw new IllegalStateException("cannot open server " + id + ": storage failed: " + failure, failure);
        }
        ServerLog log;
        synchronized (this)
        {
            if (deleting.containsKey(id))
            {
                // Its directory is going: an open now would take the half-deleted directory for debris, create the
                // server anew, and have the deletion remove the new server's files under it.
                throw new IllegalStateException("cannot open server " + id + ": it is being deleted");
            }
            if (openServers.containsKey(id) || !opening.add(id))
            {
                throw new IllegalStateException("server " + id + " is already open");
            }
            log = logs.get(id);
        }
        // Loading and creating directories happen outside the storage-wide lock, so servers open in parallel.
        FileMetaStore meta = null;
        try
        {
            if (null == log)
            {
                log = ServerLog.load(this, serverDirectory(id), nextServerRef.incrementAndGet());
            }
            meta = FileMetaStore.open(files, log.directory());
            try
            {
                StorageDamage.checkOpened(id, log, meta, walDamage);
            }
            catch (final RuntimeException ex)
            {
                meta.close();
                throw ex;
            }
        }
        catch (final IOException ex)
        {
            synchronized (this)
            {
                opening.remove(id);
            }
            throw new UncheckedIOException("cannot open storage of server " + id, ex);
        }
        catch (final RuntimeException ex)
        {
            synchronized (this)
            {
                opening.remove(id);
            }
            throw ex;
        }
        synchronized (this)
        {
            opening.remove(id);
            if (!logs.containsKey(id))
            {
                logs.put(id, log);
                logsByDirectory.put(log.directory().name(), log);
            }
            log.attach(listener);
            final FileServerStorage server = new FileServerStorage(this, log, meta);
            meta.onLastAppliedMoved(lastAppliedWrites.tracker(server));
            openServers.put(id, server);
            return server;
        }
    }

    private ServerDirectory serverDirectory(final ServerId id) throws IOException
    {
        final Path root = serversDirectory.resolve(ServerDirectory.dirName(id));
        final ServerDirectory existing = unreadableIdentities.loadForOpen(id, root);
        if (null != existing)
        {
            if (!existing.id().equals(id))
            {
                throw new IllegalStateException("directory " + root + " belongs to server " + existing.id() +
                    ", not " + id);
            }
            return existing;
        }
        if (files.exists(root))
        {
            ServerDirectory.deleteTree(files, root);
        }
        return ServerDirectory.create(files, serversDirectory, serversDirectorySyncs, id);
    }

    synchronized void onServerClosed(final ServerId id, final FileServerStorage server)
    {
        openServers.remove(id, server);
    }

    @Override
    public synchronized boolean exists(final ServerId id)
    {
        return logs.containsKey(id) ||
            files.exists(serversDirectory.resolve(ServerDirectory.dirName(id)).resolve(ServerDirectory.ID_FILE));
    }

    @Override
    public List<ServerId> servers()
    {
        final List<ServerId> ids = new ArrayList<>();
        try
        {
            for (final String name : files.list(serversDirectory))
            {
                try
                {
                    final ServerDirectory dir = ServerDirectory.load(files, serversDirectory.resolve(name));
                    if (null != dir)
                    {
                        ids.add(dir.id());
                    }
                }
                catch (final IllegalStateException ex)
                {
                    LOG.warn("skipping unreadable server directory: {}", ex.getMessage());
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot list " + serversDirectory, ex);
        }
        return ids;
    }

    @Override
    public void delete(final ServerId id)
    {
        Objects.requireNonNull(id, "id");
        final ServerLog log;
        synchronized (this)
        {
            if (openServers.containsKey(id) || opening.contains(id))
            {
                throw new IllegalStateException("server " + id + " is open; close it before deleting it");
            }
            log = closed ? null : logs.remove(id);
            if (null != log)
            {
                logsByDirectory.remove(log.directory().name());
            }
            deleting.merge(id, 1, Integer::sum);
        }
        final Path root = serversDirectory.resolve(ServerDirectory.dirName(id));
        try
        {
            // On the segment writer thread, so a flush never writes into a directory being deleted.
            segmentWriter.submit(() ->
            {
                ServerDirectory.deleteTree(files, root);
                return null;
            }).get();
            if (null != log)
            {
                // Only now that the deletion is durable: a deletion that failed (or a crash before it was durable)
                // leaves the server, whose loss of WAL entries its row must still show at the next start.
                wal.releaseMarkRow(log.directory().uid());
            }
        }
        catch (final RejectedExecutionException closing)
        {
            throw new IllegalStateException("cannot delete server " + id + ": storage " + directory + " is closed",
                closing);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while deleting " + id, ex);
        }
        catch (final ExecutionException ex)
        {
            throw new UncheckedIOException("cannot delete the storage of " + id, ex.getCause() instanceof
                IOException io ? io : new IOException(ex.getCause()));
        }
        finally
        {
            synchronized (this)
            {
                deleting.computeIfPresent(id, (key, count) -> count > 1 ? count - 1 : null);
            }
        }
    }

    /**
     * @return the node's record of deleted servers, for tests.
     */
    DeletedServersFile deletedServers()
    {
        return deletedServers;
    }

    @Override
    public Map<ServerId, Long> rememberedDeletions()
    {
        return deletedServers.records();
    }

    @Override
    public void rememberDeletion(final ServerId server, final long term)
    {
        Objects.requireNonNull(server, "server");
        // The file refuses once the storage closed, and the close waits for a record under way.
        deletedServers.remember(server, term, DeletedIncarnations.uidNow(files, storedDirectory(server)));
    }

    @Override
    public Set<ServerId> unfinishedDeletions()
    {
        return DeletedIncarnations.stillStored(files, deletedServers.uids(), this::storedDirectory);
    }

    /**
     * @return where the server's directory is, and the directory itself if loaded (else null).
     */
    private synchronized DeletedIncarnations.Stored storedDirectory(final ServerId server)
    {
        final ServerLog log = logs.get(server);
        return new DeletedIncarnations.Stored(serversDirectory.resolve(ServerDirectory.dirName(server)),
            null == log ? null : log.directory());
    }

    /**
     * Why the recovery of the write-ahead log stopped when this storage was built, if it did: damage it refuses to skip
     * (docs/log-format.md, "Damaged storage"), after which every {@link #open} throws until the directory is
     * repaired. A program that runs a node on this storage alone (the node launcher) refuses to start on it rather
     * than run none of its servers.
     *
     * @return the reason, naming the file and offset, or null if the recovery completed.
     */
    public String recoveryFailure()
    {
        return recoveryFailure;
    }

    /**
     * @return counters of the write-ahead log.
     */
    public WalStatistics walStatistics()
    {
        return new WalStatistics(wal.batches(), wal.records(), wal.bytes(), segmentWriter.flushes(),
            flusher.segmentWrites() - segmentWritesAtOpen, flusher.hurriedSegmentWrites() - hurriedSegmentWritesAtOpen,
            segmentSpares.taken() - sparesTakenAtOpen, segmentWriter.backPressureWaits(), wal.syncLatency());
    }

    /**
     * Wait until the segment writer has finished the work queued so far (WAL files handed over at rollover, segment
     * deletions).
     *
     * @param timeout how long to wait at most.
     * @return true if it finished in time.
     */
    public boolean awaitSegmentWriter(final Duration timeout)
    {
        return segmentWriter.awaitIdle(timeout);
    }

    /**
     * @param id of a server.
     * @return its log, if loaded (tests).
     */
    synchronized ServerLog loadedLog(final ServerId id)
    {
        return logs.get(id);
    }

    @Override
    public void close()
    {
        final List<FileServerStorage> open;
        synchronized (this)
        {
            if (closed)
            {
                return;
            }
            closed = true;
            open = new ArrayList<>(openServers.values());
        }
        for (final FileServerStorage server : open)
        {
            server.close();
        }
        // Waits for a deletion being recorded (a server ending on a loop): the directory is released below.
        deletedServers.close();
        wal.close();
        segmentWriter.close(Duration.ofSeconds(SEGMENT_WRITER_CLOSE_SECONDS));
        segmentIo.shutdownNow();
        segmentCache.closeAll();
        walFiles.closeAll();
        try
        {
            directoryLock.close();
        }
        catch (final IOException ex)
        {
            LOG.warn("could not release the lock on {}: {}", directory, ex.getMessage());
        }
    }

    /**
     * Configures and opens a {@link FileStorage}. Not thread safe.
     */
    public static final class Builder
    {
        private Path directory;
        private long walMaxSizeBytes = 128L << 20;
        private int segmentMaxEntries = DEFAULT_SEGMENT_MAX_ENTRIES;
        private long segmentMaxBytes = 64L << 20;
        private int maxBatchEntries = 16384;
        private SyncMethod syncMethod = SyncMethod.DATASYNC;
        private boolean walMark = true;
        private int openFileCacheSize = 256;
        private Duration lastAppliedFlushInterval = Duration.ofSeconds(1);
        private int memTableObjectWindow = MemTable.DEFAULT_OBJECT_WINDOW;
        private FileLayer files = RealFileLayer.INSTANCE;
        private int directWriteMinBytes = SegmentBuilder.DIRECT_MIN_BYTES;
        private long segmentSpareBytes = -1;

        private Builder()
        {
        }

        /**
         * @param directory where the storage lives; created if missing. Required.
         * @return this.
         */
        public Builder directory(final Path directory)
        {
            this.directory = Objects.requireNonNull(directory, "directory");
            return this;
        }

        /**
         * @param bytes size at which a WAL file is rolled over and its entries moved to segments (64 KiB to 1 GiB;
         *              default 128 MiB). A file may exceed it by one batch.
         * @return this.
         */
        public Builder walMaxSizeBytes(final long bytes)
        {
            this.walMaxSizeBytes = bytes;
            return this;
        }

        /**
         * @param entries most entries per segment file (default {@value FileStorage#DEFAULT_SEGMENT_MAX_ENTRIES}).
         * @return this.
         */
        public Builder segmentMaxEntries(final int entries)
        {
            this.segmentMaxEntries = entries;
            return this;
        }

        /**
         * @param bytes size after which a segment file is closed and the next begun (default 64 MiB).
         * @return this.
         */
        public Builder segmentMaxBytes(final long bytes)
        {
            this.segmentMaxBytes = bytes;
            return this;
        }

        /**
         * Segment files that compaction drops are kept, up to this many bytes together, to be written over by new
         * segments instead of being deleted while new files are created: on a busy disk creating files is what
         * lengthens the WAL's sync times most (docs/log-format.md, "Spare segment files"). Default: twice
         * {@link #walMaxSizeBytes}, what compaction may free while one WAL file is moved into segments; 0 keeps none.
         *
         * @param bytes most bytes of spare segment files, 0 to 1 TiB.
         * @return this.
         */
        public Builder segmentSpareBytes(final long bytes)
        {
            this.segmentSpareBytes = bytes;
            return this;
        }

        /**
         * @param entries most records the WAL writer puts in one batch, i.e. under one sync (default 16384).
         * @return this.
         */
        public Builder maxBatchEntries(final int entries)
        {
            this.maxBatchEntries = entries;
            return this;
        }

        /**
         * Whether the WAL writer records, after each batch's sync and before anyone is told, how far the WAL is
         * durable ({@code wal.mark}; default true). It is what lets the next start tell a lost acknowledged tail of
         * the newest WAL file (a truncated, zero-filled or deleted file: disk damage) from a torn write, and keep the
         * members that lost acknowledged entries from voting until a leader has repaired them. It costs a second sync
         * per batch (of one overwritten block): on a quiet node every write waits for two syncs instead of one, and
         * each sync costs CPU in the kernel. Off, such a loss goes unnoticed, as it does in etcd and in Ra: the member
         * may then vote as if it still held what it acknowledged. A mark left by an earlier run is still checked at
         * the next start, then removed.
         *
         * @param enabled whether to keep the mark.
         * @return this.
         */
        public Builder walMark(final boolean enabled)
        {
            this.walMark = enabled;
            return this;
        }

        /**
         * @param method how batches are made durable; {@link SyncMethod#NONE} is UNSAFE and for benchmarks only.
         * @return this.
         */
        public Builder syncMethod(final SyncMethod method)
        {
            this.syncMethod = Objects.requireNonNull(method, "method");
            return this;
        }

        /**
         * @param files most segment files kept open for reading, across all servers (default 256).
         * @return this.
         */
        public Builder openFileCacheSize(final int files)
        {
            this.openFileCacheSize = files;
            return this;
        }

        /**
         * @param interval between writes of changed last-applied indexes (default 1 s).
         * @return this.
         */
        public Builder lastAppliedFlushInterval(final Duration interval)
        {
            this.lastAppliedFlushInterval = Objects.requireNonNull(interval, "interval");
            return this;
        }

        /**
         * @param entries most recent memtable entries per server kept as objects once durable (tests use 0 to read
         *                everything back from the WAL).
         * @return this.
         */
        Builder memTableObjectWindow(final int entries)
        {
            this.memTableObjectWindow = entries;
            return this;
        }

        Builder fileLayer(final FileLayer layer)
        {
            this.files = Objects.requireNonNull(layer, "layer");
            return this;
        }

        /**
         * @param bytes size from which segments are written with direct I/O where the file system has it (tests
         *              lower it, so that the small files of a crash test take that path too).
         * @return this.
         */
        Builder directWriteMinBytes(final int bytes)
        {
            this.directWriteMinBytes = bytes;
            return this;
        }

        /**
         * Validate the settings, recover what a previous run left and start the writer threads.
         *
         * @return the storage.
         * @throws IllegalArgumentException if a setting is out of range.
         * @throws UncheckedIOException if the directory cannot be used.
         */
        public FileStorage build()
        {
            if (null == directory)
            {
                throw new IllegalArgumentException("directory is required");
            }
            requireRange("walMaxSizeBytes", walMaxSizeBytes, 64L << 10, 1L << 30);
            requireRange("segmentMaxEntries", segmentMaxEntries, 1, 1 << 24);
            requireRange("segmentMaxBytes", segmentMaxBytes, 4096, 1L << 30);
            requireRange("maxBatchEntries", maxBatchEntries, 1, 1 << 24);
            if (segmentSpareBytes != -1)
            {
                requireRange("segmentSpareBytes", segmentSpareBytes, 0, 1L << 40);
            }
            requireRange("openFileCacheSize", openFileCacheSize, 1, 1 << 20);
            requireRange("memTableObjectWindow", memTableObjectWindow, 0, 1 << 24);
            if (lastAppliedFlushInterval.toMillis() < 1)
            {
                throw new IllegalArgumentException("lastAppliedFlushInterval must be at least 1 ms");
            }
            try
            {
                return new FileStorage(this);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot open storage in " + directory + ": " + ex.getMessage(), ex);
            }
        }

        private static void requireRange(final String name, final long value, final long min, final long max)
        {
            if (value < min || value > max)
            {
                throw new IllegalArgumentException(name + " must be in [" + min + ", " + max + "], got " + value);
            }
        }
    }
}

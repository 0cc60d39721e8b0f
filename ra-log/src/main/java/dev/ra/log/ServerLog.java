package dev.ra.log;

import dev.ra.codec.BufferWriter;
import dev.ra.protocol.LogEntry;
import dev.ra.protocol.SnapshotMeta;
import dev.ra.protocol.UserCommand;
import dev.ra.spi.LogListener;
import dev.ra.spi.LogStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One server's log: a memtable of recent entries over immutable segment files, with writes going through the shared
 * WAL.
 *
 * <p>Reads go memtable, then segments. The memtable is authoritative for {@code [memTable.firstIndex(), lastIndex]},
 * the segment index for what lies below; memtable entries outside its object window are read back from the WAL.
 * An append that starts at or below the last index first skips the entries the log already holds with the same term
 * (they are the same entries, by the Log Matching property), then truncates and appends the rest; the WAL record of
 * an entry implies that truncation on replay, and a truncation with nothing to append is a TRUNCATE record.
 *
 * <p>The object outlives {@link #detach()} (a closed server storage): its memtable still holds entries the segment
 * writer has not flushed, and a re-open picks it up again. Thread safety: appends and reads come from the owning
 * server's thread; the WAL writer ({@link #onDurable}) and the segment writer ({@link #onFlushed}) synchronise on
 * this object, which is held only for memory operations except when an overwrite must compare terms on disk (WAL
 * and segment reads happen outside it).
 */
final class ServerLog implements LogStore, FlushTarget
{
    private static final Logger LOG = LoggerFactory.getLogger(ServerLog.class);
    /** Entries compared and dropped per step of {@link #onFlushed}. */
    private static final int FLUSH_STEP = 1024;

    private final FileStorage storage;
    private final ServerDirectory directory;
    private final FileSnapshotStore snapshots;
    private final PendingWrites pending;
    private final byte[] registration;
    private final MemTable memTable;
    private final SegmentIndex segments = new SegmentIndex();
    private final List<SegmentFile> segmentFiles = new ArrayList<>();

    private long snapshotIndex;
    private long snapshotTerm;
    /**
     * The index of the snapshot the log was last reset to (one installed from the leader), 0 if none is known: an older
     * snapshot is no fallback for it, the entries between them being in neither, so retention deletes it.
     */
    private long resetIndex;
    private long lastIndex;
    private long lastWrittenIndex;
    private long nextSegmentSequence;
    private volatile LogListener listener;
    private volatile boolean attached;

    private ServerLog(final FileStorage storage, final ServerDirectory directory, final FileSnapshotStore snapshots,
        final int serverRef)
    {
        this.storage = storage;
        this.directory = directory;
        this.snapshots = snapshots;
        this.pending = new PendingWrites(this, serverRef);
        this.memTable = new MemTable(storage.memTableObjectWindow());
        final BufferWriter reg = new BufferWriter(64);
        reg.writeLong(directory.uid()).writeString(directory.name());
        this.registration = reg.toByteArray();
    }

    /**
     * Recover a server's log from its segments and snapshots (the WAL was already flushed into segments).
     *
     * @param storage   the owning storage.
     * @param directory of the server.
     * @param serverRef compact id for WAL records.
     * @return the log.
     * @throws IOException on failure to read.
     * @throws IllegalStateException with the file and reason if the log cannot be recovered safely.
     */
    static ServerLog load(final FileStorage storage, final ServerDirectory directory, final int serverRef)
        throws IOException
    {
        final FileLayer files = storage.files();
        // The server's own files are written atomically too (its configuration: config.tmp, then renamed): what a
        // crash left of such a write is debris. Nothing writes there before the server is open, which it is not yet.
        AtomicFiles.deleteTemporaries(files, directory.root());
        final FileSnapshotStore snapshots = FileSnapshotStore.open(files, directory.snapshots());
        final ServerLog log = new ServerLog(storage, directory, snapshots, serverRef);
        log.recover(files);
        return log;
    }

    private void recover(final FileLayer files) throws IOException
    {
        final Path dir = directory.segments();
        files.createDirectories(dir);
        AtomicFiles.deleteTemporaries(files, dir);
        final SnapshotMeta newest = snapshots.latest();
        final RecoveredSegments found = RecoveredSegments.load(files, dir, segments,
            null == newest ? 0 : newest.index(), directory.id());
        segmentFiles.addAll(found.files);
        nextSegmentSequence = found.nextSequence;
        resetIndex = found.resetIndex;
        final long logLast = found.logLast;
        try
        {
            chooseSnapshot(logLast);
        }
        catch (final UncheckedIOException ex)
        {
            // The segment cache reports a damaged segment as an I/O error (right for reads while running); while
            // opening, damage is a refusal: IllegalStateException naming the file and offset.
            if (ex.getCause().getCause() instanceof IllegalStateException damage)
            {
                throw damage;
            }
            throw ex.getCause();
        }
        memTable.clear(lastIndex + 1);
        lastWrittenIndex = lastIndex;
    }

    private void chooseSnapshot(final long logLast)
    {
        final SnapshotMeta snapshot = snapshots.latest();
        final long logFirst = segments.isEmpty() ? logLast + 1 : segments.firstIndex();
        if (null == snapshot)
        {
            if (logFirst > 1 && logLast > 0)
            {
                throw new IllegalStateException("server " + directory.id() + ": the log starts at index " + logFirst +
                    " but there is no valid snapshot in " + directory.snapshots() + "; entries 1.." + (logFirst - 1) +
                    " are missing" + skippedSnapshots());
            }
            snapshotIndex = 0;
            snapshotTerm = NO_TERM;
            lastIndex = logLast;
            return;
        }
        if (logLast > snapshot.index() && logFirst > snapshot.index() + 1)
        {
            // Typically the older snapshot kept as a fallback after a snapshot install reset the log past it: the
            // installed snapshot is the only holder of the entries in between, so falling back would lose them.
            throw new IllegalStateException("server " + directory.id() + ": the log starts at index " + logFirst +
                " but the newest valid snapshot is at index " + snapshot.index() + "; entries " +
                (snapshot.index() + 1) + ".." + (logFirst - 1) + " are missing, so that snapshot cannot replace a " +
                "newer one" + skippedSnapshots());
        }
        snapshotIndex = snapshot.index();
        snapshotTerm = snapshot.term();
        lastIndex = Math.max(logLast, snapshotIndex);
        if (logLast < snapshotIndex && !segments.isEmpty())
        {
            // The snapshot is ahead of the log (a crash after installing it but before the reset record was durable):
            // record the reset now, so the entries appended next are not taken for a gap after the old log.
            pending.addControl(WalFormat.RESET, snapshotIndex, snapshotTerm);
            resetIndex = snapshotIndex;
        }
        // Also when the log ENDS at the snapshot index (logLast == snapshotIndex): an entry of another term there (a
        // snapshot taken over an entry that was never made durable, or a crash between installing a snapshot and
        // recording the reset) must be superseded by a durable RESET now. Otherwise the stale entry stays in the
        // segments below the snapshot, the entries appended after the snapshot go into segments that continue it,
        // and the next recovery sees the mismatch and discards those acknowledged entries.
        if (logLast >= snapshotIndex && logFirst <= snapshotIndex && snapshotIndex > 0)
        {
            final long termThere = segmentTerm(snapshotIndex);
            if (termThere != snapshotTerm)
            {
                // Raft Figure 13: the log after the snapshot does not continue it (a crash between installing a
                // snapshot and recording the reset), so it is discarded.
                LOG.warn("server {}: log entry {} has term {} but the snapshot there has term {}; discarding the log " +
                    "after the snapshot", directory.id(), snapshotIndex, termThere, snapshotTerm);
                segments.truncateAfter(snapshotIndex);
                lastIndex = snapshotIndex;
                pending.addControl(WalFormat.RESET, snapshotIndex, snapshotTerm);
                resetIndex = snapshotIndex;
            }
        }
    }

    private String skippedSnapshots()
    {
        final List<String> skipped = snapshots.skipped();
        return skipped.isEmpty() ? "" : " (skipped as damaged: " + String.join("; ", skipped) + "). Restore the " +
            "damaged snapshot from a backup of this node, or remove the member, delete its storage and add it back";
    }

    FileSnapshotStore snapshots()
    {
        return snapshots;
    }

    ServerDirectory directory()
    {
        return directory;
    }

    byte[] registration()
    {
        return registration;
    }

    PendingWrites pending()
    {
        return pending;
    }

    boolean isAttached()
    {
        return attached;
    }

    LogListener listener()
    {
        return listener;
    }

    /**
     * Bind to a newly opened server storage.
     *
     * @param newListener for durability reports.
     */
    void attach(final LogListener newListener)
    {
        listener = newListener;
        attached = true;
        // Writes out a reset record queued by recovery, if any.
        storage.wal().signal(pending);
    }

    /**
     * The server storage was closed: stop reporting and refuse writes until attached again.
     */
    void detach()
    {
        attached = false;
        listener = null;
    }

    private void checkWritable()
    {
        if (!attached)
        {
            throw new IllegalStateException("log of " + directory.id() + " is closed");
        }
        final Throwable failure = storage.failure();
        if (null != failure)
        {
            throw new UncheckedIOException("storage failed; the log of " + directory.id() + " is unavailable",
                failure instanceof IOException io ? io : new IOException(failure.getMessage(), failure));
        }
    }

    @Override
    public synchronized long firstIndex()
    {
        return snapshotIndex + 1;
    }

    @Override
    public synchronized long lastIndex()
    {
        return lastIndex;
    }

    @Override
    public synchronized long lastWrittenIndex()
    {
        return lastWrittenIndex;
    }

    @Override
    public long term(final long index)
    {
        final SegmentIndex.Range range;
        synchronized (this)
        {
            if (index == snapshotIndex)
            {
                return snapshotTerm;
            }
            if (index < snapshotIndex || index > lastIndex || index <= 0)
            {
                return index == 0 ? NO_TERM : UNKNOWN_TERM;
            }
            if (memTable.contains(index))
            {
                return memTable.term(index);
            }
            range = segments.find(index);
        }
        return null == range ? UNKNOWN_TERM : termIn(range.segment(), index);
    }

    private long segmentTerm(final long index)
    {
        final SegmentIndex.Range range = segments.find(index);
        return null == range ? UNKNOWN_TERM : termIn(range.segment(), index);
    }

    private long termIn(final SegmentFile segment, final long index)
    {
        final SegmentCache cache = storage.segmentCache();
        final SegmentReader reader = cache.acquire(segment);
        try
        {
            return reader.term(index);
        }
        finally
        {
            cache.release(reader);
        }
    }

    @Override
    public LogEntry entry(final long index)
    {
        final List<LogEntry> out = new ArrayList<>(1);
        return read(index, index, 1, Long.MAX_VALUE, out) == 1 ? out.get(0) : null;
    }

    @Override
    public int read(final long fromIndex, final long toIndex, final int maxEntries, final long maxBytes,
        final List<LogEntry> out)
    {
        int read = 0;
        long bytes = 0;
        long index = fromIndex;
        while (read < maxEntries && (read == 0 || bytes < maxBytes))
        {
            final SegmentIndex.Range range;
            final long segmentTo;
            final WalRecordRun walRun;
            synchronized (this)
            {
                if (index < firstIndex() || index > Math.min(toIndex, lastIndex))
                {
                    break;
                }
                if (memTable.contains(index))
                {
                    final LogEntry entry = memTable.entry(index);
                    if (null != entry)
                    {
                        out.add(entry);
                        read++;
                        bytes += payloadSize(entry);
                        index++;
                        continue;
                    }
                    walRun = WalRecordRun.collect(memTable, index, Math.min(toIndex, lastIndex), maxEntries - read,
                        Math.max(1, maxBytes - bytes), storage.walFiles());
                    range = null;
                    segmentTo = 0;
                }
                else
                {
                    walRun = null;
                    range = segments.find(index);
                    if (null == range)
                    {
                        break;
                    }
                    segmentTo = Math.min(Math.min(range.last(), toIndex),
                        Math.min(lastIndex, memTable.firstIndex() - 1));
                }
            }
            // WAL and segment I/O happen outside the lock, so the WAL writer is never held up by a disk read.
            if (null != walRun)
            {
                final int before = out.size();
                final int n = walRun.readInto(out);
                for (int i = before; i < out.size(); i++)
                {
                    bytes += payloadSize(out.get(i));
                }
                read += n;
                index += n;
                continue;
            }
            final SegmentCache cache = storage.segmentCache();
            final SegmentReader reader = cache.acquire(range.segment());
            try
            {
                final int before = out.size();
                final int n = reader.read(index, segmentTo, maxEntries - read, Math.max(1, maxBytes - bytes), out);
                for (int i = before; i < out.size(); i++)
                {
                    bytes += payloadSize(out.get(i));
                }
                read += n;
                index += n;
                if (n == 0)
                {
                    break;
                }
            }
            finally
            {
                cache.release(reader);
            }
        }
        return read;
    }

    private static long payloadSize(final LogEntry entry)
    {
        if (entry.payload() instanceof UserCommand user)
        {
            final dev.ra.codec.Bytes data = user.dataIfEncoded();
            return null == data ? 16 : data.length();
        }
        return 16;
    }

    @Override
    public void writeIfIdle()
    {
        storage.wal().writeIfIdle();
    }

    @Override
    public void append(final List<LogEntry> entries)
    {
        append(entries, false);
    }

    @Override
    public void appendInRound(final List<LogEntry> entries)
    {
        append(entries, true);
    }

    private void append(final List<LogEntry> entries, final boolean inRound)
    {
        checkWritable();
        final int n = entries.size();
        if (n == 0)
        {
            return;
        }
        for (int i = 1; i < n; i++)
        {
            if (entries.get(i).index() != entries.get(i - 1).index() + 1)
            {
                throw new IllegalArgumentException("entries are not consecutive at index " + entries.get(i).index());
            }
        }
        // An entry that cannot be encoded ends the append there: the entries before it stay appended (and are
        // written), nothing of it is left anywhere, and the caller gets the exception.
        Throwable failure = null;
        boolean signal = true;
        synchronized (this)
        {
            final long first = entries.get(0).index();
            if (first > lastIndex + 1)
            {
                throw new IllegalArgumentException("append at index " + first + " leaves a gap after the last index " +
                    lastIndex + " of " + directory.id());
            }
            int skip = 0;
            while (skip < n && entries.get(skip).index() <= snapshotIndex)
            {
                skip++;
            }
            while (skip < n && entries.get(skip).index() <= lastIndex &&
                termLocked(entries.get(skip).index()) == entries.get(skip).term())
            {
                skip++;
            }
            if (skip == n)
            {
                final long newLast = entries.get(n - 1).index();
                if (newLast < lastIndex && newLast >= snapshotIndex)
                {
                    final long termThere = termLocked(newLast);
                    truncateAfter(newLast);
                    pending.addControl(WalFormat.TRUNCATE, newLast, termThere);
                }
                else
                {
                    return;
                }
            }
            else
            {
                final long from = entries.get(skip).index();
                final boolean truncated = from <= lastIndex;
                if (truncated)
                {
                    truncateAfter(from - 1);
                }
                try
                {
                    for (int i = skip; i < n; i++)
                    {
                        final LogEntry entry = entries.get(i);
                        memTable.add(entry, pending.addEntry(entry));
                        // Entry by entry: if a later one cannot be encoded, the ones before it are appended.
                        lastIndex = entry.index();
                    }
                }
                catch (final RuntimeException | Error ex)
                {
                    failure = ex;
                    signal = lastIndex >= from;
                    if (!signal && truncated)
                    {
                        // Nothing appended, but the log was cut: the WAL records the cut, as for an append that
                        // only truncates, so that a restart does not bring back what the log no longer holds.
                        pending.addControl(WalFormat.TRUNCATE, from - 1, termLocked(from - 1));
                        signal = true;
                    }
                }
            }
        }
        if (signal)
        {
            storage.wal().signal(pending, inRound);
        }
        if (failure instanceof Error error)
        {
            throw error;
        }
        if (null != failure)
        {
            throw (RuntimeException)failure;
        }
    }

    private long termLocked(final long index)
    {
        if (index == snapshotIndex)
        {
            return snapshotTerm;
        }
        return memTable.contains(index) ? memTable.term(index) : segmentTerm(index);
    }

    private void truncateAfter(final long index)
    {
        memTable.truncateAfter(index);
        segments.truncateAfter(index);
        lastIndex = index;
        lastWrittenIndex = Math.min(lastWrittenIndex, index);
    }

    @Override
    public void truncateUpTo(final long index)
    {
        final boolean beyondLog;
        synchronized (this)
        {
            if (index <= snapshotIndex)
            {
                return;
            }
            beyondLog = index > lastIndex;
            if (beyondLog)
            {
                // Only possible when a durable snapshot covers more than the log holds: continue after it, as resetTo.
                final SnapshotMeta snapshot = snapshots.latest();
                if (null == snapshot || snapshot.index() != index)
                {
                    throw new IllegalArgumentException("cannot truncate up to " + index + " beyond the last index " +
                        lastIndex + " of " + directory.id() + " without a snapshot at that index");
                }
                resetLocked(index, snapshot.term());
            }
            else
            {
                snapshotTerm = termLocked(index);
                snapshotIndex = index;
                memTable.dropUpTo(index);
                segments.truncateUpTo(index);
                // The durable snapshot covers everything up to index.
                lastWrittenIndex = Math.max(lastWrittenIndex, index);
            }
        }
        if (beyondLog)
        {
            storage.wal().signal(pending);
        }
        storage.scheduleRetention(this);
    }

    @Override
    public void resetTo(final long index, final long term)
    {
        checkWritable();
        synchronized (this)
        {
            resetLocked(index, term);
        }
        storage.wal().signal(pending);
        storage.scheduleRetention(this);
    }

    private void resetLocked(final long index, final long term)
    {
        memTable.clear(index + 1);
        segments.truncateAfter(0);
        snapshotIndex = index;
        snapshotTerm = term;
        lastIndex = index;
        lastWrittenIndex = index;
        resetIndex = index;
        pending.addControl(WalFormat.RESET, index, term);
    }

    /**
     * WAL writer thread: the records drained from {@code written} are durable in WAL file {@code walSequence} (and
     * recorded in the WAL mark if there is one): the memtable learns where they are and the listener is told, unless
     * they were overwritten since. Allocation-free.
     *
     * @param written     this server's pending writes, as drained by the writer.
     * @param walSequence of the WAL file they were written to.
     */
    void onDurable(final PendingWrites written, final long walSequence)
    {
        final long index = written.drainedIndex;
        final long term = written.drainedTerm;
        final LogListener target;
        final long reported;
        synchronized (this)
        {
            final EntryPositions positions = written.drainedPositions();
            final long base = written.drainedFileOffset;
            for (int i = 0; i < positions.count(); i++)
            {
                memTable.locate(positions.index(i), positions.checksum(i), walSequence, base + positions.offset(i),
                    positions.length(i));
            }
            if (index > lastIndex || index <= lastWrittenIndex)
            {
                return;
            }
            // The checksum tells the entry that was written from one appended at the same index and term after a
            // truncation (which is not durable yet).
            final boolean matches = memTable.contains(index) ? memTable.term(index) == term &&
                (!written.drainedIsEntry || memTable.checksum(index) == written.drainedChecksum) :
                index < memTable.firstIndex() || (index == snapshotIndex && term == snapshotTerm);
            if (!matches)
            {
                return;
            }
            lastWrittenIndex = index;
            reported = index;
            target = listener;
        }
        if (null != target && attached)
        {
            target.onWritten(reported, term);
        }
    }

    @Override
    public Path segmentsDirectory()
    {
        return directory.segments();
    }

    @Override
    public synchronized long takeSegmentSequence()
    {
        return nextSegmentSequence++;
    }

    @Override
    public void onFlushed(final List<SegmentFile> written, final ServerReplay replay)
    {
        boolean reset = false;
        synchronized (this)
        {
            for (final SegmentFile segment : written)
            {
                segments.apply(segment);
                segmentFiles.add(segment);
                reset |= segment.isReset();
            }
        }
        if (reset)
        {
            // The segments before it are read no more.
            storage.scheduleRetention(this);
        }
        // In steps, each under the lock on its own: comparing a whole WAL file's worth of entries (tens of thousands)
        // in one go kept the WAL writer, which takes this lock to report durability, waiting for a millisecond per
        // server. Between steps the segments and the memtable hold the same entries, so readers see no difference,
        // and each step compares against the memtable as it is then.
        while (dropFlushed(replay))
        {
            Thread.yield();
        }
    }

    /**
     * @return whether to go on: a whole step of entries matched, and more may follow.
     */
    private synchronized boolean dropFlushed(final ServerReplay replay)
    {
        final long first = memTable.firstIndex();
        final long stop = Math.min(memTable.lastIndex(), first + FLUSH_STEP - 1);
        long index = first;
        // Index and term are not enough: after a truncation the same index and term can be appended again with
        // other content, and the older record in this file must not stand in for the newer one.
        while (index <= stop && replay.holds(index) &&
            memTable.term(index) == replay.term(index) && memTable.checksum(index) == replay.checksum(index))
        {
            index++;
        }
        if (index > first)
        {
            memTable.dropUpTo(index - 1);
            lastWrittenIndex = Math.max(lastWrittenIndex, Math.min(index - 1, lastIndex));
        }
        return index > stop && index > first && replay.holds(index);
    }

    /**
     * Segment writer thread, before a flushed WAL file is reused: make sure no memtable entry still points into it.
     * {@link #onFlushed} has dropped every entry the file held, so this finds nothing unless the memtable and the
     * file disagree; such entries are then read back and kept as objects rather than left pointing at bytes about to
     * be overwritten.
     *
     * @param walSequence of the file; older files are gone already.
     */
    void releaseWalFile(final long walSequence)
    {
        synchronized (this)
        {
            for (long index = memTable.firstIndex(); index <= memTable.lastIndex(); index++)
            {
                final long sequence = memTable.walSequence(index);
                if (sequence > walSequence)
                {
                    // Located entries never go back to older files: everything after is newer too.
                    return;
                }
                if (sequence != MemTable.NOT_LOCATED)
                {
                    LOG.warn("server {}: memtable entry {} still points into flushed WAL file {}; keeping it in memory",
                        directory.id(), index, WalFormat.fileName(sequence));
                    final List<LogEntry> entry = new ArrayList<>(1);
                    WalRecordRun.collect(memTable, index, index, 1, Long.MAX_VALUE, storage.walFiles())
                        .readInto(entry);
                    memTable.restore(entry.get(0));
                }
            }
        }
    }

    /**
     * Segment writer thread: drop the oldest segments that no retained snapshot needs, keeping their files as spares
     * to be written over by new segments ({@link SegmentSpares}) where the pool has room and no reader has them open,
     * and deleting the others.
     */
    void applyRetention()
    {
        final long reset;
        synchronized (this)
        {
            reset = resetIndex;
        }
        // A snapshot below the one the log was reset to is no fallback (see resetIndex); with it gone the retention
        // floor below is 0 until the server takes a snapshot of its own, and the segments after the reset stay.
        snapshots.deleteOlderThan(reset);
        final List<SegmentFile> doomed = new ArrayList<>();
        synchronized (this)
        {
            int newestReset = 0;
            for (int i = 0; i < segmentFiles.size(); i++)
            {
                if (segmentFiles.get(i).isReset())
                {
                    newestReset = i;
                }
            }
            if (newestReset > 0)
            {
                // The segments before a reset segment hold only entries the reset discarded (the segment index no
                // longer points into them). The reset segment itself stays for a later pass: deleted in the same
                // pass, a crash could keep the deletion of its name but not that of an older segment's, whose
                // entries would then come back.
                final List<SegmentFile> superseded = segmentFiles.subList(0, newestReset);
                doomed.addAll(superseded);
                superseded.clear();
            }
            else
            {
                final long floor = Math.min(snapshots.retentionFloor(), snapshotIndex);
                while (!segmentFiles.isEmpty() && segmentFiles.get(0).lastIndex() <= floor)
                {
                    doomed.add(segmentFiles.remove(0));
                }
            }
        }
        if (doomed.isEmpty())
        {
            return;
        }
        final FileLayer files = storage.files();
        final SegmentCache cache = storage.segmentCache();
        final SegmentSpares spares = storage.segmentSpares();
        final List<Path> kept = new ArrayList<>();
        boolean durable = false;
        try
        {
            for (final SegmentFile segment : doomed)
            {
                final Path spare = cache.drop(segment) || null == spares ? null :
                    spares.offer(segment.path(), segment.size());
                if (null != spare)
                {
                    kept.add(spare);
                }
                else
                {
                    files.delete(segment.path());
                }
            }
            files.syncDirectory(directory.segments());
            durable = true;
        }
        catch (final IOException ex)
        {
            LOG.warn("server {}: could not delete old segments: {}", directory.id(), ex.getMessage());
        }
        finally
        {
            cache.forget(doomed);
            if (null != spares)
            {
                // Only now that the segments' names are gone for good may their files be written over.
                spares.commit(kept, durable);
            }
        }
    }

    /**
     * @return the number of segment files (for tests and monitoring).
     */
    synchronized int segmentFileCount()
    {
        return segmentFiles.size();
    }

    /**
     * @return the number of entries held in the memtable (for tests and monitoring).
     */
    synchronized int memTableSize()
    {
        return memTable.size();
    }

    /**
     * @return the number of memtable entries held as objects (for tests and monitoring).
     */
    synchronized int memTableObjectCount()
    {
        return memTable.objectCount();
    }

    /**
     * Storage thread: the storage failed.
     *
     * @param cause of the failure.
     */
    void onStorageFailure(final Throwable cause)
    {
        final LogListener target = listener;
        if (null != target && attached)
        {
            target.onFailure(cause);
        }
    }

    @Override
    public void close()
    {
        // The server storage owns the lifecycle; closing the log alone just stops it from accepting writes.
        detach();
    }
}

package dev.ra.log;

import dev.ra.codec.BufferWriter;
import dev.ra.stats.LatencyHistogram;
import dev.ra.stats.LatencySnapshot;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single writer thread of the shared write-ahead log (group commit).
 *
 * <p>Servers add records to their {@link PendingWrites} and signal this thread. Each round it takes every signalled
 * server's records (up to {@code maxBatchEntries}), copies them into one batch, writes the batch with one call, syncs
 * the file once, and only THEN tells each server how far it is durable. While one batch syncs the next accumulates,
 * so the batch size adapts to the load. When the file reaches its size limit it gets its end marker (synced), a new
 * one is started (a recycled spare if there is one, see {@link WalFiles}), and the old one is handed to the segment
 * writer. Each server learns where its entry records landed (file sequence and offset) with its durability report.
 *
 * <p>When the writer thread is idle, a server thread that has finished its round may write the batch itself
 * ({@link #writeIfIdle}): on a quiet node that saves waking the writer and being woken back, two thread hand-offs
 * that cost more than a sync of a recycled file. The writer's state is guarded by one lock, which the writer thread
 * holds for each round of its own and a server thread only takes when it is free; a server thread never rolls a file
 * over, so it never waits for the segment writer.
 *
 * <p>Any I/O error is fatal: the page cache cannot be trusted after a failed sync, so nothing is retried and nothing
 * further is acknowledged; the failure is reported and the thread stops.
 */
final class WalWriter implements Runnable
{
    private static final Logger LOG = LoggerFactory.getLogger(WalWriter.class);
    /** Most records a server thread writes itself; see {@link #quiet()}. */
    private static final int INLINE_MAX_RECORDS = 4;

    private final FileLayer files;
    private final WalFiles walFiles;
    private final Path directory;
    private final long maxFileBytes;
    private final int maxBatchEntries;
    private final boolean sync;
    private final Consumer<Path> onRollover;
    private final LongConsumer onSpareWanted;
    private final Consumer<Throwable> onFailure;
    private final WalSyncGate gate;
    /** Where the servers' durable entries are recorded before they are told, or null (see {@link WalMark}). */
    private WalMark mark;

    private final AtomicReference<PendingWrites> signalled = new AtomicReference<>();
    /** The writer thread is parked, waiting for work: a server thread may write instead. */
    private volatile boolean writerIdle;
    /** A failure met by a server thread writing inline, for the writer thread to report. */
    private volatile Throwable inlineFailure;

    /** Guards the work queue, the batch buffer and the file state below it. */
    private final ReentrantLock writing = new ReentrantLock();
    private final ArrayDeque<PendingWrites> work = new ArrayDeque<>();
    private final ArrayList<PendingWrites> inBatch = new ArrayList<>();
    private final CRC32C crc = new CRC32C();
    private ByteBuffer batch = ByteBuffer.allocateDirect(1 << 20);

    private final AtomicLong batches = new AtomicLong();
    private final AtomicLong records = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final LatencyHistogram syncLatency = new LatencyHistogram();

    private volatile boolean running = true;
    private volatile Thread thread;
    private LogFile file;
    private Path filePath;
    private long fileSequence;
    private long fileSize;
    private boolean spareAsked;
    private long fileStartedNanos;

    WalWriter(final FileLayer files, final WalFiles walFiles, final Path directory, final long firstSequence,
        final long maxFileBytes, final int maxBatchEntries, final boolean sync, final Consumer<Path> onRollover,
        final LongConsumer onSpareWanted, final Consumer<Throwable> onFailure, final WalSyncGate gate)
    {
        this.gate = gate;
        this.files = files;
        this.walFiles = walFiles;
        this.directory = directory;
        this.fileSequence = firstSequence - 1;
        this.maxFileBytes = maxFileBytes;
        this.maxBatchEntries = maxBatchEntries;
        this.sync = sync;
        this.onRollover = onRollover;
        this.onSpareWanted = onSpareWanted;
        this.onFailure = onFailure;
    }

    /**
     * A server was deleted: its row in the mark goes to the next new server.
     *
     * @param uid of the deleted server.
     */
    void releaseMarkRow(final long uid)
    {
        writing.lock();
        try
        {
            if (null != mark)
            {
                mark.release(uid);
            }
        }
        finally
        {
            writing.unlock();
        }
    }

    /**
     * @param durableMark to record, after each batch's sync and before any server is told, how far the WAL is durable.
     */
    void mark(final WalMark durableMark)
    {
        this.mark = durableMark;
    }

    /**
     * Create the first WAL file (so an unwritable directory fails the caller at once) and start the thread.
     *
     * @param threadName for the writer thread.
     * @throws IOException if the file cannot be created.
     */
    void start(final String threadName) throws IOException
    {
        startFile();
        final Thread t = new Thread(this, threadName);
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    /**
     * Ask the writer to take a server's pending records. Called by the server thread after adding records; wakes the
     * writer only if the server was not already queued. Allocation-free.
     *
     * @param pending the server's records.
     */
    void signal(final PendingWrites pending)
    {
        signal(pending, false);
    }

    /**
     * @param pending the server's records.
     * @param inRound whether the caller will call {@link #writeIfIdle} at the end of its round: an idle writer is then
     *                not woken now (the caller may write the batch itself, see {@link #writeIfIdle}).
     */
    void signal(final PendingWrites pending, final boolean inRound)
    {
        // Read before the compare-and-set: under load the server is usually queued already (several appends per
        // batch), and a failing compare-and-set still takes the cache line from the writer thread, which clears the
        // flag each batch; a read that finds it set tells the same, as cheaply as a read. (3.8 % of the CPU samples
        // at 2 M entries/s with 100 servers were that compare-and-set.)
        if (!pending.queued.get() && pending.queued.compareAndSet(false, true))
        {
            PendingWrites head;
            do
            {
                head = signalled.get();
                pending.next = head;
            }
            while (!signalled.compareAndSet(head, pending));
            if (!inRound || !writerIdle)
            {
                LockSupport.unpark(thread);
            }
        }
    }

    /**
     * @return whether the writer thread is parked with nothing to write (tests).
     */
    boolean isIdle()
    {
        return writerIdle && null == signalled.get();
    }

    long batches()
    {
        return batches.get();
    }

    long records()
    {
        return records.get();
    }

    long bytes()
    {
        return bytes.get();
    }

    /**
     * @return how long each batch's sync took.
     */
    LatencySnapshot syncLatency()
    {
        return syncLatency.snapshot();
    }

    @Override
    public void run()
    {
        try
        {
            while (true)
            {
                final boolean idle;
                writing.lock();
                try
                {
                    if (null != inlineFailure)
                    {
                        throw inlineFailure;
                    }
                    collectSignalled();
                    idle = work.isEmpty();
                    if (!idle)
                    {
                        if (fileSize >= maxFileBytes)
                        {
                            rollover();
                        }
                        writeBatch();
                    }
                }
                finally
                {
                    writing.unlock();
                }
                if (idle)
                {
                    if (!running)
                    {
                        sealFile();
                        break;
                    }
                    writerIdle = true;
                    if (null == signalled.get() && null == inlineFailure)
                    {
                        LockSupport.park(this);
                    }
                    writerIdle = false;
                }
            }
        }
        catch (final Throwable t)
        {
            running = false;
            LOG.error("write-ahead log failed; no further writes will be acknowledged", t);
            onFailure.accept(t);
        }
        finally
        {
            closeFile();
        }
    }

    /**
     * A server thread with nothing else to do: if the writer thread is idle, write and sync what is pending here, one
     * batch, and leave any rollover (which may wait for the segment writer) to the writer thread. Returns at once if
     * the writer is busy. Must follow every {@code signal(pending, true)}, which may have left the writer parked.
     */
    void writeIfIdle()
    {
        if (null == signalled.get())
        {
            return;
        }
        if (!writerIdle || !running || !quiet() || !writing.tryLock())
        {
            // Busy, or racing with it: the writer thread takes what is signalled (woken now in case an append of
            // this round left it parked).
            LockSupport.unpark(thread);
            return;
        }
        boolean more = false;
        try
        {
            if (null != inlineFailure)
            {
                return;
            }
            collectSignalled();
            if (work.isEmpty())
            {
                return;
            }
            if (fileSize >= maxFileBytes)
            {
                more = true;
                return;
            }
            writeBatch();
            more = !work.isEmpty() || null != signalled.get();
        }
        catch (final Throwable t)
        {
            // Reported by the writer thread, exactly as if it had met the failure itself.
            inlineFailure = t;
            more = true;
        }
        finally
        {
            writing.unlock();
            if (more)
            {
                LockSupport.unpark(thread);
            }
        }
    }

    /**
     * @return whether only one server is waiting, with a few records: a quiet node, where a sync on the server's
     *         thread costs less than two hand-offs. Under load the server thread keeps to the network and the writer
     *         thread batches (writing inline there took the I/O thread away from the network for every sync).
     */
    private boolean quiet()
    {
        final PendingWrites head = signalled.get();
        return null != head && null == head.next && head.pendingRecords() <= INLINE_MAX_RECORDS;
    }

    private void collectSignalled()
    {
        PendingWrites p = signalled.getAndSet(null);
        while (null != p)
        {
            final PendingWrites next = p.next;
            p.next = null;
            work.addLast(p);
            p = next;
        }
    }

    private void writeBatch() throws IOException
    {
        batch.clear();
        batch.position(WalFormat.RECORD_HEADER);
        inBatch.clear();
        int entries = 0;
        // At least one server per batch, so a file just short of its limit cannot stall the writer.
        while (!work.isEmpty() && entries < maxBatchEntries &&
            (inBatch.isEmpty() || fileSize + batch.position() < maxFileBytes))
        {
            final PendingWrites p = work.pollFirst();
            // Cleared BEFORE taking the records, so an append racing with the swap queues the server again.
            p.queued.set(false);
            final int taken = p.swap();
            if (taken == 0)
            {
                p.recycle();
                continue;
            }
            if (p.registeredInWal != fileSequence)
            {
                putRegister(p);
                p.registeredInWal = fileSequence;
            }
            final BufferWriter drained = p.drained();
            ensure(drained.position());
            p.drainedFileOffset = fileSize + batch.position();
            batch.put(drained.array(), 0, drained.position());
            p.recycle();
            entries += taken;
            inBatch.add(p);
        }
        if (inBatch.isEmpty())
        {
            return;
        }
        final int length = batch.position();
        batch.putInt(WalFormat.OFFSET_LENGTH, 0).put(WalFormat.OFFSET_TYPE, WalFormat.BATCH)
            .putInt(WalFormat.OFFSET_REF, 0).putLong(WalFormat.OFFSET_INDEX, fileSequence)
            .putLong(WalFormat.OFFSET_TERM, length);
        // Over the whole batch: in a recycled file, records of an earlier use may sit right where a torn write of this
        // batch stopped, and must not pass for its remainder.
        batch.putInt(0, checksum(4, length));
        batch.flip();
        file.write(batch, fileSize);
        if (sync)
        {
            final long syncStart = System.nanoTime();
            gate.syncStarts();
            try
            {
                file.force();
            }
            finally
            {
                gate.syncEnds();
            }
            syncLatency.record(System.nanoTime() - syncStart);
        }
        fileSize += length;
        if (!spareAsked && fileSize > maxFileBytes / 2)
        {
            // Half way: if no spare will be there for the next file, have one prepared, so it does not grow. At the
            // rate this file filled, the other half takes as long as the first did; writing the spare in half that time
            // spreads its I/O out instead of making the syncs of this file queue behind it.
            spareAsked = true;
            if (walFiles.spareCount() == 0)
            {
                onSpareWanted.accept((System.nanoTime() - fileStartedNanos) / 2);
            }
        }
        batches.incrementAndGet();
        records.addAndGet(entries);
        bytes.addAndGet(length);
        if (null != mark && sync)
        {
            writeMark();
        }
        for (int i = 0; i < inBatch.size(); i++)
        {
            final PendingWrites p = inBatch.get(i);
            p.owner().onDurable(p, fileSequence);
        }
        inBatch.clear();
    }

    /**
     * Record the batch just synced in the mark, and sync it, before any of its servers is told: a later loss of this
     * data is then detected. On this thread, right after the batch's own sync, not overlapped with the next batch's:
     * two syncs in flight at once on one device each took longer (the median append at 250,000 entries/s doubled
     * when the mark was synced on a thread of its own while the next batch synced), and handing the mark to another
     * thread cost two wake-ups per batch on a quiet node. The mark is never written before the data it describes is
     * synced: after a power loss it could otherwise claim data that is not there.
     */
    private void writeMark() throws IOException
    {
        for (int i = 0; i < inBatch.size(); i++)
        {
            final PendingWrites p = inBatch.get(i);
            mark.put(p.serverRef(), p.owner().directory().uid(), p.drainedIndex, p.drainedTerm);
        }
        gate.syncStarts();
        try
        {
            mark.write(fileSize, true);
        }
        finally
        {
            gate.syncEnds();
        }
    }

    private void putRegister(final PendingWrites p)
    {
        final byte[] payload = p.owner().registration();
        ensure(WalFormat.RECORD_HEADER + payload.length);
        final int start = batch.position();
        batch.putInt(0).putInt(payload.length).put(WalFormat.REGISTER).putInt(p.serverRef()).putLong(0).putLong(0)
            .put(payload);
        batch.putInt(start, checksum(start + 4, batch.position()));
    }

    private int checksum(final int from, final int to)
    {
        final int position = batch.position();
        final int limit = batch.limit();
        crc.reset();
        batch.limit(to).position(from);
        crc.update(batch);
        batch.limit(limit).position(position);
        return (int)crc.getValue();
    }

    private void ensure(final int extra)
    {
        if (batch.remaining() < extra)
        {
            final long needed = (long)batch.position() + extra;
            if (needed > Integer.MAX_VALUE - 64)
            {
                throw new IllegalStateException("WAL batch larger than 2 GiB");
            }
            final ByteBuffer bigger = ByteBuffer.allocateDirect((int)Math.max(needed, batch.capacity() * 2L));
            batch.flip();
            bigger.put(batch);
            batch = bigger;
        }
    }

    private void startFile() throws IOException
    {
        fileSequence++;
        filePath = directory.resolve(WalFormat.fileName(fileSequence));
        // A spare is overwritten in place, not truncated: its blocks stay allocated, so syncs need no journal
        // commit. What it held before carries an older sequence and is never taken for this file's data.
        final boolean recycled = walFiles.claimSpare(filePath);
        file = files.open(filePath, true);
        if (!recycled)
        {
            file.truncate(0);
        }
        final ByteBuffer header = ByteBuffer.allocate(WalFormat.FILE_HEADER);
        WalFormat.putHeader(header, fileSequence);
        header.flip();
        file.write(header, 0);
        file.force();
        files.syncDirectory(directory);
        fileSize = WalFormat.FILE_HEADER;
        if (null != mark)
        {
            mark.startFile(fileSequence);
        }
        spareAsked = false;
        fileStartedNanos = System.nanoTime();
        walFiles.addLive(fileSequence, filePath);
    }

    private void rollover() throws IOException
    {
        final Path finished = filePath;
        // Synced before the next file exists, so every file but the newest ends with its marker.
        writeEndMarker(true);
        file.close();
        file = null;
        startFile();
        onRollover.accept(finished);
    }

    /**
     * A clean stop: close the file with its end marker, as a rollover would. The next start then finds where its data
     * ends without reading the rest of a recycled file (and searching it for damaged batches, which only a crash
     * leaves); it starts a new file anyway.
     */
    private void sealFile() throws IOException
    {
        writing.lock();
        try
        {
            if (null == file || null != inlineFailure)
            {
                return;
            }
            writeEndMarker(sync);
        }
        finally
        {
            writing.unlock();
        }
    }

    private void writeEndMarker(final boolean force) throws IOException
    {
        final ByteBuffer end = ByteBuffer.allocate(WalFormat.RECORD_HEADER);
        WalFormat.putEndMarker(end, fileSequence, fileSize);
        end.flip();
        file.write(end, fileSize);
        if (force)
        {
            file.force();
        }
        fileSize += WalFormat.RECORD_HEADER;
    }

    private void closeFile()
    {
        if (null != mark)
        {
            try
            {
                mark.close();
            }
            catch (final IOException ex)
            {
                LOG.warn("could not close {}: {}", mark.path(), ex.getMessage());
            }
        }
        if (null != file)
        {
            try
            {
                file.close();
            }
            catch (final IOException ex)
            {
                LOG.warn("could not close {}: {}", filePath, ex.getMessage());
            }
            file = null;
        }
    }

    /**
     * Write what is pending, then stop the thread and close the file.
     */
    void close()
    {
        running = false;
        final Thread t = thread;
        if (null != t)
        {
            LockSupport.unpark(t);
            // An interrupted caller (a worker told to stop, closing the storage on its way out) still waits: the files
            // are closed next, under the writer's feet otherwise. It gets its interrupt back.
            boolean interrupted = false;
            while (t.isAlive())
            {
                try
                {
                    t.join();
                }
                catch (final InterruptedException ex)
                {
                    interrupted = true;
                }
            }
            if (interrupted)
            {
                Thread.currentThread().interrupt();
            }
        }
        else
        {
            closeFile();
        }
    }
}

package dev.ra.log;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The life of WAL files after the writer starts them: live files, which memtables read old entries back from, and
 * spare files, which are flushed WAL files kept to be overwritten as later ones.
 *
 * <p>Why recycle: deleting a flushed file frees (and, with the {@code discard} mount option, trims) its blocks in
 * the next journal commit, which every size-changing {@code fdatasync} of the WAL then waits for; and a WAL file that
 * grows needs a journal commit on every sync, which waits behind the segment writer's data. A recycled file is
 * overwritten in place, so its syncs write data only. The format makes this safe: every batch names its file's
 * sequence, so what an earlier use left behind never validates (see {@link WalFormat}).
 *
 * <p>A live file is retired only after the segment writer has flushed it and the memtables have dropped its entries;
 * a reader pins the file (while holding its server's lock, so before those entries can be dropped) for the duration
 * of a read, and recycling waits for the pins to go. Spares are kept up to a small number, the lowest sequences
 * deleted first, so the highest sequence ever used stays visible in the directory (the next file must be numbered
 * above every sequence a spare may still hold).
 *
 * <p>A fresh directory has no spares, and its first files would grow as they are written. So when a file is half full
 * and no spare is waiting, the segment writer prepares one: a file of zeros, given sequence 0 (which no WAL file ever
 * has, and which holds no batches of any sequence). Thread-safe.
 */
final class WalFiles
{
    /** The name sequence of a spare that was never a WAL file: zeros, prepared ahead of the first rollovers. */
    static final long ZEROED_SPARE = 0;
    private static final int ZEROS_PER_SYNC = 1 << 20;
    /** Longest a spare's preparation is stretched: the segment writer does nothing else meanwhile. */
    static final long MAX_SPARE_PACE_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final FileLayer files;
    private final Path directory;
    private final int maxSpares;
    /** Held while a spare's name changes, so a spare being claimed is never replaced by one being prepared. */
    private final Object renaming = new Object();
    private final Map<Long, LiveFile> live = new HashMap<>();
    /** By the sequence each last held. */
    private final TreeMap<Long, Path> spares = new TreeMap<>();

    /** A WAL file that memtable entries point into. */
    final class LiveFile
    {
        private final Path path;
        private LogFile reader;
        private int pins;

        private LiveFile(final Path path)
        {
            this.path = path;
        }

        Path path()
        {
            return path;
        }

        /**
         * Read while pinned.
         *
         * @param dst      to fill.
         * @param position in the file.
         * @return bytes read; fewer than requested only at the end of the file.
         * @throws IOException on failure.
         */
        int read(final ByteBuffer dst, final long position) throws IOException
        {
            return reader.read(dst, position);
        }

        /**
         * The read is over; the file may be recycled.
         */
        void unpin()
        {
            synchronized (WalFiles.this)
            {
                pins--;
                if (pins == 0)
                {
                    WalFiles.this.notifyAll();
                }
            }
        }
    }

    WalFiles(final FileLayer files, final Path directory, final int maxSpares)
    {
        this.files = files;
        this.directory = directory;
        this.maxSpares = maxSpares;
    }

    /**
     * Startup: adopt the spares a previous run left. A spare with a second name (a crash on a file system that wrote
     * out one end of a rename, recycling or claiming, and not the other) is never adopted: only its spare name goes,
     * the other keeps the file. Renaming the WAL file to that spare name would change nothing (both are one file), and
     * a claimed spare is written over while its WAL name would still lead to it.
     *
     * @param names of the files in the WAL directory.
     * @throws IOException if a spare's links cannot be counted or its name deleted.
     */
    synchronized void adoptSpares(final List<String> names) throws IOException
    {
        boolean dropped = false;
        for (final String name : names)
        {
            final long sequence = WalFormat.spareSequenceOf(name);
            final Path path = directory.resolve(name);
            if (sequence >= 0 && files.linkCount(path) > 1)
            {
                files.delete(path);
                dropped = true;
            }
            else if (sequence >= 0)
            {
                spares.put(sequence, path);
            }
        }
        if (dropped)
        {
            files.syncDirectory(directory);
        }
    }

    synchronized int spareCount()
    {
        return spares.size();
    }

    /**
     * Segment writer: if no spare is waiting, prepare one of {@code size} bytes of zeros for the writer's next
     * rollover. Written in steps, each synced, and paced to take about {@code paceNanos}: at full speed the device was
     * busy with these zeros for a tenth of a second, and every WAL sync in that time waited behind them.
     *
     * @param size      of the file to prepare.
     * @param paceNanos how long the preparation may take (at most {@link #MAX_SPARE_PACE_NANOS}); 0 for full speed.
     * @throws IOException on failure.
     */
    void prepareSpare(final long size, final long paceNanos) throws IOException
    {
        synchronized (this)
        {
            if (!spares.isEmpty())
            {
                return;
            }
        }
        final Path spare = directory.resolve(WalFormat.spareName(ZEROED_SPARE));
        final Path temp = directory.resolve(WalFormat.spareName(ZEROED_SPARE) + AtomicFiles.TEMP_SUFFIX);
        final long pace = Math.max(0, Math.min(paceNanos, MAX_SPARE_PACE_NANOS));
        final long started = System.nanoTime();
        try (LogFile file = files.open(temp, true))
        {
            file.truncate(0);
            final ByteBuffer zeros = ByteBuffer.allocateDirect(ZEROS_PER_SYNC);
            long written = 0;
            while (written < size)
            {
                zeros.clear().limit((int)Math.min(zeros.capacity(), size - written));
                file.write(zeros, written);
                written += zeros.limit();
                file.force();
                final long due = started + (long)((double)pace * written / size);
                final long ahead = due - System.nanoTime();
                if (ahead > 0)
                {
                    LockSupport.parkNanos(ahead);
                }
            }
        }
        synchronized (renaming)
        {
            files.move(temp, spare);
        }
        files.syncDirectory(directory);
        synchronized (this)
        {
            spares.put(ZEROED_SPARE, spare);
        }
    }

    /**
     * Writer thread: rename a spare to the next WAL file, to be overwritten in place.
     *
     * @param target path of the next WAL file.
     * @return whether there was a spare; if not, the caller creates the file.
     * @throws IOException if the rename fails.
     */
    boolean claimSpare(final Path target) throws IOException
    {
        synchronized (renaming)
        {
            final Map.Entry<Long, Path> oldest;
            synchronized (this)
            {
                oldest = spares.pollFirstEntry();
            }
            if (null == oldest)
            {
                return false;
            }
            files.move(oldest.getValue(), target);
            return true;
        }
    }

    /**
     * Writer thread: a new WAL file exists (its header is durable); memtable entries may point into it from now on.
     *
     * @param sequence of the file.
     * @param path     of the file.
     */
    synchronized void addLive(final long sequence, final Path path)
    {
        live.put(sequence, new LiveFile(path));
    }

    /**
     * Pin a live file for a read. Called while holding the lock of the server whose memtable points into the file,
     * which keeps the segment writer from dropping those entries, and so from retiring the file, until then.
     *
     * @param sequence of the file.
     * @return the file; call {@link LiveFile#unpin()} after reading.
     * @throws UncheckedIOException if it cannot be opened.
     * @throws IllegalStateException if the file is not live (a memtable pointing into a retired file: a bug).
     */
    synchronized LiveFile pin(final long sequence)
    {
        final LiveFile file = live.get(sequence);
        if (null == file)
        {
            throw new IllegalStateException("WAL file " + WalFormat.fileName(sequence) + " is not live");
        }
        if (null == file.reader)
        {
            try
            {
                file.reader = files.open(file.path, false);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot open " + file.path + " for reading", ex);
            }
        }
        file.pins++;
        return file;
    }

    /**
     * Segment writer: a WAL file has been flushed into segments and no memtable points into it any more; keep it as a
     * spare (waiting for reads still in progress), deleting the oldest spares beyond the limit.
     *
     * @param sequence of the file.
     * @param path     of the file.
     * @throws IOException on failure.
     */
    void recycle(final long sequence, final Path path) throws IOException
    {
        final LogFile reader;
        synchronized (this)
        {
            final LiveFile file = live.remove(sequence);
            while (null != file && file.pins > 0)
            {
                try
                {
                    wait();
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while waiting for reads of " + path, ex);
                }
            }
            reader = null == file ? null : file.reader;
        }
        if (null != reader)
        {
            reader.close();
        }
        final Path spare = directory.resolve(WalFormat.spareName(sequence));
        files.move(path, spare);
        if (files.exists(path))
        {
            // The rename was between two names of one file (a crash kept both ends of an earlier one; a file system
            // that counts no links let adoptSpares take the spare name): it did nothing, so the WAL name goes here.
            files.delete(path);
        }
        // Durable before the writer may claim it: otherwise a crash could bring back the old name (a flushed WAL file
        // that no longer ends with its marker) over content the writer has started to overwrite.
        files.syncDirectory(directory);
        final List<Path> doomed = new ArrayList<>();
        synchronized (this)
        {
            spares.put(sequence, spare);
            while (spares.size() > maxSpares)
            {
                doomed.add(spares.pollFirstEntry().getValue());
            }
        }
        for (final Path extra : doomed)
        {
            files.delete(extra);
        }
        if (!doomed.isEmpty())
        {
            files.syncDirectory(directory);
        }
    }

    /**
     * Close the read handles.
     */
    void closeAll()
    {
        final List<LogFile> readers = new ArrayList<>();
        synchronized (this)
        {
            for (final LiveFile file : live.values())
            {
                if (null != file.reader)
                {
                    readers.add(file.reader);
                    file.reader = null;
                }
            }
            live.clear();
        }
        for (final LogFile reader : readers)
        {
            try
            {
                reader.close();
            }
            catch (final IOException ignored)
            {
                // a read handle: nothing can be lost by failing to close it
            }
        }
    }
}

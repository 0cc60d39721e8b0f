package dev.ra.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * The least append→durable latency this disk allows at a given rate, measured with the simplest program that does
 * what a write-ahead log must: entries fall due at a steady rate (an open loop, as in the {@code wal} figure's latency
 * lines), one writer thread takes every entry due so far, writes them with one call at the end of a recycled file
 * (written once before, so the syncs overwrite allocated blocks) and syncs it ({@code fdatasync}); an entry's latency
 * is from the moment it fell due to the end of the sync that covered it. No encoding, no checksums, no mark, no
 * rollover: nothing ra-log does that the disk does not force on it.
 *
 * <p>With {@code copy}, a second thread writes every full file's bytes once more into a file of its own, in 1 MiB
 * writes each followed by a sync, as ra-log's segment writer moves a finished WAL file into segments: the disk then
 * takes twice the WAL's bytes, and the WAL's syncs queue behind the copy's writes and syncs. That pair is the floor of
 * ra-log's tail at a rate close to the disk's throughput; without the copy, the floor of a log that never rewrites.
 */
final class WalDeviceFloor
{
    private static final int COPY_CHUNK = 1 << 20;
    /** Files the copier may be behind before the writer waits (ra-log's back-pressure holds back at 4 as well). */
    private static final int COPIES_QUEUED = 4;

    private WalDeviceFloor()
    {
    }

    /**
     * One measured run.
     *
     * @param entriesPerSecond the rate reached.
     * @param syncsPerSecond   the writer's syncs.
     * @param latency          append→durable, nanoseconds.
     */
    record Result(double entriesPerSecond, double syncsPerSecond, Histogram latency)
    {
        double percentileMs(final double percentile)
        {
            return latency.getValueAtPercentile(percentile) / 1e6;
        }
    }

    /**
     * Run the floor program once.
     *
     * @param dir            where to put its files (deleted after).
     * @param rate           entries falling due per second.
     * @param bytesPerEntry  bytes each entry takes in the log (as ra-log's WAL records them).
     * @param fileBytes      size of the recycled log file (a full file is copied when {@code copy}).
     * @param copy           whether a second thread rewrites every full file, as a segment writer does.
     * @param warmupSeconds  before the measured window.
     * @param seconds        measured window.
     * @return what was measured in the window.
     * @throws IOException on a file error.
     */
    static Result run(final Path dir, final double rate, final int bytesPerEntry, final long fileBytes,
        final boolean copy, final double warmupSeconds, final double seconds) throws IOException
    {
        Files.createDirectories(dir);
        final Path logPath = dir.resolve("log");
        final int chunk = (int)Math.min(COPY_CHUNK, fileBytes);
        final long size = Math.max(chunk, fileBytes / chunk * chunk);
        final ByteBuffer zeros = ByteBuffer.allocateDirect(chunk);
        try (FileChannel log = FileChannel.open(logPath, StandardOpenOption.CREATE, StandardOpenOption.WRITE))
        {
            for (long at = 0; at < size; at += chunk)
            {
                zeros.clear();
                log.write(zeros, at);
            }
            log.force(true);
        }
        final BlockingQueue<Long> copies = new ArrayBlockingQueue<>(COPIES_QUEUED);
        final Copier copier = copy ? new Copier(dir, copies, chunk) : null;
        if (null != copier)
        {
            copier.start();
        }
        try (FileChannel log = FileChannel.open(logPath, StandardOpenOption.WRITE))
        {
            return write(log, size, copies, copy, rate, bytesPerEntry, warmupSeconds, seconds);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", ex);
        }
        finally
        {
            if (null != copier)
            {
                copier.stop();
            }
            try (var files = Files.list(dir))
            {
                for (final Path p : files.toList())
                {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    private static Result write(final FileChannel log, final long size, final BlockingQueue<Long> copies,
        final boolean copy, final double rate, final int bytesPerEntry, final double warmupSeconds,
        final double seconds) throws IOException, InterruptedException
    {
        final Histogram latency = new Histogram(3);
        final int batchLimit = 1 << 20;
        final ByteBuffer batch = ByteBuffer.allocateDirect(batchLimit);
        final double nanosPerEntry = 1e9 / rate;
        final long start = System.nanoTime();
        final long measureFrom = start + (long)(warmupSeconds * 1e9);
        final long end = measureFrom + (long)(seconds * 1e9);
        long written = 0;
        long offset = 0;
        long syncs = 0;
        long entriesInWindow = 0;
        long syncsInWindow = 0;
        while (true)
        {
            final long now = System.nanoTime();
            if (now >= end)
            {
                break;
            }
            final long due = (long)((now - start) / nanosPerEntry);
            if (due <= written)
            {
                // Nothing due: wait about until the next entry is (a parked thread wakes some tens of µs late, as a
                // WAL writer woken by an appending server does).
                LockSupport.parkNanos(Math.max(1_000, (long)((written + 1) * nanosPerEntry) - (now - start)));
                continue;
            }
            final long entries = Math.min(due - written, batchLimit / bytesPerEntry);
            int bytes = (int)(entries * bytesPerEntry);
            if (offset + bytes > size)
            {
                bytes = (int)(size - offset);
            }
            batch.clear().limit(bytes);
            log.write(batch, offset);
            log.force(false);
            final long synced = System.nanoTime();
            syncs++;
            final long batchEntries = Math.max(1, bytes / bytesPerEntry);
            if (synced >= measureFrom)
            {
                for (long k = written; k < written + batchEntries; k++)
                {
                    final long dueAt = start + (long)(k * nanosPerEntry);
                    latency.recordValue(Math.max(0, synced - dueAt));
                }
                entriesInWindow += batchEntries;
                syncsInWindow++;
            }
            written += batchEntries;
            offset += bytes;
            if (offset >= size)
            {
                offset = 0;
                if (copy)
                {
                    // A full file goes to the copier, as a finished WAL file goes to the segment writer; more than
                    // four behind and the writer waits, as ra-log's back-pressure does.
                    copies.put(size);
                }
            }
        }
        final double windowSeconds = (end - measureFrom) / 1e9;
        return new Result(entriesInWindow / windowSeconds, syncsInWindow / windowSeconds, latency);
    }

    /** Writes each full file's bytes again into a file of its own, 1 MiB at a time with a sync after each. */
    private static final class Copier implements Runnable
    {
        private final Path dir;
        private final BlockingQueue<Long> copies;
        private final ByteBuffer chunk;
        private volatile boolean running = true;
        private Thread thread;
        private int files;

        Copier(final Path dir, final BlockingQueue<Long> copies, final int chunkBytes)
        {
            this.dir = dir;
            this.copies = copies;
            this.chunk = ByteBuffer.allocateDirect(chunkBytes);
        }

        void start()
        {
            thread = new Thread(this, "wal-floor-copier");
            thread.setDaemon(true);
            thread.start();
        }

        void stop()
        {
            running = false;
            thread.interrupt();
            try
            {
                thread.join(30_000);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void run()
        {
            try
            {
                while (running)
                {
                    final Long bytes = copies.poll(100, TimeUnit.MILLISECONDS);
                    if (null != bytes)
                    {
                        copy(bytes);
                    }
                }
            }
            catch (final InterruptedException ex)
            {
                // stopped
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        }

        private void copy(final long bytes) throws IOException
        {
            // Two files at most on disk: the one being written and the one before (deleted as the next starts).
            final Path target = dir.resolve("copy-" + files++);
            Files.deleteIfExists(dir.resolve("copy-" + (files - 3)));
            try (FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE))
            {
                for (long at = 0; at < bytes && running; at += chunk.capacity())
                {
                    chunk.clear();
                    out.write(chunk, at);
                    out.force(false);
                }
            }
        }
    }
}

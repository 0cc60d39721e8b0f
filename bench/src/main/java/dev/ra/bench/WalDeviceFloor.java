package dev.ra.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * The least append→durable latency this disk allows at a given rate, measured with the simplest program that does
 * what a write-ahead log must: entries fall due at a steady rate (an open loop, as in the {@code wal} figure's latency
 * lines), one writer thread takes every entry due so far, writes them with one call at the end of a recycled file
 * (written once before, so the syncs overwrite allocated blocks) and syncs it ({@code fdatasync}); an entry's latency
 * is from the moment it fell due to the end of the sync that covered it. No encoding, no checksums, no rollover:
 * nothing ra-log does that the disk does not force on it.
 *
 * <p>With {@code mark}, each batch's sync is followed, as in ra-log, by a write of a 4 KiB row page and a head slot
 * to a mark file and its sync, before the batch counts as durable. With {@code segments}, a second thread moves every
 * full file into per-server files as ra-log's segment writer does: for each of the servers, its share of the file
 * written to a new temporary file, synced, renamed, and its directory synced (one directory per server; the files are
 * kept, as the figure's servers never truncate). The disk then takes the WAL's bytes twice, plus the new files'
 * allocations and directory entries. That is the floor of ra-log's design at a rate; without {@code segments}, the
 * floor of a log that never rewrites. With {@link Segments#RECYCLED_FILES}, the shares are written over files made
 * (written and synced) before the run, two per server used in turn, each synced with no rename or directory sync: the
 * floor of a log that moves WAL files into segment files it reuses instead of creating. With
 * {@link Segments#APPENDED_FILES}, each server's share is appended to one growing file of its own and synced, as Ra's
 * segments are appended to across WAL files: no file created or renamed, but every sync also writes the blocks the
 * file gained and its new size.
 */
final class WalDeviceFloor
{
    private static final int ZERO_CHUNK = 1 << 20;
    private static final int PAGE = 4096;
    private static final int HEAD_SLOT = 512;
    /** Files the segment writer may be behind before the writer waits (ra-log's back-pressure holds back at 4 too). */
    private static final int FILES_QUEUED = 4;

    private WalDeviceFloor()
    {
    }

    /** What happens to a full file. */
    enum Segments
    {
        /** Nothing: the file is simply reused. */
        NONE,
        /** Each server's share goes into a new file (temporary, synced, renamed, directory synced), as in ra-log. */
        NEW_FILES,
        /** Each server's share is written over one of its two files made before the run, and synced. */
        RECYCLED_FILES,
        /** Each server's share is appended to one file of its own, which grows, and synced (as Ra's segments are). */
        APPENDED_FILES,
        /**
         * Each server's share is written over a spare file made before the run, synced, renamed to a new name and
         * its directory synced; the server's previous file is renamed back to the spare (as a pool of spare segment
         * files fed by compaction would).
         */
        RENAMED_SPARES
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
     * @param fileBytes      size of the recycled log file (a full file is moved into segments when {@code segments}).
     * @param segments       whether and how a second thread rewrites every full file into per-server files.
     * @param servers        how many per-server files a full file becomes.
     * @param mark           whether each batch's sync is followed by a mark write and sync.
     * @param warmupSeconds  before the measured window.
     * @param seconds        measured window.
     * @return what was measured in the window.
     * @throws IOException on a file error.
     */
    static Result run(final Path dir, final double rate, final int bytesPerEntry, final long fileBytes,
        final Segments segments, final int servers, final boolean mark, final double warmupSeconds,
        final double seconds) throws IOException
    {
        Files.createDirectories(dir);
        final Path logPath = dir.resolve("log");
        final int chunk = (int)Math.min(ZERO_CHUNK, fileBytes);
        final long size = Math.max(chunk, fileBytes / chunk * chunk);
        preallocate(logPath, size, chunk);
        final BlockingQueue<Long> full = new ArrayBlockingQueue<>(FILES_QUEUED);
        final SegmentWriter segmentWriter = segments == Segments.NONE ? null :
            new SegmentWriter(dir, full, servers, segments, size);
        if (null != segmentWriter)
        {
            segmentWriter.start();
        }
        try (FileChannel log = FileChannel.open(logPath, StandardOpenOption.WRITE);
            FileChannel markFile = mark ? openMark(dir.resolve("mark")) : null)
        {
            if (null != segmentWriter)
            {
                segmentWriter.awaitReady();
            }
            return write(log, markFile, size, null == segmentWriter ? null : full, rate, bytesPerEntry, warmupSeconds,
                seconds);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", ex);
        }
        finally
        {
            if (null != segmentWriter)
            {
                segmentWriter.stop();
            }
            DirectoryTrees.delete(dir);
        }
    }

    private static void preallocate(final Path path, final long size, final int chunk) throws IOException
    {
        final ByteBuffer zeros = ByteBuffer.allocateDirect(chunk);
        try (FileChannel log = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE))
        {
            for (long at = 0; at < size; at += chunk)
            {
                zeros.clear();
                log.write(zeros, at);
            }
            log.force(true);
        }
    }

    private static FileChannel openMark(final Path path) throws IOException
    {
        final FileChannel mark = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        mark.write(ByteBuffer.allocate(2 * PAGE), 0);
        mark.force(true);
        return mark;
    }

    private static Result write(final FileChannel log, final FileChannel mark, final long size,
        final BlockingQueue<Long> full, final double rate, final int bytesPerEntry, final double warmupSeconds,
        final double seconds) throws IOException, InterruptedException
    {
        final Histogram latency = new Histogram(3);
        final int batchLimit = 1 << 20;
        final ByteBuffer batch = ByteBuffer.allocateDirect(batchLimit);
        final ByteBuffer markPage = ByteBuffer.allocateDirect(PAGE);
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
            if (null != mark)
            {
                // ra-log's mark round: the page of the rows that changed, then a head slot, then one sync.
                markPage.clear();
                mark.write(markPage, PAGE);
                markPage.clear().limit(HEAD_SLOT);
                mark.write(markPage, HEAD_SLOT);
                mark.force(false);
            }
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
                if (null != full)
                {
                    // A full file goes to the segment writer; more than four behind and the writer waits, as
                    // ra-log's back-pressure does.
                    full.put(size);
                }
            }
        }
        final double windowSeconds = (end - measureFrom) / 1e9;
        return new Result(entriesInWindow / windowSeconds, syncsInWindow / windowSeconds, latency);
    }

    /**
     * Moves each full file into per-server files as ra-log's segment writer does: for each server, a new temporary
     * file with its share of the bytes, synced, renamed, and the server's directory synced.
     */
    private static final class SegmentWriter implements Runnable
    {
        private final Path dir;
        private final BlockingQueue<Long> full;
        private final int servers;
        private final Segments segments;
        private final long fileBytes;
        private long appendedAt;
        private final CountDownLatch ready = new CountDownLatch(1);
        private volatile boolean running = true;
        private Thread thread;
        private int files;
        private ByteBuffer share = ByteBuffer.allocateDirect(PAGE);

        SegmentWriter(final Path dir, final BlockingQueue<Long> full, final int servers, final Segments segments,
            final long fileBytes)
        {
            this.dir = dir;
            this.full = full;
            this.servers = servers;
            this.segments = segments;
            this.fileBytes = fileBytes;
        }

        /** Wait until the servers' directories (and recycled files) are made, before the measured writes begin. */
        void awaitReady() throws InterruptedException
        {
            ready.await(10, TimeUnit.MINUTES);
        }

        void start()
        {
            thread = new Thread(this, "wal-floor-segments");
            thread.setDaemon(true);
            thread.start();
        }

        void stop()
        {
            running = false;
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
                try
                {
                    prepare();
                }
                finally
                {
                    ready.countDown();
                }
                while (running)
                {
                    final Long bytes = full.poll(100, TimeUnit.MILLISECONDS);
                    if (null != bytes)
                    {
                        rewrite(bytes);
                    }
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        }

        private void prepare() throws IOException
        {
            final int each = (int)Math.max(1, fileBytes / servers);
            for (int s = 0; s < servers; s++)
            {
                final Path serverDir = dir.resolve("server-" + s);
                Files.createDirectories(serverDir);
                if (segments == Segments.RECYCLED_FILES || segments == Segments.RENAMED_SPARES)
                {
                    for (int copy = 0; copy < 2; copy++)
                    {
                        preallocate(serverDir.resolve(copy + ".segment"), each, Math.min(each, ZERO_CHUNK));
                    }
                }
            }
        }

        private void rewrite(final long bytes) throws IOException
        {
            final int each = (int)Math.max(1, bytes / servers);
            if (share.capacity() < each)
            {
                share = ByteBuffer.allocateDirect(each);
            }
            final int file = files++;
            for (int s = 0; s < servers && running; s++)
            {
                final Path serverDir = dir.resolve("server-" + s);
                switch (segments)
                {
                    case APPENDED_FILES -> writeShare(serverDir.resolve("appended.segment"), appendedAt, each, false,
                        StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    case RENAMED_SPARES ->
                    {
                        final Path spare = serverDir.resolve(file % 2 + ".segment");
                        writeShare(spare, 0, each, false, StandardOpenOption.WRITE);
                        Files.move(spare, serverDir.resolve(file + ".in-use"), StandardCopyOption.ATOMIC_MOVE);
                        if (file > 0)
                        {
                            Files.move(serverDir.resolve(file - 1 + ".in-use"), serverDir.resolve((file + 1) % 2 +
                                ".segment"), StandardCopyOption.ATOMIC_MOVE);
                        }
                        syncDirectory(serverDir);
                    }
                    case RECYCLED_FILES -> writeShare(serverDir.resolve(file % 2 + ".segment"), 0, each, false,
                        StandardOpenOption.WRITE);
                    case NEW_FILES ->
                    {
                        final Path temporary = serverDir.resolve(file + ".tmp");
                        writeShare(temporary, 0, each, true, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                        Files.move(temporary, serverDir.resolve(file + ".segment"), StandardCopyOption.ATOMIC_MOVE);
                        syncDirectory(serverDir);
                    }
                }
            }
            appendedAt += each;
        }

        /** Write the first {@code each} bytes of the share at {@code at} and sync them (and the size, if asked). */
        private void writeShare(final Path path, final long at, final int each, final boolean metadata,
            final StandardOpenOption... options) throws IOException
        {
            try (FileChannel out = FileChannel.open(path, options))
            {
                share.clear().limit(each);
                out.write(share, at);
                out.force(metadata);
            }
        }

        private static void syncDirectory(final Path directory) throws IOException
        {
            try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ))
            {
                channel.force(true);
            }
        }
    }
}

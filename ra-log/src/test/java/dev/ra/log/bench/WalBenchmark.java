package dev.ra.log.bench;

import dev.ra.ServerId;
import dev.ra.codec.Bytes;
import dev.ra.log.FileStorage;
import dev.ra.log.SyncMethod;
import dev.ra.log.WalStatistics;
import dev.ra.protocol.LogEntry;
import dev.ra.protocol.UserCommand;
import dev.ra.spi.LogListener;
import dev.ra.spi.LogStore;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;

/**
 * WAL benchmark harness: throughput with 1, 10 and 100 writing servers (closed loop, each server keeping a window of
 * un-acknowledged entries in flight, as a pipelining leader does), then append-to-durable latency at half the
 * measured 100-server throughput (open loop, one entry per append, paced).
 *
 * <p>Reports entries/s, WAL batches (= fdatasyncs)/s, MB/s, and the bytes allocated per entry on the write path: by
 * the calling threads inside {@code append} plus by the WAL writer thread, measured with
 * {@code com.sun.management.ThreadMXBean}. Entry objects are created by the caller (the Raft core) and not counted.
 *
 * <p>Usage: {@code WalBenchmark [dataDir] [secondsPerRun] [syncMethod] [tp:<servers> | lat:<entries/s>]...}; without
 * runs it does the full set. See docs/benchmarks.md for the command.
 */
public final class WalBenchmark
{
    private static final int PAYLOAD_BYTES = 100;
    private static final int THREADS = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
    private static final int WINDOW = 8192;
    private static final int MAX_APPEND = 64;

    private WalBenchmark()
    {
    }

    /**
     * @param args data directory (default: a temporary directory), seconds per run (default 10), sync method
     *             (default DATASYNC).
     * @throws Exception on failure.
     */
    public static void main(final String[] args) throws Exception
    {
        final Path base = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("ra-wal-bench");
        final int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        final SyncMethod sync = args.length > 2 ? SyncMethod.valueOf(args[2]) : SyncMethod.DATASYNC;
        System.out.printf("ra-log WAL benchmark: %d-byte payloads, %d writer threads, %d s per run, sync %s, " +
            "%d cores%n", PAYLOAD_BYTES, THREADS, seconds, sync, Runtime.getRuntime().availableProcessors());
        final double[] fsync = fdatasyncBaseline(base);
        System.out.printf("baseline: 4 KiB write + fdatasync on this file system: p50 %.3f ms, p99 %.3f ms%n",
            fsync[0], fsync[1]);
        if (args.length > 3)
        {
            // Individual runs: "tp:<servers>" for throughput, "lat:<entries per second>" for latency.
            for (int i = 3; i < args.length; i++)
            {
                final String[] run = args[i].split(":");
                if (run[0].equals("tp"))
                {
                    final int servers = Integer.parseInt(run[1]);
                    System.out.println(throughput(base.resolve("tp-" + servers), servers, seconds, sync)
                        .line("throughput", servers));
                }
                else
                {
                    reportLatency(base, Double.parseDouble(run[1]), seconds, sync);
                }
            }
            deleteTree(base);
            return;
        }
        double rate100 = 0;
        for (final int servers : new int[] {1, 10, 100})
        {
            final Result r = throughput(base.resolve("tp-" + servers), servers, seconds, sync);
            System.out.println(r.line("throughput", servers));
            if (servers == 100)
            {
                rate100 = r.entriesPerSecond;
            }
        }
        reportLatency(base, rate100 / 2, seconds, sync);
        reportLatency(base, 20_000, seconds, sync);
        deleteTree(base);
    }

    private static void reportLatency(final Path base, final double target, final int seconds, final SyncMethod sync)
        throws Exception
    {
        final Result latency = latency(base.resolve("lat-100"), 100, target, seconds, sync);
        System.out.println(latency.line(String.format("latency @ %.0f entries/s", target), 100));
        System.out.printf("  append->durable latency at %.0f entries/s: p50 %.3f ms, p99 %.3f ms, p99.9 %.3f ms, " +
            "max %.3f ms%n", target, latency.histogram.getValueAtPercentile(50) / 1e6,
            latency.histogram.getValueAtPercentile(99) / 1e6, latency.histogram.getValueAtPercentile(99.9) / 1e6,
            latency.histogram.getMaxValue() / 1e6);
    }

    /** Outcome of one run. */
    private static final class Result
    {
        double entriesPerSecond;
        double batchesPerSecond;
        double megabytesPerSecond;
        double bytesAllocatedPerEntry;
        Histogram histogram;

        String line(final String mode, final int servers)
        {
            return String.format("%-32s servers=%3d  entries/s=%,10.0f  fsyncs/s=%,7.0f  MB/s=%6.1f  " +
                "entries/fsync=%,7.0f  alloc B/entry=%.2f", mode, servers, entriesPerSecond, batchesPerSecond,
                megabytesPerSecond, entriesPerSecond / Math.max(1, batchesPerSecond), bytesAllocatedPerEntry);
        }
    }

    /** One benchmarked server: its log and its progress. */
    private static final class Server implements LogListener
    {
        final int id;
        final Bytes payload;
        LogStore log;
        volatile long durable;
        long next = 1;
        // Latency mode: append times by index (ring), read by the WAL writer thread in onWritten.
        long[] appendedAtNanos;
        Histogram histogram;
        long reportedUpTo;

        Server(final int id)
        {
            this.id = id;
            final byte[] data = new byte[PAYLOAD_BYTES];
            data[0] = (byte)id;
            payload = Bytes.wrap(data);
        }

        @Override
        public void onWritten(final long index, final long term)
        {
            if (null != histogram)
            {
                final long now = System.nanoTime();
                for (long i = reportedUpTo + 1; i <= index; i++)
                {
                    histogram.recordValue(Math.max(0, now - appendedAtNanos[(int)(i % appendedAtNanos.length)]));
                }
                reportedUpTo = index;
            }
            durable = index;
        }

        @Override
        public void onFailure(final Throwable cause)
        {
            cause.printStackTrace();
        }

        LogEntry entry(final long index)
        {
            return new LogEntry(index, 1, index, UserCommand.ofData(payload));
        }
    }

    private static FileStorage storage(final Path dir, final SyncMethod sync)
    {
        return FileStorage.builder().directory(dir).syncMethod(sync)
            .walMaxSizeBytes(Long.getLong("ra.bench.walMaxBytes", 128L << 20)).build();
    }

    private static List<Server> open(final FileStorage storage, final int count)
    {
        final List<Server> servers = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            final Server s = new Server(i);
            s.log = storage.open(new ServerId("bench-" + i, "node"), s).log();
            servers.add(s);
        }
        return servers;
    }

    private static Result throughput(final Path dir, final int count, final int seconds, final SyncMethod sync)
        throws Exception
    {
        try (FileStorage storage = storage(dir, sync))
        {
            final List<Server> servers = open(storage, count);
            final int threads = Math.min(THREADS, count);
            final AtomicBoolean measuring = new AtomicBoolean();
            final AtomicBoolean stop = new AtomicBoolean();
            final long[] appendAllocated = new long[threads];
            final long[] appended = new long[threads];
            final List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++)
            {
                final int thread = t;
                final Thread w = new Thread(() -> closedLoop(servers, thread, threads, measuring, stop,
                    appendAllocated, appended), "bench-writer-" + t);
                workers.add(w);
                w.start();
            }
            Thread.sleep(Math.min(10_000, seconds * 500L));
            final Thread walThread = findThread("ra-log-wal-writer");
            final com.sun.management.ThreadMXBean mx =
                (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
            final WalStatistics before = storage.walStatistics();
            final long walAllocBefore = mx.getThreadAllocatedBytes(walThread.getId());
            final long start = System.nanoTime();
            measuring.set(true);
            Thread.sleep(seconds * 1000L);
            measuring.set(false);
            final long elapsed = System.nanoTime() - start;
            final WalStatistics after = storage.walStatistics();
            final long walAlloc = mx.getThreadAllocatedBytes(walThread.getId()) - walAllocBefore;
            stop.set(true);
            for (final Thread w : workers)
            {
                w.join();
            }
            long callerAlloc = 0;
            long entries = 0;
            for (int t = 0; t < threads; t++)
            {
                callerAlloc += appendAllocated[t];
                entries += appended[t];
            }
            final Result r = new Result();
            final double secs = elapsed / 1e9;
            r.entriesPerSecond = (after.records() - before.records()) / secs;
            r.batchesPerSecond = (after.batches() - before.batches()) / secs;
            r.megabytesPerSecond = (after.bytes() - before.bytes()) / secs / 1e6;
            r.bytesAllocatedPerEntry = (double)(callerAlloc + walAlloc) / Math.max(1, entries);
            return r;
        }
        finally
        {
            deleteTree(dir);
        }
    }

    private static void closedLoop(final List<Server> servers, final int thread, final int threads,
        final AtomicBoolean measuring, final AtomicBoolean stop, final long[] appendAllocated, final long[] appended)
    {
        final com.sun.management.ThreadMXBean mx =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final List<LogEntry> batch = new ArrayList<>(MAX_APPEND);
        long allocated = 0;
        long count = 0;
        while (!stop.get())
        {
            boolean progressed = false;
            for (int i = thread; i < servers.size(); i += threads)
            {
                final Server s = servers.get(i);
                final long room = WINDOW - (s.next - 1 - s.durable);
                if (room <= 0)
                {
                    continue;
                }
                batch.clear();
                final int n = (int)Math.min(room, MAX_APPEND);
                for (int k = 0; k < n; k++)
                {
                    batch.add(s.entry(s.next + k));
                }
                final boolean measure = measuring.get();
                final long before = measure ? mx.getCurrentThreadAllocatedBytes() : 0;
                s.log.append(batch);
                if (measure)
                {
                    allocated += mx.getCurrentThreadAllocatedBytes() - before;
                    count += n;
                }
                s.next += n;
                progressed = true;
            }
            if (!progressed)
            {
                Thread.onSpinWait();
                Thread.yield();
            }
        }
        appendAllocated[thread] = allocated;
        appended[thread] = count;
    }

    private static Result latency(final Path dir, final int count, final double entriesPerSecond, final int seconds,
        final SyncMethod sync) throws Exception
    {
        try (FileStorage storage = storage(dir, sync))
        {
            final List<Server> servers = open(storage, count);
            final Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
            for (final Server s : servers)
            {
                s.appendedAtNanos = new long[1 << 16];
                s.histogram = histogram;
            }
            final int threads = Math.min(THREADS, count);
            final long warmupNanos = TimeUnit.MILLISECONDS.toNanos(Math.min(3000, seconds * 300L));
            final long runNanos = TimeUnit.SECONDS.toNanos(seconds);
            final CountDownLatch done = new CountDownLatch(threads);
            final long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
            final double perThreadRate = entriesPerSecond / threads;
            for (int t = 0; t < threads; t++)
            {
                final int thread = t;
                new Thread(() ->
                {
                    try
                    {
                        openLoop(servers, thread, threads, perThreadRate, start, warmupNanos + runNanos);
                    }
                    finally
                    {
                        // Also when the storage failed and append threw: the run then ends instead of hanging.
                        done.countDown();
                    }
                }, "bench-paced-" + t).start();
            }
            // Discard what was recorded during warm-up: the WAL writer thread is the only recorder, so reset from the
            // writer's perspective by swapping in a fresh histogram for every server at the warm-up boundary.
            Thread.sleep(Math.max(0, TimeUnit.NANOSECONDS.toMillis(start + warmupNanos - System.nanoTime())));
            final WalStatistics before = storage.walStatistics();
            final long measuredFrom = System.nanoTime();
            final Histogram measured = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
            final Histogram synchronizedMeasured = measured;
            for (final Server s : servers)
            {
                s.histogram = synchronizedMeasured;
            }
            done.await();
            final long last = servers.stream().mapToLong(s -> s.next - 1).max().orElse(0);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < deadline && servers.stream().anyMatch(s -> s.durable < s.next - 1))
            {
                Thread.sleep(1);
            }
            final WalStatistics after = storage.walStatistics();
            final double secs = (System.nanoTime() - measuredFrom) / 1e9;
            final Result r = new Result();
            r.entriesPerSecond = (after.records() - before.records()) / secs;
            r.batchesPerSecond = (after.batches() - before.batches()) / secs;
            r.megabytesPerSecond = (after.bytes() - before.bytes()) / secs / 1e6;
            r.bytesAllocatedPerEntry = Double.NaN;
            r.histogram = measured;
            if (last == 0)
            {
                throw new IllegalStateException("nothing was appended");
            }
            return r;
        }
        finally
        {
            deleteTree(dir);
        }
    }

    private static void openLoop(final List<Server> servers, final int thread, final int threads,
        final double rate, final long start, final long durationNanos)
    {
        // Paced in 200 us ticks: each tick appends (one entry per append call) what is due by then, then parks, so the
        // generators leave the CPU to the WAL writer instead of spinning.
        final List<LogEntry> one = new ArrayList<>(1);
        final long tickNanos = 200_000;
        long sent = 0;
        int cursor = thread;
        while (true)
        {
            final long now = System.nanoTime();
            if (now - start > durationNanos)
            {
                return;
            }
            final long due = (long)((now - start) / 1e9 * rate);
            while (sent < due)
            {
                final Server s = servers.get(cursor);
                cursor += threads;
                if (cursor >= servers.size())
                {
                    cursor = thread;
                }
                one.clear();
                one.add(s.entry(s.next));
                s.appendedAtNanos[(int)(s.next % s.appendedAtNanos.length)] = System.nanoTime();
                s.log.append(one);
                s.next++;
                sent++;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(tickNanos);
        }
    }

    private static double[] fdatasyncBaseline(final Path dir) throws IOException
    {
        Files.createDirectories(dir);
        final Path file = dir.resolve("fsync-probe");
        final int rounds = 300;
        final long[] nanos = new long[rounds];
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file,
            java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE))
        {
            final java.nio.ByteBuffer block = java.nio.ByteBuffer.allocateDirect(4096);
            for (int i = 0; i < rounds; i++)
            {
                block.clear();
                ch.write(block, (long)i * 4096);
                final long t = System.nanoTime();
                ch.force(false);
                nanos[i] = System.nanoTime() - t;
            }
        }
        Files.delete(file);
        java.util.Arrays.sort(nanos);
        return new double[] {nanos[rounds / 2] / 1e6, nanos[rounds * 99 / 100] / 1e6};
    }

    private static Thread findThread(final String name)
    {
        for (final Thread t : Thread.getAllStackTraces().keySet())
        {
            if (t.getName().equals(name))
            {
                return t;
            }
        }
        throw new IllegalStateException("no thread " + name);
    }

    private static void deleteTree(final Path root) throws IOException
    {
        if (!Files.exists(root))
        {
            return;
        }
        try (Stream<Path> walk = Files.walk(root))
        {
            for (final Path p : walk.sorted(Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(p);
            }
        }
    }
}

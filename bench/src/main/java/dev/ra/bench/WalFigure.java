package dev.ra.bench;

import dev.ra.ServerId;
import dev.ra.codec.Bytes;
import dev.ra.log.FileStorage;
import dev.ra.log.WalStatistics;
import dev.ra.protocol.LogEntry;
import dev.ra.protocol.SnapshotMeta;
import dev.ra.protocol.UserCommand;
import dev.ra.spi.LogListener;
import dev.ra.spi.LogStore;
import dev.ra.spi.ServerStorage;
import dev.ra.spi.SnapshotStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * ra-log on its own, without Raft: one {@link FileStorage} (one WAL writer) shared by N writing servers, as on a node
 * that hosts N cluster members.
 *
 * <ul>
 *   <li>{@code wal-throughput}, one line per server count ({@code --wal-servers}, default 1,10,100): a closed loop,
 *       each server keeping up to {@value #WINDOW} un-acknowledged entries in flight as a pipelining leader does,
 *       {@value #MAX_APPEND} per append. Entries, WAL batches (one {@code fdatasync} each) and megabytes per second,
 *       and the bytes allocated per entry on the write path: by the appending threads inside {@code append} plus by
 *       the WAL writer thread ({@code com.sun.management.ThreadMXBean}; the entries
 *       themselves are made by the caller, the Raft core, and not counted).</li>
 *   <li>{@code wal-latency}, one line per rate ({@code --wal-rates}, default {@code half,20000}; {@code half} is half
 *       the throughput measured with the most servers): append→durable latency of an open loop, the most servers,
 *       one entry per append, paced to that many entries per second.</li>
 * </ul>
 *
 * <p>Each entry carries a {@value #PAYLOAD_BYTES}-byte payload. Each run starts from an empty directory, warms up for
 * {@code --warmup} seconds and measures {@code --seconds}; min / median / max over {@code --runs}.
 */
final class WalFigure
{
    private static final int PAYLOAD_BYTES = 100;
    private static final int THREADS = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
    private static final int WINDOW = 8192;
    private static final int MAX_APPEND = 64;
    /** Name of ra-log's WAL writer thread. */
    static final String WAL_WRITER_THREAD = "ra-log-wal-writer";
    /** Bytes of a WAL record of a {@value #PAYLOAD_BYTES}-byte entry, where no run measured it. */
    private static final double DEFAULT_BYTES_PER_ENTRY = 143;
    /** Appends slower than this are attributed to what they waited on ({@link TailAttribution}). */
    private static final double SLOW_APPEND_MS = 2;
    private static final int SETTLE_PROBES = 50;
    private static final long SETTLE_LIMIT_SECONDS = 60;
    private static final long SETTLE_PAUSE_MILLIS = 500;
    /** Entries appended and not yet durable, over all servers, at which a latency run stops as overloaded. */
    private static final long MAX_BACKLOG = 4_000_000;
    /** Appends of a paced thread between two checks of its backlog (a power of two). */
    private static final long BACKLOG_CHECK_EVERY = 16_384;

    private WalFigure()
    {
    }

    /**
     * @param config settings ({@code wal-servers}, {@code wal-rates}, {@code runs}, {@code warmup}, {@code seconds},
     *               {@code sync}, {@code data-dir}, {@code wal-max-mb}).
     * @return the throughput lines, then the latency lines.
     */
    static List<Json> run(final Config config)
    {
        final List<Integer> serverCounts = parseList(config.walServers(), "wal-servers").stream()
            .map(Double::intValue).toList();
        final int latencyServers = serverCounts.stream().mapToInt(Integer::intValue).max().orElseThrow();
        try
        {
            final Path base = null == config.dataDir() ? Files.createTempDirectory("ra-bench-wal") :
                Files.createTempDirectory(Files.createDirectories(config.dataDir()), "ra-bench-wal");
            try
            {
                // Before the throughput runs, not just before the latency runs: the JIT compilers then redo the code
                // that priming throws away while the throughput runs warm up, not during the first latency run.
                TailAttribution.prime();
                final double syncP50Ms = fdatasyncP50Millis(base);
                final List<Json> out = new ArrayList<>();
                double largestRate = 0;
                for (final int servers : serverCounts)
                {
                    final List<Result> results = new ArrayList<>();
                    for (int r = 0; r < config.runs(); r++)
                    {
                        results.add(throughput(base.resolve("tp-" + servers + "-" + r), servers, config));
                    }
                    if (servers == latencyServers)
                    {
                        largestRate = Json.median(results.stream().mapToDouble(Result::entriesPerSecond).sorted()
                            .toArray());
                    }
                    final Json line = base(config, "wal-throughput", servers, syncP50Ms);
                    rates(line, results);
                    line.put("alloc_bytes_per_entry", summary(results, Result::bytesAllocatedPerEntry));
                    out.add(line);
                }
                for (final String rate : config.walRates().split(","))
                {
                    final double target = "half".equals(rate.trim()) ? Math.max(1, Math.round(largestRate / 2)) :
                        parseList(rate, "wal-rates").get(0);
                    final List<Result> results = new ArrayList<>();
                    final List<Double> settleSeconds = new ArrayList<>();
                    for (int r = 0; r < config.runs(); r++)
                    {
                        // What the runs before left on the heap (their storages' memtables) is collected now,
                        // not in this run's window.
                        collectKeepingHeap();
                        settleSeconds.add(awaitQuietDevice(base, syncP50Ms));
                        results.add(latency(base.resolve("lat-" + r), latencyServers, target, config));
                    }
                    final Json line = base(config, "wal-latency", latencyServers, syncP50Ms)
                        .put("target_entries_s", target).put("device_settle_s", settleSeconds);
                    // An overloaded run stopped early and measured nothing: the figures are of the others.
                    final List<Result> completed = results.stream().filter(res -> !res.overloaded()).toList();
                    final List<Result> kept = completed.isEmpty() ? results : completed;
                    rates(line, kept);
                    line.put("p50_ms", summary(kept, res -> res.percentileMs(50)))
                        .put("p99_ms", summary(kept, res -> res.percentileMs(99)))
                        .put("p999_ms", summary(kept, res -> res.percentileMs(99.9)))
                        .put("max_ms", summary(kept, res -> res.latency().getMaxValue() / 1e6))
                        .put("hurried_segment_writes_share", summary(kept, Result::hurriedSegmentShare))
                        .put("segment_files_over_spares_per_share", summary(kept, Result::sparesPerShare))
                        .put("overloaded_runs", results.size() - completed.size())
                        .put("tail", kept.stream().map(Result::tail).toList())
                        .put("timeline", results.stream().map(Result::timeline).toList());
                    out.add(line);
                    if (config.walFloors())
                    {
                        out.addAll(deviceFloor(base, config, latencyServers, target, kept));
                    }
                }
                return out;
            }
            finally
            {
                DirectoryTrees.delete(base);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", ex);
        }
    }

    /**
     * Collect the garbage of the runs before without letting the collector shrink the heap. A full collection gives
     * back what it freed (after the throughput runs: 1.4 GiB in use, 56 MiB committed after, a target of one young
     * region), and the next run then grows the heap again while it warms up: collections took 0.2-0.8 s of each of
     * its first seconds once, the open loop fell behind and never caught up. {@code MaxHeapFreeRatio} is a manageable
     * flag, and stays at 100 for the rest of the harness's run; where it cannot be set the heap may shrink.
     */
    private static void collectKeepingHeap()
    {
        try
        {
            java.lang.management.ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class)
                .setVMOption("MaxHeapFreeRatio", "100");
        }
        catch (final RuntimeException ex)
        {
            Harness.progress("wal: the heap may shrink between runs (MaxHeapFreeRatio: %s)", ex.getMessage());
        }
        System.gc();
    }

    /**
     * The same rate on the disk without ra-log ({@link WalDeviceFloor}): without segments, with every full file
     * rewritten into new segment files per server (ra-log's design), and into reused ones; the mark as configured, the
     * entries as large as ra-log's WAL records were in the runs just made.
     */
    private static List<Json> deviceFloor(final Path base, final Config config, final int servers, final double rate,
        final List<Result> ours) throws IOException
    {
        final double bytesPerEntry = ours.stream().mapToDouble(r -> r.megabytesPerSecond() * 1e6 /
            Math.max(1, r.entriesPerSecond())).average().orElse(DEFAULT_BYTES_PER_ENTRY);
        final int bytes = (int)Math.max(1, Math.round(bytesPerEntry));
        final List<Json> out = new ArrayList<>();
        for (final WalDeviceFloor.Segments segments : WalDeviceFloor.Segments.values())
        {
            final List<WalDeviceFloor.Result> results = new ArrayList<>();
            for (int r = 0; r < config.runs(); r++)
            {
                results.add(WalDeviceFloor.run(base.resolve("floor-" + r), rate, bytes, config.walMaxMb() << 20,
                    segments, servers, config.walMark(), config.warmupSeconds(), config.seconds()));
            }
            out.add(new Json().put("figure", "wal-latency-floor").put("impl", "device")
                .put("segments", segments.name().toLowerCase(java.util.Locale.ROOT)).put("servers", servers)
                .put("wal_mark", config.walMark())
                .put("target_entries_s", rate).put("bytes_per_entry", bytes).put("file_mb", config.walMaxMb())
                .put("runs", config.runs()).put("seconds", config.seconds())
                .put("entries_s", floorSummary(results, WalDeviceFloor.Result::entriesPerSecond))
                .put("fsyncs_s", floorSummary(results, WalDeviceFloor.Result::syncsPerSecond))
                .put("p50_ms", floorSummary(results, res -> res.percentileMs(50)))
                .put("p99_ms", floorSummary(results, res -> res.percentileMs(99)))
                .put("p999_ms", floorSummary(results, res -> res.percentileMs(99.9)))
                .put("max_ms", floorSummary(results, res -> res.latency().getMaxValue() / 1e6)));
        }
        return out;
    }

    private static Json floorSummary(final List<WalDeviceFloor.Result> results,
        final java.util.function.ToDoubleFunction<WalDeviceFloor.Result> value)
    {
        return Json.summary(results.stream().map(r -> Math.round(value.applyAsDouble(r) * 1000) / 1000.0).toList());
    }

    /**
     * ra-log's default, read from the ra-log on the class path when the figure runs: javac copies the constant into
     * this class, so a bench compiled against an earlier ra-log (an incremental build that did not recompile it) would
     * report that one's default while the storage uses the current one.
     */
    static int defaultSegmentMaxEntries()
    {
        try
        {
            return FileStorage.class.getField("DEFAULT_SEGMENT_MAX_ENTRIES").getInt(null);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new IllegalStateException("ra-log has no DEFAULT_SEGMENT_MAX_ENTRIES", ex);
        }
    }

    private static Json base(final Config config, final String figure, final int servers, final double syncP50Ms)
    {
        final Json j = new Json().put("figure", figure).put("impl", "ra-log").put("servers", servers)
            .put("payload_bytes", PAYLOAD_BYTES).put("appending_threads", Math.min(THREADS, servers))
            .put("sync", config.sync().name()).put("wal_mark", config.walMark()).put("wal_max_mb", config.walMaxMb())
            .put("append", config.walAppend())
            .put("snapshot_every", config.walSnapshotEvery()).put("segment_spares", config.walSegmentSpares())
            .put("segment_spare_mb", config.walSegmentSpares() ? spareMb(config) : 0)
            .put("segment_max_entries", config.walSegmentMaxEntries() > 0 ? config.walSegmentMaxEntries() :
                defaultSegmentMaxEntries())
            .put("runs", config.runs())
            .put("seconds", config.seconds()).put("fdatasync_4k_p50_ms", syncP50Ms);
        if (config.unsafe())
        {
            j.put("UNSAFE", "fsync off: acknowledged entries can be lost on a crash");
        }
        return j;
    }

    private static void rates(final Json line, final List<Result> results)
    {
        line.put("entries_s", summary(results, Result::entriesPerSecond))
            .put("fsyncs_s", summary(results, Result::batchesPerSecond))
            .put("mb_s", summary(results, Result::megabytesPerSecond))
            .put("entries_per_fsync", summary(results, r -> r.entriesPerSecond() / Math.max(1, r.batchesPerSecond())));
    }

    private static Json summary(final List<Result> results, final java.util.function.ToDoubleFunction<Result> value)
    {
        return Json.summary(results.stream().map(r -> Math.round(value.applyAsDouble(r) * 1000) / 1000.0).toList());
    }

    private static List<Double> parseList(final String text, final String flag)
    {
        try
        {
            final List<Double> values = Arrays.stream(text.split(",")).map(String::trim).map(Double::parseDouble)
                .toList();
            if (values.isEmpty() || values.stream().anyMatch(v -> v <= 0))
            {
                throw new IllegalArgumentException("--" + flag + " takes positive numbers, got " + text);
            }
            return values;
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("--" + flag + " takes comma-separated numbers, got " + text, ex);
        }
    }

    /**
     * One measured run. The latency histogram is null for throughput runs; the allocation is NaN for latency runs.
     */
    private record Result(double entriesPerSecond, double batchesPerSecond, double megabytesPerSecond,
        double bytesAllocatedPerEntry, double hurriedSegmentShare, double sparesPerShare, Histogram latency, Json tail,
        boolean overloaded, List<Json> timeline)
    {
        static Result of(final WalStatistics before, final WalStatistics after, final double seconds,
            final double bytesAllocatedPerEntry, final Histogram latency, final Json tail, final boolean overloaded,
            final List<Json> timeline)
        {
            final long writes = after.segmentWrites() - before.segmentWrites();
            final long hurried = after.hurriedSegmentWrites() - before.hurriedSegmentWrites();
            final long overSpares = after.segmentFilesOverSpares() - before.segmentFilesOverSpares();
            return new Result((after.records() - before.records()) / seconds,
                (after.batches() - before.batches()) / seconds, (after.bytes() - before.bytes()) / seconds / 1e6,
                bytesAllocatedPerEntry, writes == 0 ? 0 : (double)hurried / writes,
                writes == 0 ? 0 : (double)overSpares / writes, latency, tail, overloaded, timeline);
        }

        double percentileMs(final double percentile)
        {
            return latency.getValueAtPercentile(percentile) / 1e6;
        }
    }

    /** One writing server: its log and its progress. */
    private static final class Server implements LogListener
    {
        final Bytes payload;
        LogStore log;
        SnapshotStore snapshots;
        /** The index of the latest snapshot (before the first: minus its phase), used by the compactor only. */
        long snapshotIndex;
        volatile long durable;
        long next = 1;
        // Latency runs: append times by index (a ring), read in onWritten by the thread that reports durability (the
        // WAL writer's), one at a time: the only one recording into the histogram.
        long[] appendedAtNanos;
        volatile Histogram histogram;
        volatile TailAttribution attribution;
        long reportedUpTo;

        Server(final int id)
        {
            final byte[] data = new byte[PAYLOAD_BYTES];
            data[0] = (byte)id;
            payload = Bytes.wrap(data);
        }

        @Override
        public void onWritten(final long index, final long term)
        {
            final Histogram h = histogram;
            if (null != h)
            {
                final long now = System.nanoTime();
                final TailAttribution tail = attribution;
                for (long i = reportedUpTo + 1; i <= index; i++)
                {
                    final long appendedAt = appendedAtNanos[(int)(i % appendedAtNanos.length)];
                    // Clamped: a wait beyond the histogram's range (10 s) must not throw on the reporting thread.
                    h.recordValue(Math.min(h.getHighestTrackableValue(), Math.max(0, now - appendedAt)));
                    if (null != tail)
                    {
                        tail.record(appendedAt, now);
                    }
                }
                reportedUpTo = index;
            }
            durable = index;
        }

        @Override
        public void onFailure(final Throwable cause)
        {
            Harness.progress("wal: storage failed: %s", cause);
        }

        LogEntry entry(final long index)
        {
            return new LogEntry(index, 1, index, UserCommand.ofData(payload));
        }
    }

    /**
     * Compacts the servers' logs as a state machine's snapshots would ({@code --wal-snapshot-every}): whenever a
     * server has made that many entries durable since its last snapshot, a snapshot (a small state) is written at its
     * last durable index and the log truncated up to it. The storage keeps the two newest snapshots and drops the
     * segments below the older one. On a thread of its own, so that the paced appenders keep their pace.
     *
     * <p>The servers' first snapshots are spread over one interval (server i of n after {@code every × (n - i) / n}
     * entries), as independent clusters' snapshots are: the figure's servers all append at the same pace, and
     * without it all of them would compact at the same moment, freeing a hundred servers' segments at once and then
     * nothing for a whole interval.
     */
    private static final class Compactor implements AutoCloseable
    {
        private static final Bytes STATE = Bytes.wrap(new byte[64]);
        private final Thread thread;
        private final AtomicBoolean stop = new AtomicBoolean();

        Compactor(final List<Server> servers, final long every)
        {
            for (int i = 0; i < servers.size(); i++)
            {
                servers.get(i).snapshotIndex = -every * i / servers.size();
            }
            thread = new Thread(() ->
            {
                while (!stop.get())
                {
                    for (final Server s : servers)
                    {
                        final long durable = s.durable;
                        if (durable - s.snapshotIndex >= every)
                        {
                            s.snapshots.write(new SnapshotMeta(durable, 1, List.of(), 0), STATE);
                            s.log.truncateUpTo(durable);
                            s.snapshotIndex = durable;
                        }
                    }
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
                }
            }, "bench-compactor");
            thread.setDaemon(true);
        }

        static Compactor start(final List<Server> servers, final Config config)
        {
            if (config.walSnapshotEvery() <= 0)
            {
                return null;
            }
            final Compactor c = new Compactor(servers, config.walSnapshotEvery());
            c.thread.start();
            return c;
        }

        @Override
        public void close() throws InterruptedException
        {
            stop.set(true);
            thread.join();
        }
    }

    private static FileStorage storage(final Path dir, final Config config)
    {
        final FileStorage.Builder builder = FileStorage.builder().directory(dir).syncMethod(config.sync())
            .walMaxSizeBytes(config.walMaxMb() << 20).walMark(config.walMark())
            .segmentSpareBytes(config.walSegmentSpares() ? spareMb(config) << 20 : 0);
        if (config.walSegmentMaxEntries() > 0)
        {
            builder.segmentMaxEntries(config.walSegmentMaxEntries());
        }
        return builder.build();
    }

    /** @return the spare pool's bound in MiB: as given, else ra-log's default (twice the WAL file size). */
    private static long spareMb(final Config config)
    {
        return config.walSegmentSpareMb() > 0 ? config.walSegmentSpareMb() : 2 * config.walMaxMb();
    }

    private static List<Server> open(final FileStorage storage, final int count)
    {
        final List<Server> servers = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            final Server s = new Server(i);
            final ServerStorage opened = storage.open(new ServerId("bench-" + i, "node"), s);
            s.log = opened.log();
            s.snapshots = opened.snapshots();
            servers.add(s);
        }
        return servers;
    }

    private static Result throughput(final Path dir, final int count, final Config config)
        throws IOException, InterruptedException
    {
        Harness.progress("wal: throughput, %d servers", count);
        try (FileStorage storage = storage(dir, config))
        {
            final List<Server> servers = open(storage, count);
            try (Compactor ignored = Compactor.start(servers, config))
            {
                return throughput(storage, servers, config);
            }
        }
        finally
        {
            DirectoryTrees.delete(dir);
        }
    }

    private static Result throughput(final FileStorage storage, final List<Server> servers, final Config config)
        throws InterruptedException
    {
        final int count = servers.size();
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
        try
        {
            Driver.sleep(config.warmupSeconds());
            final Thread walThread = findThread(WAL_WRITER_THREAD);
            final com.sun.management.ThreadMXBean mx =
                (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
            final WalStatistics before = storage.walStatistics();
            final long walAllocBefore = mx.getThreadAllocatedBytes(walThread.getId());
            final long start = System.nanoTime();
            measuring.set(true);
            Driver.sleep(config.seconds());
            measuring.set(false);
            final long elapsed = System.nanoTime() - start;
            final WalStatistics after = storage.walStatistics();
            final long walAlloc = mx.getThreadAllocatedBytes(walThread.getId()) - walAllocBefore;
            stop.set(true);
            for (final Thread w : workers)
            {
                w.join();
            }
            final long callerAlloc = Arrays.stream(appendAllocated).sum();
            final long entries = Arrays.stream(appended).sum();
            return Result.of(before, after, elapsed / 1e9, (double)(callerAlloc + walAlloc) / Math.max(1, entries),
                null, null, false, List.of());
        }
        finally
        {
            stop.set(true);
            for (final Thread w : workers)
            {
                w.join();
            }
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

    private static Result latency(final Path dir, final int count, final double entriesPerSecond, final Config config)
        throws IOException, InterruptedException
    {
        Harness.progress("wal: latency, %d servers, %.0f entries/s", count, entriesPerSecond);
        try (FileStorage storage = storage(dir, config))
        {
            final List<Server> servers = open(storage, count);
            try (Compactor ignored = Compactor.start(servers, config))
            {
                final Histogram warmup = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
                for (final Server s : servers)
                {
                    s.appendedAtNanos = new long[1 << 16];
                    s.histogram = warmup;
                }
                final int threads = Math.min(THREADS, count);
                final long warmupNanos = (long)(config.warmupSeconds() * 1e9);
                final long runNanos = (long)(config.seconds() * 1e9);
                final CountDownLatch done = new CountDownLatch(threads);
                final AtomicBoolean overloaded = new AtomicBoolean();
                final long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
                final double perThreadRate = entriesPerSecond / threads;
                for (int t = 0; t < threads; t++)
                {
                    final int thread = t;
                    new Thread(() ->
                    {
                        try
                        {
                            openLoop(servers, thread, threads, perThreadRate, start, warmupNanos + runNanos,
                                overloaded, "due".equals(config.walAppend()));
                        }
                        finally
                        {
                            // Also when the storage failed and append threw: the run then ends instead of hanging.
                            done.countDown();
                        }
                    }, "bench-paced-" + t).start();
                }
                final WalTimeline timeline = new WalTimeline(
                    () -> servers.stream().mapToLong(s -> s.next - 1).sum(),
                    () -> servers.stream().mapToLong(s -> s.durable).sum(), storage::walStatistics);
                final Thread sampler = timeline.start(done);
                // What was recorded during the warm-up is dropped: the WAL writer thread records into whichever
                // histogram each server holds, so every server gets a fresh one at the warm-up's end.
                Driver.sleep(Math.max(0, (start + warmupNanos - System.nanoTime()) / 1e9));
                final WalStatistics before = storage.walStatistics();
                final long measuredFrom = System.nanoTime();
                final Histogram measured = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
                final TailAttribution tail = TailAttribution.start(SLOW_APPEND_MS);
                for (final Server s : servers)
                {
                    s.attribution = tail;
                    s.histogram = measured;
                }
                if (!done.await(runNanos + TimeUnit.SECONDS.toNanos(60), TimeUnit.NANOSECONDS))
                {
                    sampler.interrupt();
                    throw new IllegalStateException("the paced appenders did not finish");
                }
                sampler.join();
                final long last = servers.stream().mapToLong(s -> s.next - 1).max().orElse(0);
                if (last == 0)
                {
                    throw new IllegalStateException("nothing was appended");
                }
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (System.nanoTime() < deadline && servers.stream().anyMatch(s -> s.durable < s.next - 1))
                {
                    Thread.sleep(1);
                }
                final WalStatistics after = storage.walStatistics();
                for (final Server s : servers)
                {
                    s.attribution = null;
                }
                try (tail)
                {
                    return Result.of(before, after, (System.nanoTime() - measuredFrom) / 1e9, Double.NaN, measured,
                        tail.report(), overloaded.get(), timeline.seconds());
                }
            }
        }
        finally
        {
            DirectoryTrees.delete(dir);
        }
    }

    private static void openLoop(final List<Server> servers, final int thread, final int threads,
        final double rate, final long start, final long durationNanos, final AtomicBoolean overloaded,
        final boolean dueInOneCall)
    {
        // Paced in 200 us ticks: each tick appends what is due by then, then parks, so the generators leave the CPU to
        // the WAL writer instead of spinning. Either one entry per append call, server after server, or (dueInOneCall)
        // each server's share of what is due in one call, as a Raft server appends what one drain accepted.
        final List<LogEntry> batch = new ArrayList<>(MAX_APPEND);
        final int ownServers = (servers.size() - thread + threads - 1) / threads;
        final long tickNanos = 200_000;
        long sent = 0;
        long checkedAt = -BACKLOG_CHECK_EVERY;
        int cursor = thread;
        while (true)
        {
            final long now = System.nanoTime();
            if (now - start > durationNanos || overloaded.get())
            {
                return;
            }
            final long due = (long)((now - start) / 1e9 * rate);
            while (sent < due)
            {
                // Counted in appends, not ticks: a thread far behind its schedule stays in this loop for seconds.
                if (sent - checkedAt >= BACKLOG_CHECK_EVERY)
                {
                    checkedAt = sent;
                    if (overloaded(servers, thread, threads, overloaded))
                    {
                        return;
                    }
                }
                final Server s = servers.get(cursor);
                cursor += threads;
                if (cursor >= servers.size())
                {
                    cursor = thread;
                }
                final int n = dueInOneCall ?
                    (int)Math.min(MAX_APPEND, Math.max(1, (due - sent + ownServers - 1) / ownServers)) : 1;
                batch.clear();
                final long appendedAt = System.nanoTime();
                for (int k = 0; k < n; k++)
                {
                    batch.add(s.entry(s.next + k));
                    s.appendedAtNanos[(int)((s.next + k) % s.appendedAtNanos.length)] = appendedAt;
                }
                s.log.append(batch);
                s.next += n;
                sent += n;
            }
            LockSupport.parkNanos(tickNanos);
        }
    }

    /**
     * An open loop has no flow control: a storage that cannot keep up would otherwise hold ever more entries in memory
     * until the heap runs out. Past {@link #MAX_BACKLOG} the run ends and is reported as overloaded.
     */
    private static boolean overloaded(final List<Server> servers, final int thread, final int threads,
        final AtomicBoolean overloaded)
    {
        if (overloaded.get() || backlog(servers, thread, threads) > MAX_BACKLOG / threads)
        {
            overloaded.set(true);
            return true;
        }
        return false;
    }

    private static long backlog(final List<Server> servers, final int thread, final int threads)
    {
        long backlog = 0;
        for (int i = thread; i < servers.size(); i += threads)
        {
            final Server s = servers.get(i);
            backlog += s.next - 1 - s.durable;
        }
        return backlog;
    }

    /**
     * @return the p50 of a 4 KiB write plus {@code fdatasync} in the data directory, for context (the floor figure
     *     measures this and more).
     */
    private static double fdatasyncP50Millis(final Path dir) throws IOException
    {
        return fdatasyncP50Millis(dir, 300);
    }

    /**
     * Wait until a 4 KiB {@code fdatasync} takes about as long as it did before the figure started (its p50 over 50
     * within twice that, or 0.1 ms above it), at most {@link #SETTLE_LIMIT_SECONDS}. The run before leaves gigabytes
     * of deleted files whose freed blocks the file system may still discard; a latency run must not measure that
     * clean-up. (On the machine of docs/benchmarks.md the device was quiet within 0.1 s every time: the first run's
     * falling behind, once suspected of this, was JFR's, see {@link TailAttribution#prime()}.)
     *
     * @return the seconds waited.
     */
    private static double awaitQuietDevice(final Path dir, final double quietP50Ms)
        throws IOException, InterruptedException
    {
        final long start = System.nanoTime();
        final double limitMs = Math.max(2 * quietP50Ms, quietP50Ms + 0.1);
        double p50 = fdatasyncP50Millis(dir, SETTLE_PROBES);
        while (p50 > limitMs && System.nanoTime() - start < TimeUnit.SECONDS.toNanos(SETTLE_LIMIT_SECONDS))
        {
            Thread.sleep(SETTLE_PAUSE_MILLIS);
            p50 = fdatasyncP50Millis(dir, SETTLE_PROBES);
        }
        final double waited = Math.round((System.nanoTime() - start) / 1e7) / 100.0;
        Harness.progress("wal: device settled in %.2f s (fdatasync p50 %.3f ms, quiet %.3f ms)", waited, p50,
            quietP50Ms);
        return waited;
    }

    private static double fdatasyncP50Millis(final Path dir, final int rounds) throws IOException
    {
        final Path file = dir.resolve("fsync-probe");
        final long[] nanos = new long[rounds];
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE))
        {
            final ByteBuffer block = ByteBuffer.allocateDirect(4096);
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
        Arrays.sort(nanos);
        return Math.round(nanos[rounds / 2] / 1e3) / 1000.0;
    }

    private static Thread findThread(final String name)
    {
        final Thread t = threadNamed(name);
        if (null == t)
        {
            throw new IllegalStateException("no thread named " + name + " (ra-log's WAL writer)");
        }
        return t;
    }

    private static Thread threadNamed(final String name)
    {
        for (final Thread t : Thread.getAllStackTraces().keySet())
        {
            if (t.getName().equals(name))
            {
                return t;
            }
        }
        return null;
    }
}

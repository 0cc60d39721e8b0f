package dev.ra.bench;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import dev.ra.log.WalStatistics;

/**
 * A {@code wal} latency run second by second, from its start (warm-up included): entries appended and made durable in
 * that second, the backlog at its end, the WAL's batches, the servers' shares written into segments (and how many in a
 * hurry), the appends that waited for room in the WAL, the collector's and the JIT compilers' time, and the processor
 * time of the JVM, of the WAL writer and of the segment writer's threads (in percent of one core). A run that falls
 * behind shows here when and on what it fell behind, which the run's percentiles cannot say.
 */
final class WalTimeline
{
    private static final String PROGRESS = "wal:   t %5.1f s  appended %8d  durable %8d  backlog %8d  batches %5d  " +
        "shares %4d (hurried %4d, over spares %4d)  room waits %4d  gc %4d ms  jit %4d ms  cpu %5.1f %%, " +
        "wal writer %5.1f %%, segment writer %5.1f %%";

    private final LongSupplier appended;
    private final LongSupplier durable;
    private final Supplier<WalStatistics> statistics;
    private final List<Json> seconds = new ArrayList<>();
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();

    /**
     * @param appended   entries appended so far, over all servers.
     * @param durable    entries durable so far, over all servers.
     * @param statistics the storage's WAL counters.
     */
    WalTimeline(final LongSupplier appended, final LongSupplier durable, final Supplier<WalStatistics> statistics)
    {
        this.appended = appended;
        this.durable = durable;
        this.statistics = statistics;
    }

    /**
     * Sample once a second, on a thread of its own, until {@code done} opens.
     *
     * @return the sampling thread; join it before reading {@link #seconds()}.
     */
    Thread start(final CountDownLatch done)
    {
        final Thread thread = new Thread(() ->
        {
            try
            {
                sampleUntil(done);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }, "bench-wal-timeline");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private void sampleUntil(final CountDownLatch done) throws InterruptedException
    {
        final long start = System.nanoTime();
        Reading last = read(start);
        while (true)
        {
            final boolean finished = done.await(1, TimeUnit.SECONDS);
            final Reading now = read(System.nanoTime());
            final Json second = now.since(last, start);
            synchronized (seconds)
            {
                seconds.add(second);
            }
            Harness.progress(PROGRESS, second.get("t_s"), second.get("appended"), second.get("durable"),
                second.get("backlog"), second.get("batches"), second.get("segment_shares"), second.get("hurried"),
                second.get("over_spares"), second.get("room_waits"), second.get("gc_ms"), second.get("jit_ms"),
                second.get("cpu_pct"), second.get("wal_writer_cpu_pct"), second.get("segment_writer_cpu_pct"));
            last = now;
            if (finished)
            {
                return;
            }
        }
    }

    private Reading read(final long at)
    {
        return new Reading(at, appended.getAsLong(), durable.getAsLong(), statistics.get(), gcMillis(), jitMillis(),
            cpuNanos());
    }

    /** The counters at one moment; {@code cpu}: the JVM's, the WAL writer's and the segment writer's nanoseconds. */
    private record Reading(long at, long appended, long durable, WalStatistics wal, long gcMs, long jitMs, long[] cpu)
    {
        Json since(final Reading last, final long start)
        {
            final double[] cpuPct = new double[cpu.length];
            for (int i = 0; i < cpu.length; i++)
            {
                // At least 0: a thread that ended took its time out of the sum.
                cpuPct[i] = Math.max(0, Math.round(1000.0 * (cpu[i] - last.cpu[i]) / Math.max(1, at - last.at)) / 10.0);
            }
            return new Json().put("t_s", Math.round((at - start) / 1e8) / 10.0)
                .put("appended", appended - last.appended).put("durable", durable - last.durable)
                .put("backlog", appended - durable).put("batches", wal.batches() - last.wal.batches())
                .put("segment_shares", wal.segmentWrites() - last.wal.segmentWrites())
                .put("hurried", wal.hurriedSegmentWrites() - last.wal.hurriedSegmentWrites())
                .put("over_spares", wal.segmentFilesOverSpares() - last.wal.segmentFilesOverSpares())
                .put("room_waits", wal.backPressureWaits() - last.wal.backPressureWaits())
                .put("gc_ms", gcMs - last.gcMs).put("jit_ms", jitMs - last.jitMs).put("cpu_pct", cpuPct[0])
                .put("wal_writer_cpu_pct", cpuPct[1]).put("segment_writer_cpu_pct", cpuPct[2]);
        }
    }

    /** @return the seconds sampled, in order (after the sampling thread ended). */
    List<Json> seconds()
    {
        synchronized (seconds)
        {
            return List.copyOf(seconds);
        }
    }

    /** @return processor nanoseconds so far: the JVM's, the WAL writer's, the segment writer's threads'. */
    private long[] cpuNanos()
    {
        final long process = ((com.sun.management.OperatingSystemMXBean)ManagementFactory.getOperatingSystemMXBean())
            .getProcessCpuTime();
        long wal = 0;
        long segments = 0;
        for (final ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds()))
        {
            if (null == info)
            {
                continue;
            }
            final String name = info.getThreadName();
            if (name.startsWith(WalFigure.WAL_WRITER_THREAD))
            {
                wal += Math.max(0, threads.getThreadCpuTime(info.getThreadId()));
            }
            else if (name.startsWith("ra-log-segment-"))
            {
                segments += Math.max(0, threads.getThreadCpuTime(info.getThreadId()));
            }
        }
        return new long[] {process, wal, segments};
    }

    /** @return milliseconds the JIT compilers have spent so far, 0 where the JVM does not say. */
    private static long jitMillis()
    {
        final java.lang.management.CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        return null != jit && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : 0;
    }

    private static long gcMillis()
    {
        long total = 0;
        for (final GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans())
        {
            total += Math.max(0, gc.getCollectionTime());
        }
        return total;
    }
}

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
        long lastAppended = appended.getAsLong();
        long lastDurable = durable.getAsLong();
        WalStatistics last = statistics.get();
        long lastGcMs = gcMillis();
        long lastJitMs = jitMillis();
        long[] lastCpu = cpuNanos();
        long lastAt = start;
        while (true)
        {
            final boolean finished = done.await(1, TimeUnit.SECONDS);
            final long nowAppended = appended.getAsLong();
            final long nowDurable = durable.getAsLong();
            final WalStatistics now = statistics.get();
            final long gcMs = gcMillis();
            final long jitMs = jitMillis();
            final long[] cpu = cpuNanos();
            final long at = System.nanoTime();
            final double[] cpuPct = new double[cpu.length];
            for (int i = 0; i < cpu.length; i++)
            {
                // At least 0: a thread that ended took its time out of the sum.
                cpuPct[i] = Math.max(0, Math.round(1000.0 * (cpu[i] - lastCpu[i]) / Math.max(1, at - lastAt)) / 10.0);
            }
            final double t = Math.round((System.nanoTime() - start) / 1e8) / 10.0;
            final Json second = new Json().put("t_s", t).put("appended", nowAppended - lastAppended)
                .put("durable", nowDurable - lastDurable).put("backlog", nowAppended - nowDurable)
                .put("batches", now.batches() - last.batches())
                .put("segment_shares", now.segmentWrites() - last.segmentWrites())
                .put("hurried", now.hurriedSegmentWrites() - last.hurriedSegmentWrites())
                .put("over_spares", now.segmentFilesOverSpares() - last.segmentFilesOverSpares())
                .put("room_waits", now.backPressureWaits() - last.backPressureWaits())
                .put("gc_ms", gcMs - lastGcMs).put("jit_ms", jitMs - lastJitMs).put("cpu_pct", cpuPct[0])
                .put("wal_writer_cpu_pct", cpuPct[1]).put("segment_writer_cpu_pct", cpuPct[2]);
            synchronized (seconds)
            {
                seconds.add(second);
            }
            Harness.progress(PROGRESS, t, nowAppended - lastAppended, nowDurable - lastDurable,
                nowAppended - nowDurable, second.get("batches"), second.get("segment_shares"), second.get("hurried"),
                second.get("over_spares"), second.get("room_waits"), gcMs - lastGcMs, jitMs - lastJitMs, cpuPct[0],
                cpuPct[1], cpuPct[2]);
            lastAppended = nowAppended;
            lastDurable = nowDurable;
            last = now;
            lastGcMs = gcMs;
            lastJitMs = jitMs;
            lastCpu = cpu;
            lastAt = at;
            if (finished)
            {
                return;
            }
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
            if (name.startsWith("ra-log-wal-writer"))
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

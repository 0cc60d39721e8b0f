package dev.ra.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where the slow appends of a WAL latency run waited: a JFR recording of the run (GC pauses, other VM operations,
 * every {@code fdatasync} with its file, slow file writes) set against the intervals of the appends that took longer
 * than a threshold from append to durable.
 *
 * <p>Each slow append is charged to the cause that covers most of its wait: a GC pause, another VM operation (a
 * safepoint), the WAL file's sync (or a write of the WAL writer slower than a millisecond: page-cache write-back
 * throttling it), the WAL mark's sync, the segment writer's threads' I/O (segments, spare WAL files), another sync
 * (directories, rollover), or none of these ({@code unexplained}: the writer thread was runnable but not running, or
 * waited on something JFR does not see, such as write-back inside a write call shorter than the file-write
 * threshold). Stalls are slow appends merged where their waits overlap, so one 50 ms stall counts once however many
 * appends it held.
 */
final class TailAttribution implements AutoCloseable
{
    /** What a slow append waited on. */
    enum Cause
    {
        GC_PAUSE, VM_OPERATION, WAL_SYNC, MARK_SYNC, SEGMENT_WRITER_IO, OTHER_SYNC, UNEXPLAINED
    }

    private static final int MAX_SLOW = 1 << 20;
    private static final Duration SLOW_WRITE = Duration.ofMillis(1);
    /** A whole word of a file name of hexadecimal digits, at least one of them decimal ("3", "00a3", not "meta"). */
    private static final Pattern NUMBER = Pattern.compile("(?<![0-9A-Za-z])[0-9a-f]*[0-9][0-9a-f]*(?![0-9A-Za-z])");
    private static boolean primed;

    private final long thresholdNanos;
    private final Recording recording;
    private final long originNanos;
    private final Instant originInstant;
    private final long[] slowStart = new long[MAX_SLOW];
    private final long[] slowEnd = new long[MAX_SLOW];
    private int slowCount;
    private final java.util.concurrent.atomic.LongAdder appends = new java.util.concurrent.atomic.LongAdder();

    private TailAttribution(final long thresholdNanos)
    {
        this.thresholdNanos = thresholdNanos;
        recording = configured(new Recording());
        recording.setToDisk(true);
        originInstant = Instant.now();
        originNanos = System.nanoTime();
        recording.start();
    }

    private static Recording configured(final Recording recording)
    {
        recording.enable("jdk.GCPhasePause").withThreshold(Duration.ZERO);
        recording.enable("jdk.ExecuteVMOperation").withThreshold(Duration.ofMillis(1));
        recording.enable("jdk.FileForce").withThreshold(Duration.ZERO).withStackTrace();
        recording.enable("jdk.FileWrite").withThreshold(SLOW_WRITE);
        return recording;
    }

    /**
     * Start and stop a recording of the same events once in this JVM, before anything is measured. The first
     * recording that enables file events instruments the JDK's file classes, which throws away the compiled code that
     * calls them: started at the beginning of a measured window, that stalled the WAL writer and the segment writer
     * long enough for the first latency run at half the WAL's throughput to fall seconds behind (every time, while
     * the runs after it kept up).
     */
    static synchronized void prime()
    {
        if (primed)
        {
            return;
        }
        try (Recording recording = configured(new Recording()))
        {
            recording.start();
            recording.stop();
        }
        primed = true;
    }

    /**
     * @param thresholdMillis appends slower than this are attributed.
     * @return a running attribution.
     */
    static TailAttribution start(final double thresholdMillis)
    {
        return new TailAttribution((long)(thresholdMillis * 1e6));
    }

    /**
     * An append became durable (or a command completed). Thread-safe; only slow ones take a lock.
     *
     * @param appendedNanos when it was appended ({@link System#nanoTime()}).
     * @param durableNanos  when it was reported durable.
     */
    void record(final long appendedNanos, final long durableNanos)
    {
        appends.increment();
        if (durableNanos - appendedNanos > thresholdNanos)
        {
            synchronized (this)
            {
                if (slowCount < MAX_SLOW)
                {
                    slowStart[slowCount] = appendedNanos;
                    slowEnd[slowCount] = durableNanos;
                    slowCount++;
                }
            }
        }
    }

    /**
     * Stop recording and attribute.
     *
     * @return the breakdown: appends over the threshold by cause, stalls by cause, the longest syncs and pauses.
     */
    synchronized Json report()
    {
        recording.stop();
        final List<Span> spans = new ArrayList<>();
        final Map<String, Double> otherSyncMs = new java.util.TreeMap<>();
        try
        {
            final Path file = Files.createTempFile("ra-bench-tail", ".jfr");
            try
            {
                recording.dump(file);
                for (final RecordedEvent e : RecordingFile.readAllEvents(file))
                {
                    final Cause cause = causeOf(e);
                    if (null != cause)
                    {
                        spans.add(new Span(toNanos(e.getStartTime()), toNanos(e.getEndTime()), cause));
                    }
                    if (Cause.OTHER_SYNC == cause)
                    {
                        otherSyncMs.merge(fileKind(e.getString("path")), e.getDuration().toNanos() / 1e6, Double::sum);
                    }
                }
            }
            finally
            {
                Files.deleteIfExists(file);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        spans.sort((a, b) -> Long.compare(a.start, b.start));
        final Map<Cause, Long> appendsByCause = new EnumMap<>(Cause.class);
        for (int i = 0; i < slowCount; i++)
        {
            appendsByCause.merge(dominantCause(spans, slowStart[i], slowEnd[i]), 1L, Long::sum);
        }
        final Map<Cause, Long> stallsByCause = new EnumMap<>(Cause.class);
        final List<long[]> stalls = stalls();
        long longestStall = 0;
        for (final long[] s : stalls)
        {
            stallsByCause.merge(dominantCause(spans, s[0], s[1]), 1L, Long::sum);
            longestStall = Math.max(longestStall, s[1] - s[0]);
        }
        final Map<Cause, Long> longest = new EnumMap<>(Cause.class);
        final Map<Cause, Long> totals = new EnumMap<>(Cause.class);
        for (final Span s : spans)
        {
            longest.merge(s.cause, s.end - s.start, Math::max);
            totals.merge(s.cause, s.end - s.start, Long::sum);
        }
        return new Json().put("threshold_ms", thresholdNanos / 1e6).put("appends", appends.sum())
            .put("slow_appends", slowCount).put("slow_appends_by_cause", names(appendsByCause, 1))
            .put("stalls", stalls.size()).put("stalls_by_cause", names(stallsByCause, 1))
            .put("longest_stall_ms", round(longestStall / 1e6))
            .put("longest_ms_by_kind", names(longest, 1e-6)).put("total_ms_by_kind", names(totals, 1e-6))
            .put("other_sync_ms_by_file", otherFiles(otherSyncMs))
            .put("capped", slowCount == MAX_SLOW);
    }

    @Override
    public void close()
    {
        recording.close();
    }

    private static Json names(final Map<Cause, Long> values, final double scale)
    {
        final Json out = new Json();
        values.forEach((k, v) -> out.put(k.name().toLowerCase(Locale.ROOT),
            scale == 1 ? (Object)v : (Object)round(v * scale)));
        return out;
    }

    private static Json otherFiles(final Map<String, Double> millis)
    {
        final Json out = new Json();
        millis.forEach((k, v) -> out.put(k, round(v)));
        return out;
    }

    private static double round(final double v)
    {
        return Math.round(v * 1000) / 1000.0;
    }

    private long toNanos(final Instant instant)
    {
        return originNanos + Duration.between(originInstant, instant).toNanos();
    }

    /** Slow appends whose waits overlap, merged. */
    private List<long[]> stalls()
    {
        final Integer[] order = new Integer[slowCount];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, (a, b) -> Long.compare(slowStart[a], slowStart[b]));
        final List<long[]> out = new ArrayList<>();
        long[] current = null;
        for (final int i : order)
        {
            if (null != current && slowStart[i] <= current[1])
            {
                current[1] = Math.max(current[1], slowEnd[i]);
            }
            else
            {
                current = new long[] {slowStart[i], slowEnd[i]};
                out.add(current);
            }
        }
        return out;
    }

    private static Cause dominantCause(final List<Span> spans, final long from, final long to)
    {
        final long[] covered = new long[Cause.values().length];
        // Spans are sorted by start; the longest one is well under a second, so start the scan a second early.
        int lo = 0;
        int hi = spans.size();
        final long scanFrom = from - 1_000_000_000L;
        while (lo < hi)
        {
            final int mid = (lo + hi) >>> 1;
            if (spans.get(mid).start < scanFrom)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        for (int i = lo; i < spans.size() && spans.get(i).start < to; i++)
        {
            final Span s = spans.get(i);
            final long overlap = Math.min(to, s.end) - Math.max(from, s.start);
            if (overlap > 0)
            {
                covered[s.cause.ordinal()] += overlap;
            }
        }
        Cause best = Cause.UNEXPLAINED;
        // A cause must cover at least a tenth of the wait to be charged with it.
        long bestCovered = (to - from) / 10;
        for (final Cause c : Cause.values())
        {
            if (covered[c.ordinal()] > bestCovered)
            {
                best = c;
                bestCovered = covered[c.ordinal()];
            }
        }
        return best;
    }

    private static Cause causeOf(final RecordedEvent e)
    {
        final String type = e.getEventType().getName();
        switch (type)
        {
            case "jdk.GCPhasePause":
                return Cause.GC_PAUSE;
            case "jdk.ExecuteVMOperation":
                return e.getBoolean("safepoint") && !e.getString("operation").contains("GC") &&
                    !e.getString("operation").contains("Collect") ? Cause.VM_OPERATION : null;
            case "jdk.FileForce":
            case "jdk.FileWrite":
                return ioCause(e, "jdk.FileForce".equals(type));
            default:
                return null;
        }
    }

    /**
     * @param path of a synced file, as JFR recorded it; null when JFR does not know it (a channel not opened by path).
     * @return the kind of file, numbers (decimal or hexadecimal, as snapshot and segment names are) stripped so that
     *         the files of one kind add up: "00000003.wal.spare" -> "#.wal.spare", "00a3-0f1.snapshot" ->
     *         "#-#.snapshot"; "unknown" without a path.
     */
    static String fileKind(final String path)
    {
        if (null == path)
        {
            return "unknown";
        }
        return NUMBER.matcher(String.valueOf(Path.of(path).getFileName())).replaceAll("#");
    }

    private static Cause ioCause(final RecordedEvent e, final boolean sync)
    {
        final String path = e.getString("path");
        final RecordedThread thread = e.getThread();
        final String threadName = null == thread ? "" : String.valueOf(thread.getJavaName());
        final String name = null == path ? "" : Path.of(path).getFileName().toString();
        if (threadName.contains("segment") || name.endsWith(".segment"))
        {
            return Cause.SEGMENT_WRITER_IO;
        }
        if (!sync)
        {
            // A slow write on the WAL writer's thread: page-cache write-back throttling the writer.
            return threadName.contains("wal") ? Cause.WAL_SYNC : null;
        }
        if (name.equals("wal.mark"))
        {
            return Cause.MARK_SYNC;
        }
        if (name.endsWith(".wal"))
        {
            return Cause.WAL_SYNC;
        }
        return Cause.OTHER_SYNC;
    }

    private record Span(long start, long end, Cause cause)
    {
    }
}

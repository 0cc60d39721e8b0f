package dev.ra.stats;

import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * A latency histogram with fixed buckets (1-2-5 steps from 10 µs to 10 s, then the overflow), for monitoring. Recording
 * takes a few comparisons and two uncontended adds: no lock, no allocation. Any thread may record and read; a snapshot
 * taken while others record may be off by the records in flight.
 *
 * <p>The buckets are the same for every histogram, so that exporters can publish them as cumulative
 * {@code le} buckets (a Prometheus histogram) and sum them across servers and nodes.
 */
public final class LatencyHistogram
{
    private static final long MICRO = 1_000L;
    private static final long MILLI = 1_000_000L;
    private static final long SECOND = 1_000_000_000L;

    /** Upper bounds (inclusive) of the buckets in nanoseconds; the last bucket takes everything above. */
    private static final long[] BOUNDS_NANOS = {
        10 * MICRO, 20 * MICRO, 50 * MICRO, 100 * MICRO, 200 * MICRO, 500 * MICRO,
        MILLI, 2 * MILLI, 5 * MILLI, 10 * MILLI, 20 * MILLI, 50 * MILLI, 100 * MILLI, 200 * MILLI, 500 * MILLI,
        SECOND, 2 * SECOND, 5 * SECOND, 10 * SECOND,
    };
    private static final List<Long> UPPER_BOUNDS = boundsAsList();

    private final LongAdder[] buckets = new LongAdder[BOUNDS_NANOS.length + 1];
    private final LongAdder totalNanos = new LongAdder();

    /**
     * An empty histogram.
     */
    public LatencyHistogram()
    {
        for (int i = 0; i < buckets.length; i++)
        {
            buckets[i] = new LongAdder();
        }
    }

    /**
     * @return the upper bounds (inclusive) of the buckets in nanoseconds, ascending; a snapshot has one more count,
     *     for the values above the last bound.
     */
    public static List<Long> upperBoundsNanos()
    {
        return UPPER_BOUNDS;
    }

    /**
     * Count one duration.
     *
     * @param nanos how long it took; a negative value (a clock that went back) counts as 0.
     */
    public void record(final long nanos)
    {
        final long value = Math.max(0, nanos);
        int i = 0;
        while (i < BOUNDS_NANOS.length && value > BOUNDS_NANOS[i])
        {
            i++;
        }
        buckets[i].increment();
        totalNanos.add(value);
    }

    /**
     * @return the counts so far.
     */
    public LatencySnapshot snapshot()
    {
        final long[] counts = new long[buckets.length];
        long count = 0;
        for (int i = 0; i < counts.length; i++)
        {
            counts[i] = buckets[i].sum();
            count += counts[i];
        }
        return new LatencySnapshot(count, totalNanos.sum(), counts);
    }

    private static List<Long> boundsAsList()
    {
        final Long[] bounds = new Long[BOUNDS_NANOS.length];
        for (int i = 0; i < bounds.length; i++)
        {
            bounds[i] = BOUNDS_NANOS[i];
        }
        return List.of(bounds);
    }
}

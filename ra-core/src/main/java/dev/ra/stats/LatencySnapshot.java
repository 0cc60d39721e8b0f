package dev.ra.stats;

import java.util.Arrays;
import java.util.List;

/**
 * The counts of a {@link LatencyHistogram} at one moment.
 *
 * @param count      durations recorded.
 * @param totalNanos their sum, in nanoseconds.
 * @param counts     per bucket (not cumulative), in the order of {@link LatencyHistogram#upperBoundsNanos()}, then
 *                   the count above the last bound.
 */
public record LatencySnapshot(long count, long totalNanos, long[] counts)
{
    /** A snapshot with nothing recorded. */
    public static final LatencySnapshot EMPTY = new LatencySnapshot(0, 0,
        new long[LatencyHistogram.upperBoundsNanos().size() + 1]);

    /**
     * Copies the counts; there must be one per bucket.
     */
    public LatencySnapshot
    {
        if (counts.length != LatencyHistogram.upperBoundsNanos().size() + 1)
        {
            throw new IllegalArgumentException("a latency snapshot has " +
                (LatencyHistogram.upperBoundsNanos().size() + 1) + " bucket counts, not " + counts.length);
        }
        counts = counts.clone();
    }

    /**
     * @return the counts per bucket (a copy).
     */
    @Override
    public long[] counts()
    {
        return counts.clone();
    }

    /**
     * @param bucket index into {@link LatencyHistogram#upperBoundsNanos()}.
     * @return the durations at most that bucket's upper bound (a Prometheus {@code le} bucket).
     */
    public long countAtMost(final int bucket)
    {
        long sum = 0;
        for (int i = 0; i <= bucket; i++)
        {
            sum += counts[i];
        }
        return sum;
    }

    /**
     * @param fraction between 0 and 1, e.g. 0.99.
     * @return the upper bound of the bucket holding that quantile, in nanoseconds (an upper estimate), or
     *     {@link Long#MAX_VALUE} if it lies above the last bound; 0 when nothing was recorded.
     */
    public long quantileUpperBoundNanos(final double fraction)
    {
        if (count == 0)
        {
            return 0;
        }
        final long rank = (long)Math.ceil(fraction * count);
        final List<Long> bounds = LatencyHistogram.upperBoundsNanos();
        long seen = 0;
        for (int i = 0; i < bounds.size(); i++)
        {
            seen += counts[i];
            if (seen >= rank)
            {
                return bounds.get(i);
            }
        }
        return Long.MAX_VALUE;
    }

    @Override
    public boolean equals(final Object other)
    {
        return other instanceof LatencySnapshot that && count == that.count && totalNanos == that.totalNanos &&
            Arrays.equals(counts, that.counts);
    }

    @Override
    public int hashCode()
    {
        return Long.hashCode(count) * 31 + Arrays.hashCode(counts);
    }

    @Override
    public String toString()
    {
        return "LatencySnapshot[count=" + count + ", totalNanos=" + totalNanos + ", counts=" + Arrays.toString(counts) +
            "]";
    }
}

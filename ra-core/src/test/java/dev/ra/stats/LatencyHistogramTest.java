package dev.ra.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.RaTimeoutException;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LatencyHistogramTest
{
    @Test
    void eachDurationLandsInTheFirstBucketWhoseBoundHoldsIt()
    {
        final long seed = System.nanoTime();
        final Random random = new Random(seed);
        final List<Long> bounds = LatencyHistogram.upperBoundsNanos();
        final LatencyHistogram histogram = new LatencyHistogram();
        final long[] expected = new long[bounds.size() + 1];
        long total = 0;
        for (int i = 0; i < 10_000; i++)
        {
            final long nanos = (long)Math.pow(10, random.nextDouble() * 11);
            histogram.record(nanos);
            total += nanos;
            int bucket = 0;
            while (bucket < bounds.size() && nanos > bounds.get(bucket))
            {
                bucket++;
            }
            expected[bucket]++;
        }
        final LatencySnapshot snapshot = histogram.snapshot();
        assertThat(snapshot.counts()).as("seed " + seed).containsExactly(expected);
        assertThat(snapshot.count()).isEqualTo(10_000);
        assertThat(snapshot.totalNanos()).isEqualTo(total);
        assertThat(snapshot.countAtMost(bounds.size() - 1) + expected[bounds.size()]).isEqualTo(10_000);
    }

    @Test
    void boundsAreInclusiveAndNegativeDurationsCountAsZero()
    {
        final LatencyHistogram histogram = new LatencyHistogram();
        histogram.record(10_000);
        histogram.record(-5);
        histogram.record(10_001);
        final LatencySnapshot snapshot = histogram.snapshot();
        assertThat(snapshot.countAtMost(0)).isEqualTo(2);
        assertThat(snapshot.countAtMost(1)).isEqualTo(3);
        assertThat(snapshot.totalNanos()).isEqualTo(20_001);
    }

    @Test
    void quantileIsTheUpperBoundOfItsBucket()
    {
        final LatencyHistogram histogram = new LatencyHistogram();
        assertThat(histogram.snapshot().quantileUpperBoundNanos(0.99)).isZero();
        for (int i = 0; i < 99; i++)
        {
            histogram.record(150_000);
        }
        histogram.record(3_000_000_000L);
        assertThat(histogram.snapshot().quantileUpperBoundNanos(0.5)).isEqualTo(200_000);
        assertThat(histogram.snapshot().quantileUpperBoundNanos(1.0)).isEqualTo(5_000_000_000L);
        histogram.record(60_000_000_000L);
        assertThat(histogram.snapshot().quantileUpperBoundNanos(1.0)).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void aSnapshotWithTheWrongNumberOfBucketsIsRefused()
    {
        assertThatThrownBy(() -> new LatencySnapshot(0, 0, new long[3]))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not 3");
    }

    @Test
    void callStatisticsTellTimeoutsFromOtherFailuresPerKind()
    {
        final CallStatistics calls = new CallStatistics();
        calls.completed(CallKind.COMMAND, 1_000, null);
        calls.completed(CallKind.COMMAND, 2_000, new RaTimeoutException("late"));
        calls.completed(CallKind.COMMAND, 3_000, new IllegalStateException("no"));
        calls.redirected(CallKind.COMMAND);
        calls.completed(CallKind.READ_INDEX, 4_000, null);
        assertThat(calls.latency(CallKind.COMMAND).count()).isEqualTo(3);
        assertThat(calls.timeouts(CallKind.COMMAND)).isEqualTo(1);
        assertThat(calls.failures(CallKind.COMMAND)).isEqualTo(1);
        assertThat(calls.redirects(CallKind.COMMAND)).isEqualTo(1);
        assertThat(calls.latency(CallKind.READ_INDEX).count()).isEqualTo(1);
        assertThat(calls.timeouts(CallKind.READ_INDEX)).isZero();
        assertThat(CallKind.READ_INDEX.tag()).isEqualTo("read_index");
    }
}

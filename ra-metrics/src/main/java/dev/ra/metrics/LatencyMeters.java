package dev.ra.metrics;

import dev.ra.stats.LatencyHistogram;
import dev.ra.stats.LatencySnapshot;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Publishes a library {@link LatencyHistogram} as Micrometer meters that render as a Prometheus histogram: a
 * {@link FunctionTimer} {@code <name>} (count and total time: {@code <name>_seconds_count}, {@code _sum}) and one
 * cumulative {@link FunctionCounter} {@code <name>.buckets} per bucket, tagged {@code le} with its upper bound in
 * seconds ({@code <name>_buckets_total{le="0.001"}}), {@code +Inf} included, ready for {@code histogram_quantile}.
 * Nothing is recorded into Micrometer: the meters read the library's counts when scraped.
 */
final class LatencyMeters
{
    private static final List<String> LE = upperBoundsInSeconds();

    private LatencyMeters()
    {
    }

    /**
     * @param registry    to register in.
     * @param name        of the timer; the buckets are {@code name + ".buckets"}.
     * @param description of what is timed.
     * @param tags        of every meter.
     * @param snapshot    reads the histogram's current counts (called once per meter per scrape: cache it). Held
     *                    weakly by the meters, as Micrometer does: keep it reachable.
     * @return the meters registered.
     */
    static List<Meter> register(final MeterRegistry registry, final String name, final String description,
        final Tags tags, final Supplier<LatencySnapshot> snapshot)
    {
        final List<Meter> meters = new ArrayList<>();
        meters.add(timer(registry, name, description, tags, snapshot));
        for (int i = 0; i < LE.size(); i++)
        {
            final int bucket = i;
            meters.add(FunctionCounter.builder(name + ".buckets", snapshot, s -> s.get().countAtMost(bucket))
                .description(description + ": cumulative count at most le seconds").tags(tags).tag("le", LE.get(i))
                .register(registry));
        }
        meters.add(FunctionCounter.builder(name + ".buckets", snapshot, s -> s.get().count())
            .description(description + ": cumulative count at most le seconds").tags(tags).tag("le", "+Inf")
            .register(registry));
        return meters;
    }

    /**
     * The count and total time only, without the buckets: 1 meter instead of 22.
     *
     * @param registry    to register in.
     * @param name        of the timer.
     * @param description of what is timed.
     * @param tags        of the meter.
     * @param snapshot    reads the histogram's current counts; held weakly.
     * @return the timer.
     */
    static FunctionTimer timer(final MeterRegistry registry, final String name, final String description,
        final Tags tags, final Supplier<LatencySnapshot> snapshot)
    {
        return FunctionTimer.builder(name, snapshot, s -> s.get().count(), s -> s.get().totalNanos(),
            TimeUnit.NANOSECONDS).description(description).tags(tags).register(registry);
    }

    private static List<String> upperBoundsInSeconds()
    {
        final List<String> le = new ArrayList<>();
        for (final long nanos : LatencyHistogram.upperBoundsNanos())
        {
            le.add(BigDecimal.valueOf(nanos, 9).stripTrailingZeros().toPlainString());
        }
        return List.copyOf(le);
    }
}

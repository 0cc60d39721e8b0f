package dev.ra.metrics;

import dev.ra.stats.CallKind;
import dev.ra.stats.CallStatistics;
import dev.ra.stats.LatencySnapshot;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The client calls made on the node ({@link CallStatistics}), per kind (tag {@code kind}): latency histogram
 * {@code ra.calls}, and counters {@code ra.calls.timeouts}, {@code ra.calls.failures}, {@code ra.calls.redirects}.
 */
final class CallMeters implements MeterGroup
{
    private static final String KEY = "calls";

    /** One kind's counts at the last refresh. */
    private static final class KindState implements Supplier<LatencySnapshot>
    {
        final CallKind kind;
        final RaMetrics owner;
        volatile LatencySnapshot latency = LatencySnapshot.EMPTY;
        volatile long timeouts;
        volatile long failures;
        volatile long redirects;

        KindState(final CallKind kind, final RaMetrics owner)
        {
            this.kind = kind;
            this.owner = owner;
        }

        @Override
        public LatencySnapshot get()
        {
            owner.ensureFresh();
            return latency;
        }

        double timeouts()
        {
            owner.ensureFresh();
            return timeouts;
        }

        double failures()
        {
            owner.ensureFresh();
            return failures;
        }

        double redirects()
        {
            owner.ensureFresh();
            return redirects;
        }
    }

    private final CallStatistics statistics;
    private final Tags tags;
    private final List<KindState> kinds = new ArrayList<>();

    CallMeters(final CallStatistics statistics, final RaMetrics owner, final Tags tags)
    {
        this.statistics = statistics;
        this.tags = tags;
        for (final CallKind kind : CallKind.values())
        {
            kinds.add(new KindState(kind, owner));
        }
    }

    @Override
    public void refresh(final List<MeterRegistry> registries, final RegisteredMeters meters)
    {
        for (final KindState k : kinds)
        {
            k.latency = statistics.latency(k.kind);
            k.timeouts = statistics.timeouts(k.kind);
            k.failures = statistics.failures(k.kind);
            k.redirects = statistics.redirects(k.kind);
        }
    }

    @Override
    public void register(final MeterRegistry registry, final RegisteredMeters meters)
    {
        if (meters.has(KEY, registry))
        {
            return;
        }
        final List<Meter> list = new ArrayList<>();
        for (final KindState k : kinds)
        {
            final Tags kindTags = tags.and("kind", k.kind.tag());
            list.addAll(LatencyMeters.register(registry, "ra.calls",
                "client calls made on this node, from start to completion, whatever the outcome", kindTags, k));
            list.add(FunctionCounter.builder("ra.calls.timeouts", k, KindState::timeouts)
                .description("client calls that timed out").tags(kindTags).register(registry));
            list.add(FunctionCounter.builder("ra.calls.failures", k, KindState::failures)
                .description("client calls that failed otherwise than by a timeout").tags(kindTags)
                .register(registry));
            list.add(FunctionCounter.builder("ra.calls.redirects", k, KindState::redirects)
                .description("redirects client calls followed (not the leader, no such server)").tags(kindTags)
                .register(registry));
        }
        meters.add(KEY, registry, list);
    }
}

package dev.ra.metrics;

import dev.ra.log.FileStorage;
import dev.ra.log.WalStatistics;
import dev.ra.stats.LatencySnapshot;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The node's write-ahead log ({@link FileStorage#walStatistics()}): batches, records, bytes, records per batch, segment
 * flushes, back-pressure waits and the sync latency histogram. Loaded only when the application passes a storage, so
 * ra-log is needed only then.
 */
final class WalMeters implements MeterGroup, Supplier<LatencySnapshot>
{
    private static final String KEY = "wal";

    private final FileStorage storage;
    private final RaMetrics owner;
    private final Tags tags;
    private volatile WalStatistics statistics;

    WalMeters(final FileStorage storage, final RaMetrics owner, final Tags tags)
    {
        this.storage = storage;
        this.owner = owner;
        this.tags = tags;
    }

    @Override
    public void refresh(final List<MeterRegistry> registries, final RegisteredMeters meters)
    {
        statistics = storage.walStatistics();
    }

    @Override
    public LatencySnapshot get()
    {
        return statistics().syncLatency();
    }

    private WalStatistics statistics()
    {
        owner.ensureFresh();
        return statistics;
    }

    @Override
    public void register(final MeterRegistry registry, final RegisteredMeters meters)
    {
        if (meters.has(KEY, registry))
        {
            return;
        }
        final List<Meter> list = new ArrayList<>();
        list.add(counter(registry, "ra.wal.batches", WalStatistics::batches,
            "batches written, each with one write and one sync", null));
        list.add(counter(registry, "ra.wal.records", WalStatistics::records,
            "records written (entries and control records)", null));
        list.add(counter(registry, "ra.wal.bytes", WalStatistics::bytes, "bytes written", "bytes"));
        list.add(counter(registry, "ra.wal.segment.flushes", WalStatistics::segmentFlushes,
            "full WAL files moved into segment files", null));
        list.add(counter(registry, "ra.wal.segment.writes", WalStatistics::segmentWrites,
            "servers' shares of full WAL files written into their segments", null));
        list.add(counter(registry, "ra.wal.segment.writes.hurried", WalStatistics::hurriedSegmentWrites,
            "segment writes done in parallel without giving way to the WAL, because another WAL file was waiting",
            null));
        list.add(counter(registry, "ra.wal.segment.files.over.spares", WalStatistics::segmentFilesOverSpares,
            "segment files written over a spare file that compaction dropped, instead of created", null));
        list.add(counter(registry, "ra.wal.backpressure.waits", WalStatistics::backPressureWaits,
            "times the WAL writer waited for the segment writer (the disk cannot keep up)", null));
        list.add(Gauge.builder("ra.wal.records.per.batch", this, w -> w.statistics().recordsPerBatch())
            .description("records per batch (per sync) since the storage opened").tags(tags).register(registry));
        list.addAll(LatencyMeters.register(registry, "ra.wal.sync", "syncs (fdatasync) of WAL batches", tags, this));
        meters.add(KEY, registry, list);
    }

    private FunctionCounter counter(final MeterRegistry registry, final String name,
        final ToDoubleFunction<WalStatistics> value, final String description, final String unit)
    {
        return FunctionCounter.builder(name, this, w -> value.applyAsDouble(w.statistics()))
            .description(description).baseUnit(unit).tags(tags).register(registry);
    }
}

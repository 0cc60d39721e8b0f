package dev.ra.bench;

import dev.ra.metrics.RaMetrics;
import io.micrometer.core.instrument.Measurement;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code --metrics} variant of the cluster figures: each node's {@link RaMetrics} (with its WAL) bound to one
 * registry, and a thread that reads every meter once a second, as a monitoring system's scrape would (more often than
 * the usual 10–60 s, so that the scrape's own cost shows).
 */
final class MetricsScraper implements AutoCloseable
{
    private static final long SCRAPE_INTERVAL_MS = 1_000;

    private final List<RaMetrics> bound = new ArrayList<>();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long scrapes;
    private volatile double sink;

    private MetricsScraper(final Nodes nodes)
    {
        for (final String node : nodes.running())
        {
            final RaMetrics metrics = RaMetrics.builder(nodes.system(node)).storage(nodes.storage(node)).build();
            metrics.bindTo(registry);
            bound.add(metrics);
        }
        thread = new Thread(this::scrapeLoop, "bench-metrics-scraper");
        thread.setDaemon(true);
    }

    static MetricsScraper start(final Nodes nodes)
    {
        final MetricsScraper scraper = new MetricsScraper(nodes);
        scraper.thread.start();
        return scraper;
    }

    private void scrapeLoop()
    {
        while (running)
        {
            double sum = 0;
            for (final Meter meter : registry.getMeters())
            {
                for (final Measurement m : meter.measure())
                {
                    sum += m.getValue();
                }
            }
            sink = sum;
            scrapes++;
            try
            {
                Thread.sleep(SCRAPE_INTERVAL_MS);
            }
            catch (final InterruptedException ex)
            {
                return;
            }
        }
    }

    /**
     * @return scrapes done so far.
     */
    long scrapes()
    {
        return scrapes;
    }

    @Override
    public void close()
    {
        running = false;
        thread.interrupt();
        try
        {
            thread.join(5_000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        bound.forEach(RaMetrics::close);
    }
}

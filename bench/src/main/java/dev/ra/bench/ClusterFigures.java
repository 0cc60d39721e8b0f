package dev.ra.bench;

import dev.ra.RaSystem;
import dev.ra.ServerId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Figures 1–3 on one 3-member cluster (three nodes in this JVM, in-JVM transport, ra-log with the configured sync
 * method): sequential writes, pipelined writes, and consistent vs local queries. The client runs on the leader's node
 * and addresses the leader. One warm-up, then {@code runs} measured windows on the same cluster.
 */
public final class ClusterFigures
{
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
    /** Pipelined commands slower than this are attributed to what they waited on (about 3x the p50 at 64 in flight). */
    private static final double SLOW_COMMAND_MS = 1;

    private ClusterFigures()
    {
    }

    /**
     * A started cluster and its leader.
     *
     * @param nodes   the nodes.
     * @param leader  the leader.
     * @param client  the leader's node.
     * @param metrics the nodes' metrics with their scraper, or null when the figure runs without.
     */
    record Started(Nodes nodes, ServerId leader, RaSystem client, MetricsScraper metrics) implements AutoCloseable
    {
        @Override
        public void close()
        {
            if (null != metrics)
            {
                metrics.close();
            }
            nodes.close();
        }
    }

    static Started start(final Config config, final String name)
    {
        return start(config, name, false);
    }

    /**
     * @param netty whether the three nodes talk over Netty on loopback rather than the in-JVM network.
     */
    static Started start(final Config config, final String name, final boolean netty)
    {
        final Nodes nodes = new Nodes(3, config.dataDir(), config.nodeOptions(), netty);
        final MetricsScraper metrics = config.metrics() ? MetricsScraper.start(nodes) : null;
        final ServerId leader = nodes.system("n1").startCluster(name, BenchKv.NAME, Nodes.members(name, 3));
        return new Started(nodes, leader, nodes.system(leader.node()), metrics);
    }

    static Json base(final Config config, final String figure)
    {
        final Json j = new Json().put("figure", figure).put("impl", "ra").put("members", 3)
            .put("transport", "in-jvm").put("storage", "ra-log").put("sync", config.sync().name())
            .put("event_loops_per_node", config.eventLoops())
            .put("election_timeout_ms", List.of(config.electionMinMs(), config.electionMaxMs()))
            .put("tick_ms", config.nodeOptions().tick().toMillis()).put("wal_max_mb", config.walMaxMb())
            .put("metrics", config.metrics()).put("wal_mark", config.walMark()).put("runs", config.runs())
            .put("seconds", config.seconds());
        if (config.unsafe())
        {
            j.put("UNSAFE", "fsync off: acknowledged entries can be lost on a crash");
        }
        return j;
    }

    /**
     * Figure 1: one client, synchronous processCommand.
     *
     * @param config settings.
     * @return one JSON line.
     */
    public static Json sequential(final Config config)
    {
        return sequential(config, false);
    }

    /**
     * Figure 1, in-JVM transport or Netty on loopback between the three nodes of this JVM.
     *
     * @param config settings.
     * @param netty  whether the nodes talk over Netty.
     * @return one JSON line.
     */
    public static Json sequential(final Config config, final boolean netty)
    {
        try (Started c = start(config, "seq", netty))
        {
            Driver.sequential(c.client(), c.leader(), config.warmupSeconds());
            final List<Driver.Window> windows = new ArrayList<>();
            for (int r = 0; r < config.runs(); r++)
            {
                windows.add(Driver.sequential(c.client(), c.leader(), config.seconds()));
            }
            return withLatency(transport(base(config, "sequential"), netty), windows, true).put("in_flight", 1);
        }
    }

    /**
     * Figure 2: a fixed number of processCommandAsync calls in flight.
     *
     * @param config   settings.
     * @param inFlight calls in flight.
     * @return one JSON line.
     */
    public static Json pipelined(final Config config, final int inFlight)
    {
        return pipelined(config, inFlight, false);
    }

    /**
     * Figure 2, in-JVM transport or Netty on loopback between the three nodes of this JVM.
     *
     * @param config   settings.
     * @param inFlight calls in flight.
     * @param netty    whether the nodes talk over Netty.
     * @return one JSON line.
     */
    public static Json pipelined(final Config config, final int inFlight, final boolean netty)
    {
        TailAttribution.prime();
        try (Started c = start(config, "pipe" + inFlight, netty))
        {
            final List<Driver.Window> windows;
            final Json tail;
            // Slow commands (over SLOW_COMMAND_MS) of the measured windows set against a JFR recording of them: what
            // the tail waited on (TailAttribution).
            try (TailAttribution attribution = TailAttribution.start(SLOW_COMMAND_MS))
            {
                windows = pipelinedWindows(config, c.client(), c.leader(), inFlight, attribution);
                tail = attribution.report();
            }
            final Json j = withLatency(transport(base(config, "pipelined-" + inFlight), netty), windows, false)
                .put("in_flight", inFlight).put("tail", tail);
            if (null != c.metrics())
            {
                j.put("metrics_scrapes", c.metrics().scrapes());
            }
            return j;
        }
    }

    static List<Driver.Window> pipelinedWindows(final Config config, final RaSystem client, final ServerId leader,
        final int inFlight)
    {
        return pipelinedWindows(config, client, leader, inFlight, null);
    }

    private static List<Driver.Window> pipelinedWindows(final Config config, final RaSystem client,
        final ServerId leader, final int inFlight, final TailAttribution tail)
    {
        final Function<Long, java.util.concurrent.CompletableFuture<?>> call =
            i -> client.processCommandAsync(leader, Driver.command(i), CALL_TIMEOUT);
        Driver.pipelined(inFlight, config.warmupSeconds(), call);
        final Function<Long, java.util.concurrent.CompletableFuture<?>> measured = null == tail ? call : i ->
        {
            final long t0 = System.nanoTime();
            return call.apply(i).whenComplete((r, error) -> tail.record(t0, System.nanoTime()));
        };
        final List<Driver.Window> windows = new ArrayList<>();
        for (int r = 0; r < config.runs(); r++)
        {
            windows.add(Driver.pipelined(inFlight, config.seconds(), measured));
        }
        return windows;
    }

    /**
     * Figure 3: consistentQuery with 64 in flight, and localQuery with 64 in flight for contrast.
     *
     * @param config settings.
     * @return one JSON line.
     */
    public static Json queries(final Config config)
    {
        try (Started c = start(config, "query"))
        {
            for (int i = 0; i < Workload.KEY_SPACE; i++)
            {
                c.client().pipelineCommand(c.leader(), Driver.command(i));
            }
            c.client().processCommand(c.leader(), Driver.command(0));
            final Function<BenchKv.State, Long> read = BenchKv.State::puts;
            final List<Driver.Window> consistent = queryWindows(config, i ->
                c.client().consistentQueryAsync(c.leader(), read, CALL_TIMEOUT));
            final List<Driver.Window> local = queryWindows(config, i ->
                c.client().localQueryAsync(c.leader(), read, 0, 0, CALL_TIMEOUT));
            final Json j = base(config, "queries").put("in_flight", 64);
            j.put("consistent", withLatency(new Json(), consistent, false));
            j.put("local", withLatency(new Json(), local, false));
            return j;
        }
    }

    private static List<Driver.Window> queryWindows(final Config config,
        final Function<Long, java.util.concurrent.CompletableFuture<?>> call)
    {
        Driver.pipelined(64, config.warmupSeconds(), call);
        final List<Driver.Window> windows = new ArrayList<>();
        for (int r = 0; r < config.runs(); r++)
        {
            windows.add(Driver.pipelined(64, config.seconds(), call));
        }
        return windows;
    }

    private static Json transport(final Json j, final boolean netty)
    {
        return netty ? j.put("transport", "netty-loopback").put("jvms", "one, three nodes each on its own port") : j;
    }

    static Json withLatency(final Json j, final List<Driver.Window> windows, final boolean p999)
    {
        j.put("ops_s", Json.summary(windows.stream().map(Driver.Window::opsPerSecond).toList()));
        j.put("p50_ms", Json.summary(windows.stream().map(w -> w.ms(50)).toList()));
        j.put("p99_ms", Json.summary(windows.stream().map(w -> w.ms(99)).toList()));
        if (p999)
        {
            j.put("p999_ms", Json.summary(windows.stream().map(w -> w.ms(99.9)).toList()));
        }
        final long failed = windows.stream().mapToLong(Driver.Window::failed).sum();
        if (failed > 0)
        {
            j.put("failed_calls", failed);
        }
        return j;
    }
}

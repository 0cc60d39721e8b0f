package dev.ra.bench;

import dev.ra.CommandResult;
import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.ServerOverview;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * Figure 4: many clusters of 3 members over the same 3 nodes (one JVM, in-JVM transport, one ra-log per node): time to
 * start them all and until all have elected a leader, heap used after a collection (and per cluster), idle CPU,
 * pipelined throughput with some clusters active at once compared with one active cluster in the same setting, and
 * how far followers trail their leaders under that load ({@link FollowerLag}).
 */
public final class ManyClusters
{
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
    /** Clusters whose followers' lag is sampled, spread over the active ones. */
    private static final int LAG_SAMPLED_CLUSTERS = 100;
    private static final long POLL_MILLIS = 50;
    private static final long ELECTION_DEADLINE_MINUTES = 10;

    private ManyClusters()
    {
    }

    /**
     * @param config settings.
     * @return one JSON line.
     */
    public static Json run(final Config config)
    {
        final long heapBefore = usedHeapAfterGc();
        // The library's defaults for idle behaviour: 1 s ticks, election timeout 1-2 s.
        final Nodes.Options options = config.nodeOptions().withElection(Duration.ofMillis(1000),
            Duration.ofMillis(2000)).withTick(Duration.ofMillis(1000));
        try (Nodes nodes = new Nodes(3, config.dataDir(), options))
        {
            final int n = config.clusters();
            final long t0 = System.nanoTime();
            final List<CompletableFuture<ServerId>> started = new ArrayList<>(n);
            for (int c = 0; c < n; c++)
            {
                final String name = "c" + c;
                started.add(nodes.system("n" + (c % 3 + 1)).startClusterAsync(name, BenchKv.NAME,
                    Nodes.members(name, 3)));
            }
            final CompletableFuture<Void> elected = CompletableFuture.allOf(started.toArray(
                new CompletableFuture<?>[0])).orTimeout(ELECTION_DEADLINE_MINUTES, TimeUnit.MINUTES);
            final double startSeconds = untilAllRun(nodes, n, elected, t0);
            try
            {
                elected.join();
            }
            catch (final CompletionException ex)
            {
                // Say how far it got rather than only that it failed: which part does not scale is the point.
                final long done = started.stream().filter(f -> f.isDone() && !f.isCompletedExceptionally()).count();
                return new Json().put("figure", "many-clusters").put("impl", "ra").put("clusters", n)
                    .put("start_s", startSeconds).put("elected_clusters", done)
                    .put("error", "not every cluster had a leader after " + ELECTION_DEADLINE_MINUTES + " minutes: " +
                        ex.getCause());
            }
            final double electSeconds = (System.nanoTime() - t0) / 1e9;
            final Json elections = electionCounts(nodes, n);
            Harness.progress("%d clusters' members running after %.2f s, all elected after %.2f s; %s", n,
                startSeconds, electSeconds, elections);
            // Leaders, found by one command per active cluster (also proves each commits).
            final int active = Math.min(config.activeClusters(), n);
            final List<ServerId> leaders = new ArrayList<>();
            for (int c = 0; c < active; c++)
            {
                final ServerId member = new ServerId("c" + c, "n" + (c % 3 + 1));
                final CommandResult<Long> r = nodes.system(member.node()).processCommand(member, Driver.command(c));
                leaders.add(r.leader());
            }
            final long heapAfter = usedHeapAfterGc();
            Harness.progress("heap after GC %.1f MB, %.1f KiB per cluster", (heapAfter - heapBefore) / 1048576.0,
                (heapAfter - heapBefore) / 1024.0 / n);
            Driver.sleep(config.idleSettleSeconds());
            final com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean)ManagementFactory.getOperatingSystemMXBean();
            final long cpu0 = os.getProcessCpuTime();
            final long w0 = System.nanoTime();
            Driver.sleep(config.idleSeconds());
            final double idleCpuPct = 100.0 * (os.getProcessCpuTime() - cpu0) / (System.nanoTime() - w0);
            Harness.progress("idle CPU %.2f%% of one core over %.0f s", idleCpuPct, config.idleSeconds());

            final ServerId single = leaders.get(0);
            final List<Driver.Window> one = ClusterFigures.pipelinedWindows(config, nodes.system(single.node()),
                single, 64);
            final int inFlight = active * config.perClusterInFlight();
            final FollowerLag lag = new FollowerLag(nodes, leaders, LAG_SAMPLED_CLUSTERS);
            final List<Driver.Window> many = aggregate(config, nodes, leaders, inFlight, lag);
            Harness.progress("%d active clusters: %.0f ops/s against %.0f for one; lag %s", active, median(many),
                median(one), lag.report());
            final double oneMedian = median(one);
            final double manyMedian = median(many);
            final Json j = new Json().put("figure", "many-clusters").put("impl", "ra").put("clusters", n)
                .put("members", 3).put("nodes", 3).put("transport", "in-jvm").put("storage", "ra-log")
                .put("sync", config.sync().name()).put("event_loops_per_node", config.eventLoops())
                .put("tick_ms", 1000).put("election_timeout_ms", List.of(1000, 2000))
                .put("start_s", startSeconds).put("start_and_elect_s", electSeconds).put("elections", elections)
                .put("heap_used_mb", (heapAfter - heapBefore) / (1024.0 * 1024))
                .put("heap_max_mb", Runtime.getRuntime().maxMemory() / (1024.0 * 1024))
                .put("heap_per_cluster_kb", (heapAfter - heapBefore) / 1024.0 / n)
                .put("idle_settle_seconds", config.idleSettleSeconds()).put("idle_seconds", config.idleSeconds())
                .put("idle_cpu_pct_of_core", idleCpuPct)
                .put("single_cluster_64_in_flight", ClusterFigures.withLatency(new Json(), one, false))
                .put("active_clusters", active).put("active_leaders_per_node", leadersPerNode(leaders))
                .put("in_flight_total", inFlight)
                .put("aggregate", ClusterFigures.withLatency(new Json(), many, false))
                .put("aggregate_vs_single_median", manyMedian / oneMedian)
                .put("follower_lag_under_load", lag.report());
            if (config.unsafe())
            {
                j.put("UNSAFE", "fsync off: acknowledged entries can be lost on a crash");
            }
            return j;
        }
    }

    /**
     * @return seconds from {@code t0} until every member of the {@code n} clusters runs on its node (or until
     *     {@code elected} completes, which implies it).
     */
    private static double untilAllRun(final Nodes nodes, final int n, final CompletableFuture<Void> elected,
        final long t0)
    {
        int next = 0;
        while (next < n && !elected.isDone())
        {
            final ServerId member = new ServerId("c" + next, "n" + (next % 3 + 1));
            if (Nodes.members(member.name(), 3).stream().allMatch(m -> nodes.system(m.node()).isRunning(m)))
            {
                next++;
            }
            else
            {
                Driver.sleep(POLL_MILLIS / 1e3);
            }
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    /**
     * @return how many elections and pre-votes the members of the {@code n} clusters have started in all: one election
     *     per cluster is the start's own; more is a storm (members timing out while the start's election is slow).
     */
    private static Json electionCounts(final Nodes nodes, final int n)
    {
        final List<CompletableFuture<ServerOverview>> views = new ArrayList<>(n * 3);
        for (int c = 0; c < n; c++)
        {
            for (final ServerId member : Nodes.members("c" + c, 3))
            {
                views.add(nodes.system(member.node()).overviewAsync(member));
            }
        }
        long elections = 0;
        long preVotes = 0;
        long terms = 0;
        for (final CompletableFuture<ServerOverview> view : views)
        {
            final ServerOverview overview = view.orTimeout(1, TimeUnit.MINUTES).join();
            elections += overview.counters().getOrDefault("elections", 0L);
            preVotes += overview.counters().getOrDefault("pre_votes", 0L);
            terms = Math.max(terms, overview.currentTerm());
        }
        return new Json().put("elections", elections).put("pre_votes", preVotes)
            .put("elections_per_cluster", (double)elections / n).put("highest_term", terms);
    }

    /**
     * Where the active clusters' leaders are: the aggregate depends on it (a node whose loops lead most of them does
     * most of the work). {@code startCluster} elects the member on the node that starts the cluster, and the figure
     * starts them on the nodes in turn, so they are spread evenly unless an election went otherwise.
     */
    private static Json leadersPerNode(final List<ServerId> leaders)
    {
        final TreeMap<String, Integer> counts = new TreeMap<>();
        for (final ServerId leader : leaders)
        {
            counts.merge(leader.node(), 1, Integer::sum);
        }
        final Json json = new Json();
        counts.forEach(json::put);
        return json;
    }

    private static List<Driver.Window> aggregate(final Config config, final Nodes nodes, final List<ServerId> leaders,
        final int inFlight, final FollowerLag lag)
    {
        final List<RaSystem> clients = new ArrayList<>();
        for (final ServerId leader : leaders)
        {
            clients.add(nodes.system(leader.node()));
        }
        final int k = leaders.size();
        final java.util.function.Function<Long, CompletableFuture<?>> call = i ->
        {
            final int c = (int)(i % k);
            return clients.get(c).processCommandAsync(leaders.get(c), Driver.command(i), CALL_TIMEOUT);
        };
        Driver.pipelined(inFlight, config.warmupSeconds(), call);
        final List<Driver.Window> windows = new ArrayList<>();
        try (FollowerLag sampling = lag.start())
        {
            for (int r = 0; r < config.runs(); r++)
            {
                windows.add(Driver.pipelined(inFlight, config.seconds(), call));
            }
        }
        return windows;
    }

    private static double median(final List<Driver.Window> windows)
    {
        final double[] v = windows.stream().mapToDouble(Driver.Window::opsPerSecond).sorted().toArray();
        return Json.median(v);
    }

    static long usedHeapAfterGc()
    {
        for (int i = 0; i < 3; i++)
        {
            System.gc();
            Driver.sleep(0.1);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}

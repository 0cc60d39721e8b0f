package dev.ra.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The failover comparison (issue 22): ours, Apache Ratis 3.3.0 and SOFAJRaft 1.4.1 side by side, three members each
 * in three JVMs on loopback ({@link FailoverCluster}), the same election timeout for all, and three ways to lose the
 * leader:
 *
 * <ul>
 * <li>{@code orderly-stop}: the leader's node is shut down the library's orderly way ({@code RaSystem.close()}, which
 *     hands leadership over first; Ratis's {@code RaftServer.close()}; SOFAJRaft's {@code RaftGroupService
 *     .shutdown()}). The clock starts when the stop is asked for.</li>
 * <li>{@code kill-9}: the leader's JVM is killed with SIGKILL. The clock starts at the kill.</li>
 * <li>{@code sigstop}: the leader's JVM is paused with SIGSTOP (its connections stay open, it just goes silent), and
 *     resumed with SIGCONT after the trial. The clock starts once {@code kill -STOP} has returned.</li>
 * </ul>
 *
 * <p>The clock stops when a write submitted through a surviving node is committed by a new leader: every few
 * milliseconds each survivor is given a new write (a survivor that is not the leader redirects it, ours, or refuses
 * it, the peers), and the first acknowledgement from a leader other than the lost one counts. A killed or stopped
 * node is restarted from its data before the next trial, and every trial starts from a warmed-up, steady cluster:
 * {@value #WARM_UP_WRITES} writes through each node first (so that no JVM is measured while its code is still
 * interpreted), then one leader with every member applied up to it. One JSON line per system and scenario: median
 * and max over the trials, against the goal.
 */
public final class FailoverComparison
{
    /** Systems, in the order they run. */
    public static final List<String> SYSTEMS = List.of("ra", "ratis", "jraft");
    /** Scenarios, in the order they run. */
    public static final List<String> SCENARIOS = List.of("orderly-stop", "kill-9", "sigstop");
    /** Timeout of one write attempt inside a node. */
    private static final long ATTEMPT_MS = 250;
    /** Interval between rounds of writes through the survivors: the resolution of the figure. */
    private static final long ROUND_MS = 5;
    private static final long TRIAL_SECONDS = 30;
    private static final long STEADY_SECONDS = 120;
    /** Writes through each node before every trial, 16 at a time: see {@link FailoverCluster#warmUp}. */
    private static final int WARM_UP_WRITES = 2000;
    private static final Map<String, String> TRANSPORT = Map.of("ra", "netty-loopback", "ratis", "grpc-loopback",
        "jraft", "bolt-loopback");
    private static final Map<String, String> DURABILITY = Map.of(
        "ra", "ra-log, WAL fdatasync before an entry counts",
        "ratis", "Ratis defaults: log flushed before acknowledgement",
        "jraft", "RocksDB log, RaftOptions.sync=true, syncMeta=true");

    private FailoverComparison()
    {
    }

    /**
     * The systems and scenarios the settings name (every one by default).
     *
     * @param config settings: {@code trials}, {@code election-min-ms}, {@code election-max-ms}, {@code systems},
     *               {@code scenarios}.
     * @return one line per system and scenario.
     */
    public static List<Json> run(final Config config)
    {
        return run(config, choose(config.systems(), SYSTEMS), choose(config.scenarios(), SCENARIOS));
    }

    private static List<String> choose(final String option, final List<String> all)
    {
        return "all".equals(option) ? all : List.of(option.split(","));
    }

    /**
     * @param config    settings.
     * @param systems   some of {@link #SYSTEMS}.
     * @param scenarios some of {@link #SCENARIOS}.
     * @return one line per system and scenario.
     */
    public static List<Json> run(final Config config, final List<String> systems, final List<String> scenarios)
    {
        final List<Json> out = new ArrayList<>();
        for (final String system : systems)
        {
            if (!SYSTEMS.contains(system))
            {
                throw new IllegalArgumentException("unknown system " + system + "; one of " + SYSTEMS);
            }
            final String classpath = "ra".equals(system) ? System.getProperty("java.class.path") :
                Peers.peersClasspath(config);
            for (final String scenario : scenarios)
            {
                if (!SCENARIOS.contains(scenario))
                {
                    throw new IllegalArgumentException("unknown scenario " + scenario + "; one of " + SCENARIOS);
                }
                Json line;
                try
                {
                    line = run(config, system, scenario, classpath);
                }
                catch (final RuntimeException ex)
                {
                    // One system's failure leaves the others' figures standing.
                    line = new Json().put("figure", "failover-comparison").put("impl", system)
                        .put("scenario", scenario).put("error", String.valueOf(ex));
                }
                Harness.progress("%s", line);
                out.add(line);
            }
        }
        return out;
    }

    private static Json run(final Config config, final String system, final String scenario, final String classpath)
    {
        final List<Double> times = new ArrayList<>();
        try (FailoverCluster cluster = new FailoverCluster(system, config, classpath, ATTEMPT_MS))
        {
            try
            {
                trials(config, system, scenario, cluster, times);
            }
            catch (final RuntimeException ex)
            {
                throw new IllegalStateException(ex.getMessage() + " (data and logs kept in " + cluster.keepData() +
                    ")", ex);
            }
        }
        return line(config, system, scenario, times);
    }

    /**
     * Run the trials of one scenario, adding each time to {@code times} (NaN for a trial without a commit in time).
     */
    private static void trials(final Config config, final String system, final String scenario,
        final FailoverCluster cluster, final List<Double> times)
    {
        for (int t = 0; t < config.trials(); t++)
        {
            cluster.warmUp(WARM_UP_WRITES, 16, FailoverCluster.deadline(STEADY_SECONDS));
            final NodeProcess leader = cluster.awaitSteadyLeader(FailoverCluster.deadline(STEADY_SECONDS));
            final List<NodeProcess> survivors = new ArrayList<>();
            for (final String name : FailoverCluster.NODES)
            {
                if (cluster.node(name) != leader)
                {
                    survivors.add(cluster.node(name));
                }
            }
            final long t0;
            switch (scenario)
            {
                case "orderly-stop" ->
                {
                    t0 = System.nanoTime();
                    leader.send("stop");
                }
                case "kill-9" ->
                {
                    t0 = System.nanoTime();
                    leader.kill();
                }
                default ->
                {
                    leader.pause(true);
                    t0 = System.nanoTime();
                }
            }
            final double ms = cluster.firstCommitMs(survivors, leader.name(), t0,
                FailoverCluster.deadline(TRIAL_SECONDS), ROUND_MS);
            times.add(ms);
            Harness.progress("failover %s %s trial %d: leader %s lost, a survivor committed after %.1f ms", system,
                scenario, t, leader.name(), ms);
            if ("sigstop".equals(scenario))
            {
                leader.pause(false);
            }
            else
            {
                leader.awaitExit(20);
                cluster.start(leader.name());
            }
        }
    }

    private static Json line(final Config config, final String system, final String scenario,
        final List<Double> times)
    {
        final List<Double> committed = times.stream().filter(ms -> !Double.isNaN(ms)).toList();
        final double[] sorted = committed.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        final double goal = switch (scenario)
        {
            case "orderly-stop" -> 50;
            case "kill-9" -> 150;
            default -> 2.0 * config.electionMinMs();
        };
        final Json json = new Json().put("figure", "failover-comparison").put("impl", system)
            .put("scenario", scenario).put("members", 3).put("jvms", "one per member")
            .put("transport", TRANSPORT.get(system)).put("durability", DURABILITY.get(system))
            .put("sync", "ra".equals(system) ? config.sync().name() : "library default")
            .put("election_timeout_ms", List.of(config.electionMinMs(), config.electionMaxMs()))
            .put("write_round_ms", ROUND_MS).put("warm_up_writes_per_node", WARM_UP_WRITES)
            .put("trials", committed.size())
            .put("timed_out", times.size() - committed.size()).put("goal_median_ms", goal);
        if (sorted.length > 0)
        {
            final double median = Json.median(sorted);
            json.put("ms", Json.summary(committed)).put("median_ms", median).put("max_ms", sorted[sorted.length - 1])
                .put("median_within_goal", median <= goal);
        }
        return json;
    }
}

package dev.ra.bench;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The performance harness (issue 6). Runs bounded, exits by itself, and prints one JSON line per figure on stdout
 * (progress goes to stderr). Run one figure with {@code --figure NAME}, or all of them with {@code --figure all}.
 *
 * <p>Figures: {@code floor} (fdatasync and loopback round trip: what a committed write cannot beat), {@code wal}
 * (ra-log alone: throughput with 1 to 100 writing servers, append-to-durable latency), {@code sequential},
 * {@code pipelined-64}, {@code pipelined-1024}, {@code queries}, {@code netty} (sequential and 64 in flight with 3 node
 * JVMs on loopback), {@code many-clusters}, {@code failover}, {@code recovery}, {@code peers} (ours vs Apache Ratis vs
 * SOFAJRaft, 64 in flight, fsync on), {@code failover-comparison} (ours vs Ratis vs SOFAJRaft: orderly stop,
 * kill -9 and SIGSTOP of the leader's JVM), {@code client-failover} (the same, as a client node writing over Netty
 * sees it), {@code reads-across-jvms} (linearizable reads, ours from a client node against SOFAJRaft's readIndex).
 *
 * <p>Arguments ({@code --name value}): {@code runs} (3), {@code warmup} s (3), {@code seconds} per window (5),
 * {@code event-loops} per node (1), {@code sync} DATASYNC|NONE (DATASYNC; NONE is labelled UNSAFE), {@code data-dir},
 * {@code clusters} (1000), {@code active-clusters} (100), {@code per-cluster-in-flight} (16),
 * {@code idle-seconds} (10), {@code idle-settle-seconds} (15), {@code trials} (10), {@code election-min-ms} (300),
 * {@code election-max-ms} (600), {@code entries} (1000000),
 * {@code peers-classpath}, {@code peer-seconds} (10), {@code wal-max-mb} (128), {@code caller-connections} (true),
 * {@code wal-servers} (1,10,100), {@code wal-rates} (half,20000), {@code wal-snapshot-every} (0: the wal figure's
 * servers never compact their logs), {@code wal-segment-spares} (true), {@code metrics} (false: true binds each node's
 * {@code RaMetrics} in the {@code sequential}, {@code pipelined-*} and {@code queries} figures, read every second).
 */
public final class Harness
{
    /** Every figure, in the order {@code all} runs them. */
    public static final List<String> FIGURES = List.of("floor", "wal", "sequential", "pipelined-64", "pipelined-1024",
        "queries", "netty", "many-clusters", "failover", "recovery", "peers", "failover-comparison",
        "client-failover", "reads-across-jvms");

    private static volatile boolean progressSilenced;

    private Harness()
    {
    }

    /**
     * @param args see the class comment.
     */
    public static void main(final String[] args)
    {
        final Config config = Config.parse(args);
        final List<String> figures = "all".equals(config.figure()) ? FIGURES : List.of(config.figure().split(","));
        int failures = 0;
        for (final String figure : figures)
        {
            try
            {
                for (final Json line : run(figure, config))
                {
                    System.out.println(line.put("machine", machine()));
                    System.out.flush();
                }
            }
            catch (final RuntimeException ex)
            {
                failures++;
                System.out.println(new Json().put("figure", figure).put("error", String.valueOf(ex)));
                ex.printStackTrace();
            }
        }
        System.exit(failures == 0 ? 0 : 1);
    }

    /**
     * Run one figure.
     *
     * @param figure name.
     * @param config settings.
     * @return its JSON lines.
     */
    public static List<Json> run(final String figure, final Config config)
    {
        progress("figure %s (load %s)", figure, loadAverage());
        final List<Json> out = new ArrayList<>();
        switch (figure)
        {
            case "floor" -> out.add(Floor.run(config));
            case "wal" -> out.addAll(WalFigure.run(config));
            case "sequential" -> out.add(ClusterFigures.sequential(config));
            case "pipelined-64" -> out.add(ClusterFigures.pipelined(config, 64));
            case "pipelined-1024" -> out.add(ClusterFigures.pipelined(config, 1024));
            case "queries" -> out.add(ClusterFigures.queries(config));
            case "netty" -> out.addAll(NettyFigures.run(config));
            case "many-clusters" -> out.add(ManyClusters.run(config));
            case "failover" -> out.add(Failover.run(config));
            case "recovery" -> out.addAll(Recovery.run(config));
            case "peers" -> out.addAll(Peers.run(config));
            case "failover-comparison" -> out.addAll(FailoverComparison.run(config));
            case "client-failover" -> out.addAll(ClientFailover.run(config));
            case "reads-across-jvms" -> out.addAll(ReadsAcrossJvms.run(config));
            default -> throw new IllegalArgumentException("unknown figure " + figure + "; one of " + FIGURES);
        }
        return out;
    }

    /**
     * @return nproc, memory, JDK, load average at the time of the figure.
     */
    static Json machine()
    {
        final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean)ManagementFactory.getOperatingSystemMXBean();
        return new Json().put("nproc", Runtime.getRuntime().availableProcessors())
            .put("mem_gb", Math.round(os.getTotalMemorySize() / (1024.0 * 1024 * 1024)))
            .put("jdk", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"))
            .put("max_heap_mb", Runtime.getRuntime().maxMemory() >> 20)
            .put("load", loadAverage());
    }

    static String loadAverage()
    {
        return String.format(Locale.ROOT, "%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    /**
     * Turn the progress lines on stderr off (the smoke test, which only checks that figures report) or back on.
     *
     * @param silent true to drop progress lines.
     */
    static void silenceProgress(final boolean silent)
    {
        progressSilenced = silent;
    }

    static void progress(final String format, final Object... args)
    {
        if (!progressSilenced)
        {
            System.err.printf("[harness] " + format + "%n", args);
        }
    }
}

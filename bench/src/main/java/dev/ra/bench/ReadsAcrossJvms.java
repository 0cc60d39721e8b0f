package dev.ra.bench;

import dev.ra.RaSystem;
import dev.ra.ServerId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Linearizable reads across JVMs, 64 in flight: ours against SOFAJRaft's {@code readIndex}, each system's three
 * members in three JVMs on loopback ({@link FailoverCluster}), in one run.
 *
 * <ul>
 * <li>Ours on the leader's JVM ({@code impl} {@code ra-on-leader}): the same topology as SOFAJRaft's line: the
 *     closed-loop driver runs inside the leader's node JVM ({@link FailoverNode}'s {@code reads} command,
 *     {@link LeaderReads}) and issues {@code consistentQueryAsync} to its local member, the leader.</li>
 * <li>Ours from a client node ({@code impl} {@code ra}): a consistent named query
 *     ({@code namedQueryAsync(leader, "puts", null, true)}) from this JVM as a server-less client node over Netty: the
 *     call crosses to the leader, which confirms its leadership with a quorum (ReadIndex) and answers once it has
 *     applied the read index. A real use, with a client hop per read that SOFAJRaft's line does not pay.</li>
 * <li>SOFAJRaft: {@code Node.readIndex} (its default {@code ReadOnlySafe}: a heartbeat round, no lease) issued on the
 *     leader's own JVM by its node ({@code FailoverPeerNode}'s {@code reads} command), with the same closed-loop
 *     driver.</li>
 * </ul>
 */
public final class ReadsAcrossJvms
{
    private static final int IN_FLIGHT = 64;
    private static final long ATTEMPT_MS = 250;
    private static final long STEADY_SECONDS = 120;
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);
    private static final String CPU = "cpu_us_per_read_members";

    private ReadsAcrossJvms()
    {
    }

    /**
     * @param config settings: {@code runs}, {@code warmup}, {@code seconds}.
     * @return ours, SOFAJRaft's, and the ratio.
     */
    public static List<Json> run(final Config config)
    {
        final List<Json> out = new ArrayList<>();
        final List<Json> ours = ours(config);
        out.addAll(ours);
        Json jraft;
        try
        {
            jraft = jraft(config);
        }
        catch (final RuntimeException ex)
        {
            jraft = new Json().put("figure", "reads-across-jvms").put("impl", "jraft").put("error", String.valueOf(ex));
        }
        out.add(jraft);
        for (final Json line : ours)
        {
            final Object oursOps = line.get("ops_s");
            final Object theirsOps = jraft.get("ops_s");
            if (oursOps instanceof Json o && theirsOps instanceof Json t)
            {
                final double ratio = (Double)o.get("median") / (Double)t.get("median");
                final Json comparison = new Json().put("figure", "reads-across-jvms-comparison")
                    .put("ours", line.get("impl")).put("from", line.get("from")).put("in_flight", IN_FLIGHT)
                    .put("ratio_ours_to_jraft_median", Math.round(ratio * 100) / 100.0).put("goal", 3.0)
                    .put("within_goal", ratio >= 3.0);
                if (line.get(CPU) instanceof Json oc && jraft.get(CPU) instanceof Json tc)
                {
                    // CPU per read of the members, theirs over ours: how many times cheaper a read of ours is.
                    comparison.put("cpu_per_read_jraft_to_ours_median",
                        Math.round((Double)tc.get("median") / (Double)oc.get("median") * 100) / 100.0);
                }
                out.add(comparison);
            }
        }
        return out;
    }

    private static Json base(final Config config, final String impl)
    {
        return new Json().put("figure", "reads-across-jvms").put("impl", impl).put("in_flight", IN_FLIGHT)
            .put("members", 3).put("jvms", "one per member").put("runs", config.runs())
            .put("seconds", config.seconds());
    }

    /**
     * Both of our lines in one cluster: from the client node, then on the leader's JVM.
     */
    private static List<Json> ours(final Config config)
    {
        try (FailoverCluster cluster = new FailoverCluster("ra", config, System.getProperty("java.class.path"),
            ATTEMPT_MS, ClientFailover.CLIENT))
        {
            cluster.awaitSteadyLeader(FailoverCluster.deadline(STEADY_SECONDS));
            final Json fromClient = fromClient(config, cluster);
            final NodeProcess leader = cluster.awaitSteadyLeader(FailoverCluster.deadline(STEADY_SECONDS));
            final Json onLeader = onLeader(config, cluster, leader).put("transport", "netty-loopback")
                .put("from", "the leader's own JVM")
                .put("read", "consistentQueryAsync on the local leader (ReadIndex)");
            return List.of(onLeader, fromClient);
        }
    }

    private static Json fromClient(final Config config, final FailoverCluster cluster)
    {
        final RaSystem client = ClientFailover.clientNode(config, cluster.ports());
        try
        {
            final ServerId leader = firstWrite(client);
            final Function<Long, java.util.concurrent.CompletableFuture<?>> read =
                i -> client.namedQueryAsync(leader, BenchKv.PUTS_QUERY, null, true, READ_TIMEOUT);
            Driver.pipelined(IN_FLIGHT, config.warmupSeconds(), read);
            final List<Driver.Window> windows = new ArrayList<>();
            for (int r = 0; r < config.runs(); r++)
            {
                windows.add(Driver.pipelined(IN_FLIGHT, config.seconds(), read));
            }
            return ClusterFigures.withLatency(base(config, "ra"), windows, false)
                .put("transport", "netty-loopback").put("from", "a server-less client node (a fourth JVM)")
                .put("read", "consistent named query (ReadIndex)");
        }
        finally
        {
            client.close();
        }
    }

    /**
     * A write through the client, retried while the just started JVMs may still stall (a stall makes a call's outcome
     * unknown), to learn the leader.
     */
    private static ServerId firstWrite(final RaSystem client)
    {
        RuntimeException last = null;
        for (int attempt = 0; attempt < 10; attempt++)
        {
            try
            {
                return client.processCommand(new ServerId(FailoverNode.CLUSTER, "n1"), Driver.command(attempt),
                    READ_TIMEOUT).leader();
            }
            catch (final RuntimeException ex)
            {
                last = ex;
            }
        }
        throw last;
    }

    private static Json jraft(final Config config)
    {
        try (FailoverCluster cluster = new FailoverCluster("jraft", config, Peers.peersClasspath(config), ATTEMPT_MS))
        {
            final NodeProcess leader = cluster.awaitSteadyLeader(FailoverCluster.deadline(STEADY_SECONDS));
            return onLeader(config, cluster, leader).put("impl", "jraft").put("transport", "bolt-loopback")
                .put("from", "the leader's own JVM").put("read", "Node.readIndex, ReadOnlySafe");
        }
    }

    /**
     * Windows of reads driven inside the leader's JVM by its node's {@code reads} command (both systems' nodes speak
     * it), after a warm-up window. Each window also reports the CPU the three member JVMs spent per read (leader and
     * followers, the driver included, as it runs in the leader's JVM for both systems): less noisy than reads per
     * second on a shared machine, and what decides the throughput when the cores are the bound.
     */
    private static Json onLeader(final Config config, final FailoverCluster cluster, final NodeProcess leader)
    {
        final List<Long> pids = new ArrayList<>();
        pids.add(leader.pid());
        for (final String name : FailoverCluster.NODES)
        {
            if (cluster.node(name) != leader)
            {
                pids.add(cluster.node(name).pid());
            }
        }
        readWindow(cluster, leader, config.warmupSeconds());
        final List<Double> ops = new ArrayList<>();
        final List<Double> p50 = new ArrayList<>();
        final List<Double> p99 = new ArrayList<>();
        final List<Double> cpuAll = new ArrayList<>();
        final List<Double> cpuLeader = new ArrayList<>();
        for (int r = 0; r < config.runs(); r++)
        {
            final long[] before = ProcessCpu.nanos(pids);
            final double[] w = readWindow(cluster, leader, config.seconds());
            final double[] micros = ProcessCpu.microsPerOp(before, ProcessCpu.nanos(pids),
                Math.round(w[0] * config.seconds()));
            ops.add(w[0]);
            p50.add(w[1]);
            p99.add(w[2]);
            cpuAll.add(ProcessCpu.total(micros));
            cpuLeader.add(micros[0]);
        }
        return base(config, "ra-on-leader").put("ops_s", Json.summary(ops)).put("p50_ms", Json.summary(p50))
            .put("p99_ms", Json.summary(p99)).put(CPU, Json.summary(cpuAll))
            .put("cpu_us_per_read_leader", Json.summary(cpuLeader));
    }

    private static double[] readWindow(final FailoverCluster cluster, final NodeProcess leader, final double seconds)
    {
        leader.send("reads " + IN_FLIGHT + " " + seconds);
        final String[] words = leader.awaitLine(cluster.lines(), "reads ",
            FailoverCluster.deadline((long)seconds + 90)).split(" ");
        return new double[] {Double.parseDouble(words[1]), Double.parseDouble(words[2]),
            Double.parseDouble(words[3])};
    }
}

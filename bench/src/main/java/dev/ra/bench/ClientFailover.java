package dev.ra.bench;

import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.transport.netty.NettyTransport;
import dev.ra.transport.netty.NettyTransportConfig;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Client-visible failover: three node JVMs of ours ({@link FailoverCluster}, one member each, Netty on loopback) and
 * this JVM as a server-less client node writing continuously over Netty, the way an application does: one synchronous
 * {@code processCommand} after another, each addressed to the leader the previous answer named, the next one sent as
 * soon as the previous one completed or failed. Then the leader's JVM is killed ({@code kill-9}) or paused
 * ({@code sigstop}); the figure is the time from the kill (or the pause) to the completion of the first write that a
 * new leader committed. Beside it, when a survivor became the leader (each node JVM prints the wall-clock time its
 * member enters the leader role), which splits the time into the election and what the client added after it.
 */
public final class ClientFailover
{
    /** Scenarios, in the order they run. */
    public static final List<String> SCENARIOS = List.of("kill-9", "sigstop");
    static final String CLIENT = "client";
    /** Timeout of each write of the client: the library's usual order of magnitude, well above a failover. */
    private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(10);
    private static final long ATTEMPT_MS = 250;
    private static final long TRIAL_SECONDS = 30;
    private static final long STEADY_SECONDS = 120;
    private static final int WARM_UP_WRITES = 2000;

    private ClientFailover()
    {
    }

    /**
     * @param config settings: {@code trials}, {@code election-min-ms}, {@code election-max-ms}, {@code scenarios}
     *               (of {@link #SCENARIOS}), {@code caller-connections}.
     * @return one line per scenario.
     */
    public static List<Json> run(final Config config)
    {
        final List<String> scenarios = "all".equals(config.scenarios()) ? SCENARIOS :
            List.of(config.scenarios().split(","));
        final List<Json> out = new ArrayList<>();
        for (final String scenario : scenarios)
        {
            if (!SCENARIOS.contains(scenario))
            {
                throw new IllegalArgumentException("unknown scenario " + scenario + "; one of " + SCENARIOS);
            }
            Json line;
            try
            {
                line = run(config, scenario);
            }
            catch (final RuntimeException ex)
            {
                line = new Json().put("figure", "client-failover").put("scenario", scenario)
                    .put("error", String.valueOf(ex));
            }
            Harness.progress("%s", line);
            out.add(line);
        }
        return out;
    }

    private static Json run(final Config config, final String scenario)
    {
        final List<Trial> trials = new ArrayList<>();
        try (FailoverCluster cluster = new FailoverCluster("ra", config, System.getProperty("java.class.path"),
            ATTEMPT_MS, CLIENT))
        {
            final RaSystem client = clientNode(config, cluster.ports());
            try (ClientWriter writer = new ClientWriter(client, new ServerId(FailoverNode.CLUSTER, "n1"),
                WRITE_TIMEOUT))
            {
                for (int t = 0; t < config.trials(); t++)
                {
                    trials.add(trial(cluster, writer, scenario, t));
                }
            }
            catch (final RuntimeException ex)
            {
                throw new IllegalStateException(ex.getMessage() + " (data and logs kept in " + cluster.keepData() +
                    ")", ex);
            }
            finally
            {
                client.close();
            }
        }
        return line(config, scenario, trials);
    }

    /**
     * One trial's times, in milliseconds from the kill or pause (NaN: not seen within the trial's bound).
     *
     * @param firstWriteMs the completion of the first write a new leader committed.
     * @param electedMs    when a survivor became the leader.
     * @param failures     writes that failed between the kill and that first success, by exception.
     */
    record Trial(double firstWriteMs, double electedMs, Map<String, Integer> failures)
    {
    }

    private static Trial trial(final FailoverCluster cluster, final ClientWriter writer, final String scenario,
        final int t)
    {
        writer.pause();
        cluster.warmUp(WARM_UP_WRITES, 16, FailoverCluster.deadline(STEADY_SECONDS));
        final NodeProcess leader = cluster.awaitSteadyLeader(FailoverCluster.deadline(STEADY_SECONDS));
        writer.resume();
        if (!writer.awaitSuccessVia(leader.name(), FailoverCluster.deadline(STEADY_SECONDS)))
        {
            throw new IllegalStateException("the client's writes did not reach the leader " + leader.name());
        }
        final long t0;
        final long t0Micros;
        if ("kill-9".equals(scenario))
        {
            t0Micros = FailoverNode.epochMicros();
            t0 = System.nanoTime();
            leader.kill();
        }
        else
        {
            leader.pause(true);
            t0Micros = FailoverNode.epochMicros();
            t0 = System.nanoTime();
        }
        final long deadline = FailoverCluster.deadline(TRIAL_SECONDS);
        double electedMs = Double.NaN;
        ClientWriter.Outcome first = null;
        while (System.nanoTime() < deadline && (null == first || Double.isNaN(electedMs)))
        {
            final NodeProcess.Line line = cluster.poll(Math.min(deadline, System.nanoTime() +
                TimeUnit.MILLISECONDS.toNanos(5)));
            if (null != line && line.from() != leader && line.text().startsWith("elected ") &&
                Double.isNaN(electedMs))
            {
                final long at = Long.parseLong(line.text().substring("elected ".length()).trim());
                if (at >= t0Micros)
                {
                    electedMs = (at - t0Micros) / 1e3;
                }
            }
            if (null == first)
            {
                first = writer.firstSuccessAfter(t0, leader.name());
            }
        }
        final double firstMs = null == first ? Double.NaN : (first.endNanos() - t0) / 1e6;
        final Map<String, Integer> failures = writer.failuresBetween(t0, null == first ? System.nanoTime() :
            first.endNanos());
        Harness.progress("client failover %s trial %d: leader %s lost; elected after %.1f ms, first write after " +
            "%.1f ms; failures %s", scenario, t, leader.name(), electedMs, firstMs, failures);
        if ("sigstop".equals(scenario))
        {
            leader.pause(false);
        }
        else
        {
            leader.awaitExit(20);
            cluster.start(leader.name());
        }
        return new Trial(firstMs, electedMs, failures);
    }

    /**
     * The client node: no servers, in-memory storage, its own Netty transport dialing the three nodes.
     */
    static RaSystem clientNode(final Config config, final Map<String, Integer> ports)
    {
        final NettyTransportConfig.Builder transport = NettyTransportConfig.builder().clusterId("ra-bench-failover")
            .ioThreads(1).callerConnections(config.callerConnections())
            .listenAddress(new InetSocketAddress("127.0.0.1", 0));
        ports.forEach((node, port) -> transport.peer(node, new InetSocketAddress("127.0.0.1", port)));
        final NettyTransport net = new NettyTransport(transport.build());
        final RaSystem client = NettyNode.build(CLIENT, net, null, config.sync(), config.electionMinMs(),
            config.electionMaxMs(), config.nodeOptions().tick().toMillis(), config.walMaxMb() << 20);
        client.registerCluster(FailoverNode.CLUSTER, new BenchKv(), Nodes.members(FailoverNode.CLUSTER, ports.size()));
        final long deadline = FailoverCluster.deadline(60);
        while (!ports.keySet().stream().allMatch(net::isReachable))
        {
            if (System.nanoTime() > deadline)
            {
                client.close();
                throw new IllegalStateException("nodes not reachable from the client within 60 s");
            }
            Driver.sleep(0.05);
        }
        return client;
    }

    private static Json line(final Config config, final String scenario, final List<Trial> trials)
    {
        final List<Double> first = trials.stream().map(Trial::firstWriteMs).filter(ms -> !Double.isNaN(ms)).toList();
        final List<Double> elected = trials.stream().map(Trial::electedMs).filter(ms -> !Double.isNaN(ms)).toList();
        final List<Double> afterElection = trials.stream()
            .filter(t -> !Double.isNaN(t.firstWriteMs()) && !Double.isNaN(t.electedMs()))
            .map(t -> t.firstWriteMs() - t.electedMs()).toList();
        final Map<String, Integer> failures = new TreeMap<>();
        trials.forEach(t -> t.failures().forEach((k, v) -> failures.merge(k, v, Integer::sum)));
        final double goal = 2.0 * config.electionMinMs();
        final Json json = new Json().put("figure", "client-failover").put("scenario", scenario)
            .put("members", 3).put("jvms", "one per member + a server-less client node")
            .put("transport", "netty-loopback").put("caller_connections", config.callerConnections())
            .put("writer", "synchronous processCommand, one after another, to the last leader named")
            .put("write_timeout_ms", WRITE_TIMEOUT.toMillis())
            .put("election_timeout_ms", List.of(config.electionMinMs(), config.electionMaxMs()))
            .put("sync", config.sync().name()).put("trials", trials.size())
            .put("without_success", trials.size() - first.size()).put("goal_ms", goal);
        if (!first.isEmpty())
        {
            final double[] sorted = first.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            json.put("first_write_ms", Json.summary(first)).put("median_ms", Json.median(sorted))
                .put("max_ms", sorted[sorted.length - 1])
                .put("within_goal", sorted[sorted.length - 1] <= goal && first.size() == trials.size());
        }
        if (!elected.isEmpty())
        {
            json.put("elected_ms", Json.summary(elected));
        }
        if (!afterElection.isEmpty())
        {
            json.put("after_election_ms", Json.summary(afterElection));
        }
        final Json failed = new Json();
        failures.forEach(failed::put);
        return json.put("failed_writes_by_exception", failed);
    }
}

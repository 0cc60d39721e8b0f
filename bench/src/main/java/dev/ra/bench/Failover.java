package dev.ra.bench;

import dev.ra.CommandResult;
import dev.ra.ServerId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Figure 5: failover. The leader's node is cut off from the network at once (to its peers this is what kill -9 of
 * its process looks like: no goodbye, no more messages), then stopped; the clock runs from the cut until a command
 * sent to a surviving member is committed by a new leader. The old node is then restarted from its data and the next
 * trial starts once the cluster is whole again.
 */
public final class Failover
{
    private static final String NAME = "fo";

    private Failover()
    {
    }

    /**
     * @param config settings.
     * @return one JSON line.
     */
    public static Json run(final Config config)
    {
        final List<Double> times = new ArrayList<>();
        try (Nodes nodes = new Nodes(3, config.dataDir(), config.nodeOptions()))
        {
            ServerId leader = nodes.system("n1").startCluster(NAME, BenchKv.NAME, Nodes.members(NAME, 3));
            long seq = 0;
            for (int t = 0; t < config.trials(); t++)
            {
                // Steady state: every node up, a committed command, the current leader.
                leader = commit(nodes, List.of("n1", "n2", "n3"), seq++, null, System.nanoTime() + 30_000_000_000L);
                Driver.sleep(0.5);
                leader = commit(nodes, List.of("n1", "n2", "n3"), seq++, null, System.nanoTime() + 30_000_000_000L);
                final String victim = leader.node();
                final List<String> survivors = new ArrayList<>(List.of("n1", "n2", "n3"));
                survivors.remove(victim);
                final long t0 = System.nanoTime();
                nodes.network().isolate(victim);
                commit(nodes, survivors, seq++, victim, t0 + 60_000_000_000L);
                final double ms = (System.nanoTime() - t0) / 1e6;
                times.add(ms);
                Harness.progress("failover trial %d: leader %s lost, new leader committed after %.1f ms", t, victim,
                    ms);
                nodes.stop(victim);
                nodes.network().healAll();
                nodes.start(victim).restartServer(new ServerId(NAME, victim));
            }
        }
        final double[] sorted = times.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return new Json().put("figure", "failover").put("impl", "ra").put("members", 3).put("transport", "in-jvm")
            .put("storage", "ra-log").put("sync", config.sync().name())
            .put("election_timeout_ms", List.of(config.electionMinMs(), config.electionMaxMs()))
            .put("fault", "leader node isolated (kill -9 as seen by peers), then stopped")
            .put("trials", times.size())
            .put("ms", Json.summary(times))
            .put("median_ms", Json.median(sorted)).put("max_ms", sorted[sorted.length - 1])
            .put("median_vs_election_min", Json.median(sorted) / config.electionMinMs());
    }

    /**
     * Commit one command through the given nodes' members, retrying with short timeouts.
     *
     * @return the leader that committed it.
     */
    private static ServerId commit(final Nodes nodes, final List<String> via, final long seq, final String notVia,
        final long deadlineNanos)
    {
        int attempt = 0;
        while (System.nanoTime() < deadlineNanos)
        {
            final String node = via.get(attempt++ % via.size());
            try
            {
                final CommandResult<Long> r = nodes.system(node).<Long>processCommandAsync(new ServerId(NAME, node),
                    Driver.command(seq), Duration.ofMillis(100)).get(1, TimeUnit.SECONDS);
                if (null == notVia || !notVia.equals(r.leader().node()))
                {
                    return r.leader();
                }
            }
            catch (final Exception ex)
            {
                // not yet: no leader, or the old one
            }
        }
        throw new IllegalStateException("no leader committed within the deadline");
    }
}

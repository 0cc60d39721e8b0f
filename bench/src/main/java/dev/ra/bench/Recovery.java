package dev.ra.bench;

import dev.ra.CommandResult;
import dev.ra.RaSystem;
import dev.ra.ServerId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Figure 6: recovery. A 3-member cluster writes {@code entries} puts; then every node is stopped and started again
 * from its ra-log directory (a full cluster restart, so no member can be served by the others' memory). The clock runs
 * from the restart until a new command is committed and applied, which needs a quorum of members to have recovered
 * their logs and the new leader to have applied every entry (replayed from the log, or from the newest snapshot plus
 * the tail). Repeated {@code runs} times on the same data, with and without snapshots.
 */
public final class Recovery
{
    private static final String NAME = "rec";

    private Recovery()
    {
    }

    /**
     * @param config settings.
     * @return two JSON lines (without and with snapshots).
     */
    public static List<Json> run(final Config config)
    {
        return List.of(variant(config, BenchKv.NAME, false), variant(config, BenchKv.NAME_WITH_SNAPSHOTS, true));
    }

    private static Json variant(final Config config, final String machine, final boolean snapshots)
    {
        try (Nodes nodes = new Nodes(3, config.dataDir(), config.nodeOptions()))
        {
            final ServerId leader = nodes.system("n1").startCluster(NAME, machine, Nodes.members(NAME, 3));
            final long f0 = System.nanoTime();
            fill(nodes.system(leader.node()), leader, config.entries());
            final double fillSeconds = (System.nanoTime() - f0) / 1e9;
            Harness.progress("recovery: wrote %,d entries in %.1f s (snapshots %s)", config.entries(), fillSeconds,
                snapshots);
            Driver.sleep(3);
            final List<Double> restartMs = new ArrayList<>();
            final List<Double> serveMs = new ArrayList<>();
            long expectedPuts = config.entries();
            for (int r = 0; r < config.runs(); r++)
            {
                for (final String node : List.of("n1", "n2", "n3"))
                {
                    nodes.stop(node);
                }
                final long t0 = System.nanoTime();
                final List<CompletableFuture<Void>> restarts = new ArrayList<>();
                for (final String node : List.of("n1", "n2", "n3"))
                {
                    final RaSystem system = nodes.start(node);
                    restarts.add(CompletableFuture.runAsync(() -> system.restartServer(new ServerId(NAME, node)),
                        ThreadPerTask.EXECUTOR));
                }
                CompletableFuture.allOf(restarts.toArray(new CompletableFuture<?>[0])).orTimeout(5, TimeUnit.MINUTES)
                    .join();
                final double restarted = (System.nanoTime() - t0) / 1e6;
                final long puts = serve(nodes, r);
                final double served = (System.nanoTime() - t0) / 1e6;
                // A timed-out attempt may still commit, so the count can exceed the expectation, never fall short.
                expectedPuts++;
                if (puts < expectedPuts)
                {
                    throw new IllegalStateException("recovered machine applied " + puts + " puts, expected at least " +
                        expectedPuts);
                }
                expectedPuts = puts;
                restartMs.add(restarted);
                serveMs.add(served);
                Harness.progress("recovery run %d: servers restarted in %.0f ms, first command committed at %.0f ms",
                    r, restarted, served);
            }
            final Json j = new Json().put("figure", snapshots ? "recovery-with-snapshot" : "recovery-no-snapshot")
                .put("impl", "ra").put("members", 3).put("transport", "in-jvm").put("storage", "ra-log")
                .put("sync", config.sync().name()).put("entries", config.entries())
                .put("snapshot_every", snapshots ? BenchKv.SNAPSHOT_EVERY : 0)
                .put("election_timeout_ms", List.of(config.electionMinMs(), config.electionMaxMs()))
                .put("fill_ops_s", config.entries() / fillSeconds)
                .put("restart_servers_ms", Json.summary(restartMs))
                .put("until_serving_ms", Json.summary(serveMs));
            if (config.unsafe())
            {
                j.put("UNSAFE", "fsync off: acknowledged entries can be lost on a crash");
            }
            return j;
        }
    }

    private static long serve(final Nodes nodes, final int run)
    {
        final long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        int attempt = 0;
        while (System.nanoTime() < deadline)
        {
            final String node = "n" + (attempt++ % 3 + 1);
            try
            {
                final CommandResult<Long> r = nodes.system(node).<Long>processCommandAsync(new ServerId(NAME, node),
                    Driver.command(run), Duration.ofMillis(200)).get(10, TimeUnit.SECONDS);
                return r.reply();
            }
            catch (final Exception ex)
            {
                // no leader yet, or still replaying
            }
        }
        throw new IllegalStateException("the restarted cluster did not serve a command within 5 minutes");
    }

    static void fill(final RaSystem client, final ServerId leader, final long entries)
    {
        final Semaphore window = new Semaphore(1024);
        final AtomicLong failed = new AtomicLong();
        for (long i = 0; i < entries; i++)
        {
            window.acquireUninterruptibly();
            client.processCommandAsync(leader, Driver.command(i), Duration.ofSeconds(60)).whenComplete((r, e) ->
            {
                if (null != e)
                {
                    failed.incrementAndGet();
                }
                window.release();
            });
        }
        window.acquireUninterruptibly(1024);
        if (failed.get() > 0)
        {
            throw new IllegalStateException(failed.get() + " commands failed while filling the log");
        }
    }
}

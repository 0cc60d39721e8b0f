package dev.ra.bench;

import dev.ra.log.SyncMethod;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Harness settings from {@code --name value} arguments. Every figure is bounded by these durations.
 *
 * @param figure        figure to run, or "all".
 * @param runs          measured windows (or repetitions) per figure.
 * @param warmupSeconds warm-up before the first window.
 * @param seconds       length of each measured window.
 * @param eventLoops    event loops per node.
 * @param sync          WAL sync method; anything but DATASYNC is labelled unsafe in the output.
 * @param dataDir       where temporary data directories go (null: the system temp dir).
 * @param clusters      clusters in the many-clusters figure.
 * @param activeClusters clusters driven at once in the many-clusters throughput part.
 * @param perClusterInFlight calls in flight per active cluster.
 * @param idleSeconds   idle CPU measurement window.
 * @param idleSettleSeconds wait between the clusters' start (and their first commands) and the idle window, for the
 *                      start's own work (segment flushes, collections, compilation) to finish.
 * @param trials        failover trials.
 * @param electionMinMs election timeout lower bound (ms).
 * @param electionMaxMs election timeout upper bound (ms).
 * @param entries       entries written before the recovery figure's restart.
 * @param peersClasspath classpath of bench-peers for the comparison (null: look for bench-peers/target).
 * @param peerSeconds   measured seconds per peer run.
 * @param walMaxMb      ra-log WAL file size limit in MiB (memtables hold up to about this much until rollover).
 * @param callerConnections whether the Netty figures' client sends synchronous calls over caller connections (the
 *                      default) or, for comparison, through its I/O thread like every other message.
 * @param walServers    the wal figure's writing-server counts, comma-separated.
 * @param walRates      the wal figure's paced rates (entries/s) for its latency lines, comma-separated; {@code half}
 *                      is half the throughput measured with the most servers.
 * @param systems       the failover comparison's systems, comma-separated ({@code all}: every one).
 * @param scenarios     the failover comparison's scenarios, comma-separated ({@code all}: every one).
 * @param metrics       whether the cluster figures bind each node's {@code RaMetrics} to a registry read every second
 *                      (as a scrape would), to measure what metrics cost.
 * @param walMark       whether ra-log keeps its WAL mark, a second sync per batch that detects a lost acknowledged
 *                      tail ({@code --wal-mark false} shows what it costs).
 * @param walSnapshotEvery in the wal figure, entries each server makes durable between two snapshots that compact
 *                      its log (0: never, the log only grows).
 * @param walSegmentSpares in the wal figure, whether ra-log keeps the segment files compaction drops as spares to
 *                      write new segments over ({@code false}: it deletes them and creates every segment file).
 * @param walSegmentSpareMb in the wal figure, with spares, the most the pool of spares may hold in MiB; 0 for ra-log's
 *                      default (twice the WAL file size).
 * @param walFloors     in the wal figure, whether each latency line is followed by the disk's floors at the same rate
 *                      ({@code false} saves their minutes when only ra-log's own lines are wanted).
 * @param walSegmentMaxEntries in the wal figure, the most entries per segment file; 0 for ra-log's default.
 * @param walAppend     in the wal figure's latency lines, how the paced appenders hand entries to a server: {@code one}
 *                      entry per append call, or what is {@code due} for the server at each tick in one call, as a Raft
 *                      server appends what one drain of its mailbox accepted.
 */
public record Config(String figure, int runs, double warmupSeconds, double seconds, int eventLoops, SyncMethod sync,
    Path dataDir, int clusters, int activeClusters, int perClusterInFlight, double idleSeconds,
    double idleSettleSeconds, int trials,
    long electionMinMs, long electionMaxMs, long entries, String peersClasspath, double peerSeconds, long walMaxMb,
    boolean callerConnections, String walServers, String walRates, String systems, String scenarios,
    boolean metrics, boolean walMark, long walSnapshotEvery, boolean walSegmentSpares, long walSegmentSpareMb,
    boolean walFloors, int walSegmentMaxEntries, String walAppend)
{
    /**
     * @param args {@code --name value} pairs; see {@link Harness}.
     * @return the settings.
     */
    public static Config parse(final String[] args)
    {
        final Map<String, String> m = new HashMap<>();
        for (int i = 0; i < args.length; i++)
        {
            if (!args[i].startsWith("--") || i + 1 >= args.length)
            {
                throw new IllegalArgumentException("expected --name value, got " + args[i]);
            }
            m.put(args[i].substring(2), args[++i]);
        }
        final Config c = new Config(
            m.getOrDefault("figure", "all"),
            Integer.parseInt(m.getOrDefault("runs", "3")),
            Double.parseDouble(m.getOrDefault("warmup", "3")),
            Double.parseDouble(m.getOrDefault("seconds", "5")),
            Integer.parseInt(m.getOrDefault("event-loops", "1")),
            SyncMethod.valueOf(m.getOrDefault("sync", "DATASYNC")),
            m.containsKey("data-dir") ? Path.of(m.get("data-dir")) : null,
            Integer.parseInt(m.getOrDefault("clusters", "1000")),
            Integer.parseInt(m.getOrDefault("active-clusters", "100")),
            Integer.parseInt(m.getOrDefault("per-cluster-in-flight", "16")),
            Double.parseDouble(m.getOrDefault("idle-seconds", "10")),
            Double.parseDouble(m.getOrDefault("idle-settle-seconds", "15")),
            Integer.parseInt(m.getOrDefault("trials", "10")),
            Long.parseLong(m.getOrDefault("election-min-ms", "300")),
            Long.parseLong(m.getOrDefault("election-max-ms", "600")),
            Long.parseLong(m.getOrDefault("entries", "1000000")),
            m.get("peers-classpath"),
            Double.parseDouble(m.getOrDefault("peer-seconds", "10")),
            Long.parseLong(m.getOrDefault("wal-max-mb", "128")),
            Boolean.parseBoolean(m.getOrDefault("caller-connections", "true")),
            m.getOrDefault("wal-servers", "1,10,100"),
            m.getOrDefault("wal-rates", "half,20000"),
            m.getOrDefault("systems", "all"),
            m.getOrDefault("scenarios", "all"),
            Boolean.parseBoolean(m.getOrDefault("metrics", "false")),
            Boolean.parseBoolean(m.getOrDefault("wal-mark", "true")),
            Long.parseLong(m.getOrDefault("wal-snapshot-every", "0")),
            Boolean.parseBoolean(m.getOrDefault("wal-segment-spares", "true")),
            Long.parseLong(m.getOrDefault("wal-segment-spare-mb", "0")),
            Boolean.parseBoolean(m.getOrDefault("wal-floors", "true")),
            Integer.parseInt(m.getOrDefault("wal-segment-max-entries", "0")),
            m.getOrDefault("wal-append", "one"));
        m.keySet().removeAll(java.util.Set.of("figure", "runs", "warmup", "seconds", "event-loops", "sync",
            "data-dir", "clusters", "active-clusters", "per-cluster-in-flight", "idle-seconds", "idle-settle-seconds",
            "trials",
            "election-min-ms", "election-max-ms", "entries", "peers-classpath", "peer-seconds", "wal-max-mb",
            "caller-connections", "wal-servers", "wal-rates", "systems", "scenarios", "metrics", "wal-mark",
            "wal-snapshot-every", "wal-segment-spares", "wal-segment-spare-mb", "wal-floors",
            "wal-segment-max-entries", "wal-append"));
        if (!m.isEmpty())
        {
            throw new IllegalArgumentException("unknown arguments " + m.keySet());
        }
        if (c.walSnapshotEvery() < 0)
        {
            throw new IllegalArgumentException("--wal-snapshot-every takes a count of entries, 0 for never");
        }
        if (c.walSegmentSpareMb() < 0)
        {
            throw new IllegalArgumentException("--wal-segment-spare-mb takes MiB, 0 for ra-log's default");
        }
        if (c.walSegmentMaxEntries() < 0)
        {
            throw new IllegalArgumentException("--wal-segment-max-entries takes a count of entries, 0 for ra-log's " +
                "default");
        }
        if (!java.util.Set.of("one", "due").contains(c.walAppend()))
        {
            throw new IllegalArgumentException("--wal-append takes one (an entry per append call) or due (what is " +
                "due for a server at each tick, in one call), not " + c.walAppend());
        }
        return c;
    }

    /**
     * @return node options for these settings.
     */
    public Nodes.Options nodeOptions()
    {
        return Nodes.Options.defaults().withEventLoops(eventLoops).withSync(sync)
            .withElection(Duration.ofMillis(electionMinMs), Duration.ofMillis(electionMaxMs))
            .withTick(Duration.ofMillis(Math.max(10, Math.min(1000, electionMinMs / 2))))
            .withWalMaxBytes(walMaxMb << 20).withWalMark(walMark);
    }

    /**
     * @return true when the WAL does not fsync (results must be labelled unsafe).
     */
    public boolean unsafe()
    {
        return sync != SyncMethod.DATASYNC;
    }
}

package dev.ra.bench;

import dev.ra.node.NodeJvm;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The peer comparison: the same workload (16-byte key + 100-byte value puts, 3 members in one JVM, fsync on, 64 in
 * flight, and 1 in flight for latency) on Apache Ratis 3.3.0 (with its defaults and with its documented throughput
 * settings) and SOFAJRaft 1.4.1, submitted on the leader and through each library's client, next to ours (on the
 * in-JVM transport, and over Netty on loopback between the three nodes of one JVM, the peers' own topology), in one
 * run on one machine. Each peer runs in a child JVM on bench-peers'
 * classpath (their dependencies, e.g. SOFAJRaft's Netty 4.1, stay off ours); the child prints JSON lines, which are
 * passed through, and a summary line gives the ratios.
 */
public final class Peers
{
    private Peers()
    {
    }

    /**
     * @param config settings.
     * @return the peers' lines, ours, and the comparison.
     */
    public static List<Json> run(final Config config)
    {
        final String classpath = peersClasspath(config);
        final List<Json> out = new ArrayList<>();
        final List<Double> best = new ArrayList<>();
        final List<String> raw = new ArrayList<>();
        for (final String peer : List.of("ratis", "ratis-tuned", "jraft"))
        {
            for (final String mode : List.of("leader", "client"))
            {
                for (final int inFlight : new int[] {64, 1})
                {
                    final String line = child(config, classpath, peer, mode, inFlight);
                    raw.add(line);
                    out.add(new Json().put("figure", "peer").put("raw", new Json.Raw(line)));
                }
            }
        }
        final Json ours64 = ClusterFigures.pipelined(config, 64);
        final Json oursSeq = ClusterFigures.sequential(config);
        out.add(ours64);
        out.add(oursSeq);
        // The peers' topology exactly: three members in one JVM talking over sockets on loopback, not by reference.
        final Json ours64Netty = ClusterFigures.pipelined(config, 64, true);
        out.add(ours64Netty);
        out.add(ClusterFigures.sequential(config, true));
        for (final String line : raw)
        {
            if (line.contains("\"in_flight\":64") && line.contains("\"ops_s_median\":"))
            {
                best.add(number(line, "ops_s_median"));
            }
        }
        final double bestPeer = best.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
        final double ours = (Double)((Json)ours64.get("ops_s")).get("median");
        final double oursNetty = (Double)((Json)ours64Netty.get("ops_s")).get("median");
        out.add(new Json().put("figure", "peers-comparison").put("ours_64_ops_s_median", ours)
            .put("ours_netty_64_ops_s_median", oursNetty)
            .put("best_peer_64_ops_s_median", bestPeer).put("ratio", ours / bestPeer)
            .put("ratio_netty", oursNetty / bestPeer));
        return out;
    }

    static double number(final String json, final String key)
    {
        final int at = json.indexOf("\"" + key + "\":");
        if (at < 0)
        {
            return Double.NaN;
        }
        int p = at + key.length() + 3;
        final int start = p;
        while (p < json.length() && "-+.0123456789eE".indexOf(json.charAt(p)) >= 0)
        {
            p++;
        }
        return Double.parseDouble(json.substring(start, p));
    }

    private static String child(final Config config, final String classpath, final String peer, final String mode,
        final int inFlight)
    {
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final List<String> cmd = new ArrayList<>(List.of(java, NodeJvm.ENABLE_NATIVE_ACCESS, "-Xmx2g", "-cp", classpath,
            "dev.ra.bench.peers.PeerBench", "--peer", peer, "--mode", mode, "--in-flight", String.valueOf(inFlight),
            "--runs", String.valueOf(config.runs()), "--warmup", String.valueOf(config.warmupSeconds()),
            "--seconds", String.valueOf(inFlight == 1 ? Math.min(config.seconds(), config.peerSeconds()) :
                config.peerSeconds())));
        if (null != config.dataDir())
        {
            cmd.add("--data-dir");
            cmd.add(config.dataDir().toString());
        }
        Harness.progress("peer %s via %s, %d in flight", peer, mode, inFlight);
        try
        {
            final Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String last = null;
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                StandardCharsets.UTF_8)))
            {
                String line;
                while (null != (line = r.readLine()))
                {
                    if (line.startsWith("{"))
                    {
                        last = line;
                    }
                }
            }
            final double budget = config.warmupSeconds() + config.runs() * config.peerSeconds() + 120;
            if (!p.waitFor((long)budget, TimeUnit.SECONDS))
            {
                p.destroyForcibly();
                return "{\"peer\":\"" + peer + "\",\"mode\":\"" + mode + "\",\"error\":\"timed out\"}";
            }
            return null == last ? "{\"peer\":\"" + peer + "\",\"mode\":\"" + mode + "\",\"error\":\"exit " +
                p.exitValue() + "\"}" : last;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    static String peersClasspath(final Config config)
    {
        if (null != config.peersClasspath())
        {
            return config.peersClasspath();
        }
        for (final Path base : List.of(Path.of("bench-peers"), Path.of("../bench-peers")))
        {
            final Path target = base.resolve("target");
            final Path cp = target.resolve("peers-classpath.txt");
            if (Files.exists(cp))
            {
                try
                {
                    return target.resolve("classes").toAbsolutePath() + java.io.File.pathSeparator +
                        Files.readString(cp).trim();
                }
                catch (final IOException ex)
                {
                    throw new UncheckedIOException(ex);
                }
            }
        }
        throw new IllegalStateException("bench-peers is not built: run mvn -B -q -pl bench-peers -am package " +
            "-DskipTests, or pass --peers-classpath");
    }
}

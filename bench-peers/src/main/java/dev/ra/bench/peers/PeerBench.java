package dev.ra.bench.peers;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Child-JVM entry point of the peer comparison: {@code --peer ratis|ratis-tuned|jraft --mode leader|client
 * --in-flight N --runs R --warmup S --seconds S [--data-dir D]}. Starts a 3-member group in this JVM, drives it
 * closed-loop with N puts in flight (16-byte key + 100-byte value, the same as the harness), prints one JSON line,
 * and exits.
 */
public final class PeerBench
{
    private PeerBench()
    {
    }

    /**
     * @param args see the class comment.
     * @throws Exception on failure.
     */
    public static void main(final String[] args) throws Exception
    {
        final Map<String, String> m = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2)
        {
            m.put(args[i].substring(2), args[i + 1]);
        }
        final String peerName = m.getOrDefault("peer", "ratis");
        final String mode = m.getOrDefault("mode", "leader");
        final int inFlight = Integer.parseInt(m.getOrDefault("in-flight", "64"));
        final int runs = Integer.parseInt(m.getOrDefault("runs", "3"));
        final double warmup = Double.parseDouble(m.getOrDefault("warmup", "3"));
        final double seconds = Double.parseDouble(m.getOrDefault("seconds", "5"));
        final Path root = m.containsKey("data-dir") ?
            Files.createTempDirectory(Files.createDirectories(Path.of(m.get("data-dir"))), "peer-" + peerName) :
            Files.createTempDirectory("peer-" + peerName);
        final byte[][] commands = new byte[4096][];
        for (int i = 0; i < commands.length; i++)
        {
            commands[i] = put(i);
        }
        final List<Double> ops = new ArrayList<>();
        final List<Double> p50 = new ArrayList<>();
        final List<Double> p99 = new ArrayList<>();
        final String durability;
        final Peer peer = "jraft".equals(peerName) ? new JraftPeer(root, "client".equals(mode)) :
            new RatisPeer(root, "client".equals(mode), "ratis-tuned".equals(peerName));
        try
        {
            durability = peer.durability();
            window(peer, commands, inFlight, warmup);
            for (int r = 0; r < runs; r++)
            {
                final double[] w = window(peer, commands, inFlight, seconds);
                ops.add(w[0]);
                p50.add(w[1]);
                p99.add(w[2]);
                System.err.printf("[peer] %s %s %d in flight: %.0f ops/s p50 %.3f ms%n", peerName, mode, inFlight,
                    w[0], w[1]);
            }
        }
        finally
        {
            try
            {
                peer.close();
            }
            catch (final Exception ex)
            {
                System.err.println("[peer] close failed: " + ex);
            }
            deleteTree(root);
        }
        System.out.println("{\"peer\":\"" + peerName + "\",\"mode\":\"" + mode + "\",\"in_flight\":" + inFlight +
            ",\"members\":3,\"durability\":\"" + durability + "\",\"seconds\":" + seconds +
            ",\"ops_s_median\":" + fmt(median(ops)) + ",\"ops_s\":" + summary(ops) + ",\"p50_ms\":" + summary(p50) +
            ",\"p99_ms\":" + summary(p99) + "}");
        System.out.flush();
        System.exit(0);
    }

    /**
     * Closed loop with {@code inFlight} permits, issued from this (the client's) thread, completions recorded on
     * whatever thread completes them: the same driver as the harness's {@code Driver.pipelined}.
     *
     * @return [ops/s, p50 ms, p99 ms].
     */
    static double[] window(final Peer peer, final byte[][] commands, final int inFlight, final double seconds)
        throws InterruptedException
    {
        final Recorder recorder = new Recorder(TimeUnit.SECONDS.toNanos(60), 3);
        final LongAdder completed = new LongAdder();
        final Semaphore permits = new Semaphore(inFlight);
        long seq = 0;
        long start = 0;
        long c0 = 0;
        long end = Long.MAX_VALUE;
        final long warm = System.nanoTime();
        boolean measuring = false;
        while (true)
        {
            final long now = System.nanoTime();
            if (!measuring && (seq >= inFlight || now - warm > 1_000_000_000L))
            {
                measuring = true;
                recorder.getIntervalHistogram();
                start = System.nanoTime();
                c0 = completed.sum();
                end = start + (long)(seconds * 1e9);
            }
            else if (measuring && now >= end)
            {
                break;
            }
            if (!permits.tryAcquire(10, TimeUnit.MILLISECONDS))
            {
                continue;
            }
            final long t0 = System.nanoTime();
            final byte[] cmd = commands[(int)(seq++ & 4095)];
            peer.submit(cmd).whenComplete((r, e) ->
            {
                if (null == e)
                {
                    recorder.recordValue(Math.min(System.nanoTime() - t0, TimeUnit.SECONDS.toNanos(60)));
                    completed.increment();
                }
                permits.release();
            });
        }
        final long count = completed.sum() - c0;
        final long elapsed = System.nanoTime() - start;
        final Histogram h = recorder.getIntervalHistogram();
        if (!permits.tryAcquire(inFlight, 60, TimeUnit.SECONDS))
        {
            System.err.println("[peer] calls did not drain within 60 s");
        }
        return new double[] {count * 1e9 / elapsed, h.getValueAtPercentile(50) / 1e6,
            h.getValueAtPercentile(99) / 1e6};
    }

    static byte[] put(final long i)
    {
        final byte[] command = new byte[116];
        long k = Math.floorMod(i, 10_000L);
        for (int p = 15; p >= 0; p--)
        {
            command[p] = (byte)('0' + (k % 10));
            k /= 10;
        }
        final ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int p = 16; p < command.length; p++)
        {
            command[p] = (byte)('a' + random.nextInt(26));
        }
        return command;
    }

    static int freePort() throws java.io.IOException
    {
        try (ServerSocket s = new ServerSocket(0))
        {
            return s.getLocalPort();
        }
    }

    private static double median(final List<Double> values)
    {
        final double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        if (v.length == 0)
        {
            return Double.NaN;
        }
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static String summary(final List<Double> values)
    {
        final double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        if (v.length == 0)
        {
            return "{}";
        }
        final StringBuilder runs = new StringBuilder();
        for (final double d : values)
        {
            runs.append(runs.length() == 0 ? "" : ",").append(fmt(d));
        }
        return "{\"min\":" + fmt(v[0]) + ",\"median\":" + fmt(median(values)) + ",\"max\":" + fmt(v[v.length - 1]) +
            ",\"runs\":[" + runs + "]}";
    }

    private static String fmt(final double d)
    {
        return Double.isNaN(d) ? "null" : String.format(Locale.ROOT, "%.3f", d);
    }

    private static void deleteTree(final Path root)
    {
        try (Stream<Path> paths = Files.walk(root))
        {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        catch (final Exception ex)
        {
            // best effort
        }
    }
}

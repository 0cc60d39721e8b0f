package dev.ra.node;

import dev.ra.RaSystem;
import dev.ra.ServerId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * End-to-end benchmark of the Netty transport: three node JVMs on loopback ({@link NodeLauncher}, ra-log with fsync
 * on), one 3-member {@code counter} cluster, and a client node in this JVM (hosting no member) that keeps a fixed
 * number of {@code processCommandAsync} calls in flight against the leader. A command counts once its reply is back
 * at the client: client → leader → followers (fsync on each) → leader → client. Reports commands/s, p50/p99
 * latency,
 * and what the transport did per command, summed over the four nodes: bytes written and flushes (each one gathering
 * write system call).
 *
 * <pre>
 * --seconds 10      measured seconds per setting
 * --warmup 5        warm-up seconds per setting
 * --in-flight 1,64  concurrency levels
 * --fsync true      sync the write-ahead log (false: SyncMethod.NONE)
 * </pre>
 *
 * Not a unit test; see docs/benchmarks.md for the command.
 */
public final class NettyClusterBenchmark
{
    private static final Pattern COUNTER = Pattern.compile("(\\w+)=(\\d+)");

    private NettyClusterBenchmark()
    {
    }

    /**
     * @param args see the class comment.
     * @throws Exception if the benchmark fails.
     */
    public static void main(final String[] args) throws Exception
    {
        int seconds = 10;
        int warmup = 5;
        String inFlight = "1,64";
        boolean fsync = true;
        for (int i = 0; i + 1 < args.length; i += 2)
        {
            switch (args[i])
            {
                case "--seconds" -> seconds = Integer.parseInt(args[i + 1]);
                case "--warmup" -> warmup = Integer.parseInt(args[i + 1]);
                case "--in-flight" -> inFlight = args[i + 1];
                case "--fsync" -> fsync = Boolean.parseBoolean(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        try (Deployment d = new Deployment(3, "bench", List.of("fsync=" + fsync,
            "heartbeat.ms=500", "failure.timeout.ms=5000"), List.of("-Xmx1g")))
        {
            final List<ServerId> members = d.members("counter");
            d.client.startCluster("counter", "counter", members);
            final ServerId leader = d.awaitLeader("counter", List.of());
            System.out.printf("3 JVMs on loopback, ra-log fsync=%s, leader %s, native transport=%s%n", fsync, leader,
                d.clientTransport.usesNativeTransport());
            System.out.println("| in flight | commands/s | p50 latency | p99 latency | transport bytes/command | " +
                "flushes (write syscalls)/command | messages/command |");
            System.out.println("|---|---|---|---|---|---|---|");
            for (final String level : inFlight.split(","))
            {
                final int window = Integer.parseInt(level.trim());
                run(d.client, leader, window, Duration.ofSeconds(warmup), new ConcurrentHistogram(3));
                final long[] before = totals(d);
                final Histogram latency = new ConcurrentHistogram(3);
                final long startNanos = System.nanoTime();
                final long commands = run(d.client, leader, window, Duration.ofSeconds(seconds), latency);
                final double elapsed = (System.nanoTime() - startNanos) / 1e9;
                final long[] after = totals(d);
                System.out.printf(Locale.ROOT, "| %d | %,.0f | %.2f ms | %.2f ms | %.0f | %.2f | %.2f |%n", window,
                    commands / elapsed, latency.getValueAtPercentile(50) / 1e6,
                    latency.getValueAtPercentile(99) / 1e6, (after[0] - before[0]) / (double)commands,
                    (after[1] - before[1]) / (double)commands, (after[2] - before[2]) / (double)commands);
            }
        }
    }

    /**
     * Keep {@code window} commands in flight for {@code duration}.
     *
     * @return the commands completed.
     */
    private static long run(final RaSystem client, final ServerId leader, final int window, final Duration duration,
        final Histogram latency) throws InterruptedException
    {
        final long deadline = System.nanoTime() + duration.toNanos();
        final AtomicLong completed = new AtomicLong();
        final CountDownLatch lanes = new CountDownLatch(window);
        for (int i = 0; i < window; i++)
        {
            next(client, leader, deadline, completed, latency, lanes);
        }
        if (!lanes.await(duration.toSeconds() + 60, TimeUnit.SECONDS))
        {
            throw new IllegalStateException("commands stopped completing");
        }
        return completed.get();
    }

    private static void next(final RaSystem client, final ServerId leader, final long deadline,
        final AtomicLong completed, final Histogram latency, final CountDownLatch lanes)
    {
        final long start = System.nanoTime();
        if (start - deadline > 0)
        {
            lanes.countDown();
            return;
        }
        client.processCommandAsync(leader, 1L, Duration.ofSeconds(10)).whenComplete((result, error) ->
        {
            if (null != error)
            {
                System.err.println("command failed: " + error);
                lanes.countDown();
                return;
            }
            latency.recordValue(System.nanoTime() - start);
            completed.incrementAndGet();
            next(client, leader, deadline, completed, latency, lanes);
        });
    }

    /**
     * @return bytes written, flushes and messages sent, summed over the node JVMs and the client.
     */
    private static long[] totals(final Deployment d)
    {
        final List<String> lines = new ArrayList<>();
        for (final NodeJvm node : d.nodes.values())
        {
            lines.addAll(node.command("stats"));
        }
        lines.add(d.clientTransport.stats().toString());
        final long[] totals = new long[3];
        for (final String line : lines)
        {
            final Matcher m = COUNTER.matcher(line);
            while (m.find())
            {
                switch (m.group(1))
                {
                    case "bytesWritten" -> totals[0] += Long.parseLong(m.group(2));
                    case "flushes" -> totals[1] += Long.parseLong(m.group(2));
                    case "messagesSent" -> totals[2] += Long.parseLong(m.group(2));
                    default ->
                    {
                    }
                }
            }
        }
        return totals;
    }
}

package dev.ra.bench;

import dev.ra.CommandResult;
import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.runtime.injvm.InJvmNetwork;
import dev.ra.runtime.memory.InMemoryStorage;
import dev.ra.testkit.CounterMachine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;

/**
 * End-to-end throughput of a 3-node in-JVM cluster with the in-memory log: {@code processCommand} of a small command
 * (an 8-byte counter increment) with a fixed number of commands in flight, each completion sending the next. Not a
 * unit test; run it with
 *
 * <pre>
 * mvn -B -q -pl ra-core test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=dev.ra.bench.InJvmClusterBenchmark -Dexec.args="--seconds 10 --warmup 5 --loops 1"
 * </pre>
 *
 * Arguments: {@code --seconds N} measured per run (default 10), {@code --warmup N} (default 5), {@code --loops N}
 * event loops per node (default 1), {@code --in-flight a,b,...} (default 1,64).
 */
public final class InJvmClusterBenchmark
{
    private InJvmClusterBenchmark()
    {
    }

    /**
     * @param args see the class comment.
     * @throws Exception if the cluster cannot be started.
     */
    public static void main(final String[] args) throws Exception
    {
        int seconds = 10;
        int warmup = 5;
        int loops = 1;
        int[] inFlight = {1, 64};
        for (int i = 0; i < args.length; i += 2)
        {
            switch (args[i])
            {
                case "--seconds" -> seconds = Integer.parseInt(args[i + 1]);
                case "--warmup" -> warmup = Integer.parseInt(args[i + 1]);
                case "--loops" -> loops = Integer.parseInt(args[i + 1]);
                case "--in-flight" -> inFlight = java.util.Arrays.stream(args[i + 1].split(","))
                    .mapToInt(Integer::parseInt).toArray();
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        System.out.printf("ra-core in-JVM benchmark: 3 nodes, %d event loop(s) per node, %d cores, Java %s%n",
            loops, Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        final InJvmNetwork network = new InJvmNetwork();
        final List<RaSystem> systems = new ArrayList<>();
        for (int n = 1; n <= 3; n++)
        {
            systems.add(RaSystem.builder().nodeId("n" + n).transport(network.newTransport())
                .storage(new InMemoryStorage()).eventLoops(loops)
                .electionTimeout(Duration.ofMillis(1000), Duration.ofMillis(2000)).build());
        }
        try
        {
            final List<ServerId> members = List.of(new ServerId("bench", "n1"), new ServerId("bench", "n2"),
                new ServerId("bench", "n3"));
            final ServerId leader = systems.get(0).startCluster("bench", new CounterMachine(), members);
            final RaSystem client = systems.get(Integer.parseInt(leader.node().substring(1)) - 1);
            for (final int n : inFlight)
            {
                run(client, leader, n, warmup, false);
                final double rate = run(client, leader, n, seconds, true);
                System.out.printf("in flight %3d: %,12.0f commands/s%n", n, rate);
            }
        }
        finally
        {
            for (final RaSystem system : systems)
            {
                system.close();
            }
            network.close();
        }
    }

    private static double run(final RaSystem client, final ServerId leader, final int inFlight, final int seconds,
        final boolean report) throws InterruptedException
    {
        final LongAdder completed = new LongAdder();
        final LongAdder failed = new LongAdder();
        final AtomicBoolean running = new AtomicBoolean(true);
        final CompletableFuture<Void> drained = new CompletableFuture<>();
        final LongAdder outstanding = new LongAdder();
        final Long one = 1L;
        final BiConsumer<CommandResult<Long>, Throwable>[] next = new BiConsumer[1];
        next[0] = (result, error) ->
        {
            if (null == error)
            {
                completed.increment();
            }
            else
            {
                failed.increment();
            }
            if (running.get())
            {
                client.<Long>processCommandAsync(leader, one).whenComplete(next[0]);
            }
            else
            {
                outstanding.decrement();
                if (outstanding.sum() == 0)
                {
                    drained.complete(null);
                }
            }
        };
        for (int i = 0; i < inFlight; i++)
        {
            outstanding.increment();
            client.<Long>processCommandAsync(leader, one).whenComplete(next[0]);
        }
        final long start = System.nanoTime();
        final long startCount = completed.sum();
        Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
        final long count = completed.sum() - startCount;
        final long elapsed = System.nanoTime() - start;
        running.set(false);
        try
        {
            drained.get(30, TimeUnit.SECONDS);
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException("commands did not drain", ex);
        }
        if (failed.sum() > 0 && report)
        {
            System.out.printf("  (%d commands failed)%n", failed.sum());
        }
        return count * 1e9 / elapsed;
    }
}

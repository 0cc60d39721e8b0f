package dev.ra.bench;

import dev.ra.RaSystem;
import dev.ra.ServerId;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Closed-loop load generators: a fixed number of calls in flight, each completion issuing the next, for a bounded
 * time. Latency is recorded per call (issue to completion) in an HdrHistogram {@link Recorder}.
 */
public final class Driver
{
    /** Commands pre-built so that generating them is not measured. */
    private static final byte[][] COMMANDS = new byte[4096][];

    static
    {
        for (int i = 0; i < COMMANDS.length; i++)
        {
            COMMANDS[i] = Workload.put(i);
        }
    }

    private Driver()
    {
    }

    /**
     * Result of one measured window.
     *
     * @param ops       completed calls.
     * @param failed    failed calls.
     * @param seconds   window length.
     * @param histogram latencies in nanoseconds.
     */
    public record Window(long ops, long failed, double seconds, Histogram histogram)
    {
        /**
         * @return completed calls per second.
         */
        public double opsPerSecond()
        {
            return ops / seconds;
        }

        /**
         * @param percentile 0..100.
         * @return latency in milliseconds.
         */
        public double ms(final double percentile)
        {
            return histogram.getValueAtPercentile(percentile) / 1e6;
        }
    }

    /**
     * @param i sequence number.
     * @return a pre-built put command.
     */
    public static byte[] command(final long i)
    {
        return COMMANDS[(int)(i & (COMMANDS.length - 1))];
    }

    /**
     * Synchronous calls from one thread.
     *
     * @param system  the client's node.
     * @param server  target (the leader).
     * @param seconds window length.
     * @return the window.
     */
    public static Window sequential(final RaSystem system, final ServerId server, final double seconds)
    {
        final Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        final long end = System.nanoTime() + (long)(seconds * 1e9);
        final long start = System.nanoTime();
        long ops = 0;
        long failed = 0;
        long i = 0;
        long now = start;
        while (now < end)
        {
            final long t0 = System.nanoTime();
            try
            {
                system.processCommand(server, command(i++));
                now = System.nanoTime();
                h.recordValue(Math.min(now - t0, h.getHighestTrackableValue()));
                ops++;
            }
            catch (final RuntimeException ex)
            {
                failed++;
                now = System.nanoTime();
            }
        }
        return new Window(ops, failed, (now - start) / 1e9, h);
    }

    /**
     * A fixed number of asynchronous calls in flight.
     *
     * @param inFlight concurrent calls.
     * @param seconds  window length.
     * @param call     issues call number i and returns its future.
     * @return the window (calls completing after the window are drained but not counted).
     */
    public static Window pipelined(final int inFlight, final double seconds,
        final Function<Long, CompletableFuture<?>> call)
    {
        final Recorder recorder = new Recorder(TimeUnit.SECONDS.toNanos(60), 3);
        final LongAdder completed = new LongAdder();
        final LongAdder failed = new LongAdder();
        final AtomicBoolean running = new AtomicBoolean(true);
        final AtomicLong sequence = new AtomicLong();
        final AtomicLong outstanding = new AtomicLong(inFlight);
        final CompletableFuture<Void> drained = new CompletableFuture<>();
        final Runnable[] issue = new Runnable[1];
        issue[0] = () ->
        {
            final long t0 = System.nanoTime();
            final CompletableFuture<?> f;
            try
            {
                f = call.apply(sequence.getAndIncrement());
            }
            catch (final RuntimeException ex)
            {
                failed.increment();
                if (outstanding.decrementAndGet() == 0)
                {
                    drained.complete(null);
                }
                return;
            }
            f.whenComplete((r, error) ->
            {
                if (null == error)
                {
                    recorder.recordValue(Math.min(System.nanoTime() - t0, TimeUnit.SECONDS.toNanos(60)));
                    completed.increment();
                }
                else
                {
                    failed.increment();
                }
                if (running.get())
                {
                    issue[0].run();
                }
                else if (outstanding.decrementAndGet() == 0)
                {
                    drained.complete(null);
                }
            });
        };
        for (int i = 0; i < inFlight; i++)
        {
            issue[0].run();
        }
        recorder.getIntervalHistogram();
        final long start = System.nanoTime();
        final long startCount = completed.sum();
        final long startFailed = failed.sum();
        sleep(seconds);
        final long count = completed.sum() - startCount;
        final long fails = failed.sum() - startFailed;
        final long elapsed = System.nanoTime() - start;
        final Histogram h = recorder.getIntervalHistogram();
        running.set(false);
        try
        {
            drained.get(60, TimeUnit.SECONDS);
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException("calls did not drain within 60 s", ex);
        }
        return new Window(count, fails, elapsed / 1e9, h);
    }

    /**
     * @param seconds to sleep.
     */
    public static void sleep(final double seconds)
    {
        try
        {
            Thread.sleep((long)(seconds * 1000));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    /**
     * @param d a duration.
     * @return it in milliseconds, fractional.
     */
    public static double ms(final Duration d)
    {
        return d.toNanos() / 1e6;
    }
}

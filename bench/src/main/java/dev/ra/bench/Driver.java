package dev.ra.bench;

import dev.ra.RaSystem;
import dev.ra.ServerId;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
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
     * One call at a time like {@link #sequential}, but each call is issued from the previous one's completion, on
     * the thread that completes it (over a transport, the client's I/O thread) instead of by a waiting application
     * thread. Not what an application's synchronous call costs; what the library's path costs without the two thread
     * hand-offs a synchronous caller adds (the call handed to the I/O thread, the answer handed back).
     *
     * @param system  the client.
     * @param server  the leader.
     * @param seconds window length.
     * @return the window.
     */
    public static Window chainedSequential(final RaSystem system, final ServerId server, final double seconds)
    {
        final ChainedCalls calls = new ChainedCalls(system, server, seconds);
        calls.issue();
        final long last = calls.finished.orTimeout((long)seconds + 60, TimeUnit.SECONDS).join();
        return new Window(calls.ops, calls.failed, (last - calls.start) / 1e9, calls.histogram);
    }

    /**
     * The state of {@link #chainedSequential}: touched by one callback at a time, each completion happening before the
     * next call is issued.
     */
    private static final class ChainedCalls
    {
        final Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        final CompletableFuture<Long> finished = new CompletableFuture<>();
        final RaSystem system;
        final ServerId server;
        final long start = System.nanoTime();
        final long end;
        long issued;
        long ops;
        long failed;

        ChainedCalls(final RaSystem system, final ServerId server, final double seconds)
        {
            this.system = system;
            this.server = server;
            this.end = start + (long)(seconds * 1e9);
        }

        void issue()
        {
            // A loop, not recursion, for calls that complete before a callback can be attached (failures).
            while (true)
            {
                final long t0 = System.nanoTime();
                final CompletableFuture<?> call = system.processCommandAsync(server, command(issued++));
                if (!call.isDone())
                {
                    call.whenComplete((reply, error) ->
                    {
                        if (completed(t0, null != error))
                        {
                            issue();
                        }
                    });
                    return;
                }
                if (!completed(t0, call.isCompletedExceptionally()))
                {
                    return;
                }
            }
        }

        private boolean completed(final long t0, final boolean error)
        {
            final long now = System.nanoTime();
            if (error)
            {
                failed++;
            }
            else
            {
                histogram.recordValue(Math.min(now - t0, histogram.getHighestTrackableValue()));
                ops++;
            }
            if (now - end < 0)
            {
                return true;
            }
            finished.complete(now);
            return false;
        }
    }

    /**
     * A fixed number of asynchronous calls in flight, issued by the calling thread (the client's own thread, as an
     * application would): it takes a permit per call and each completion, on whatever thread completes the future,
     * records the latency and returns the permit. So the library's event loops do no client-side work for the driver.
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
        final Semaphore permits = new Semaphore(inFlight);
        final long[] counts = new long[2];
        long sequence = 0;
        final long warm = System.nanoTime();
        long start = 0;
        final long windowNanos = (long)(seconds * 1e9);
        boolean measuring = false;
        long end = Long.MAX_VALUE;
        while (true)
        {
            final long now = System.nanoTime();
            if (!measuring)
            {
                // The window starts once the pipeline is full, i.e. immediately after the first inFlight calls.
                if (sequence >= inFlight || now - warm > 1_000_000_000L)
                {
                    measuring = true;
                    recorder.getIntervalHistogram();
                    start = System.nanoTime();
                    counts[0] = completed.sum();
                    counts[1] = failed.sum();
                    end = start + windowNanos;
                }
            }
            else if (now >= end)
            {
                break;
            }
            try
            {
                if (!permits.tryAcquire(10, TimeUnit.MILLISECONDS))
                {
                    continue;
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(ex);
            }
            final long t0 = System.nanoTime();
            final CompletableFuture<?> f;
            try
            {
                f = call.apply(sequence++);
            }
            catch (final RuntimeException ex)
            {
                failed.increment();
                permits.release();
                continue;
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
                permits.release();
            });
        }
        final long count = completed.sum() - counts[0];
        final long fails = failed.sum() - counts[1];
        final long elapsed = System.nanoTime() - start;
        final Histogram h = recorder.getIntervalHistogram();
        try
        {
            if (!permits.tryAcquire(inFlight, 60, TimeUnit.SECONDS))
            {
                throw new IllegalStateException("calls did not drain within 60 s");
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
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

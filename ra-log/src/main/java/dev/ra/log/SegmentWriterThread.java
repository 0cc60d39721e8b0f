package dev.ra.log;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The storage's segment writer: one daemon thread ({@code ra-log-segment-writer}) that moves each finished WAL file's
 * entries into segment files, applies retention, prepares the next spare WAL file and writes the servers' last
 * applied indexes. It also holds the WAL writer back when it falls behind: at a rollover the WAL writer waits while
 * more than {@value #MAX_PENDING_FLUSHES} finished WAL files await it, so that WAL files and memtables stay bounded
 * when the disk cannot keep up (acknowledgements pause, which slows the servers' pipelines down in turn).
 */
final class SegmentWriterThread
{
    private static final Logger LOG = LoggerFactory.getLogger(SegmentWriterThread.class);

    /** Finished WAL files that may await the segment writer before the WAL writer waits. */
    private static final int MAX_PENDING_FLUSHES = 4;

    /** Moves a finished WAL file's entries into segment files. */
    interface Flush
    {
        void flush(Path finished) throws IOException;
    }

    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r ->
    {
        final Thread t = new Thread(r, "ra-log-segment-writer");
        t.setDaemon(true);
        return t;
    });
    private final Object flushProgress = new Object();
    private int pendingFlushes;
    private final LongAdder flushes = new LongAdder();
    private final LongAdder backPressureWaits = new LongAdder();
    /** Set when the close gave up waiting with work left: that work is redone from the WAL at the next open. */
    private volatile boolean abandonedWork;

    /**
     * A WAL file was finished (on the WAL writer's thread): hand it to the segment writer, and wait while too many
     * finished files await it (unless the storage failed, or this thread is interrupted).
     *
     * @param finished the WAL file.
     * @param flush moves its entries into segments.
     * @param failure the storage's failure, if any: nothing is waited for once it failed.
     * @param fail called with what the flush threw.
     */
    void handOver(final Path finished, final Flush flush, final Supplier<Throwable> failure,
        final Consumer<Throwable> fail)
    {
        synchronized (flushProgress)
        {
            pendingFlushes++;
        }
        executor.execute(() ->
        {
            try
            {
                flush.flush(finished);
                flushes.increment();
            }
            catch (final Throwable t)
            {
                LOG.error("segment writer failed on {}", finished, t);
                fail.accept(t);
            }
            finally
            {
                synchronized (flushProgress)
                {
                    pendingFlushes--;
                    flushProgress.notifyAll();
                }
            }
        });
        synchronized (flushProgress)
        {
            if (pendingFlushes > MAX_PENDING_FLUSHES && null == failure.get())
            {
                backPressureWaits.increment();
            }
            while (pendingFlushes > MAX_PENDING_FLUSHES && null == failure.get())
            {
                try
                {
                    flushProgress.wait(100);
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /**
     * @return whether another finished WAL file waits besides the one being moved.
     */
    boolean hasBacklog()
    {
        synchronized (flushProgress)
        {
            return pendingFlushes > 1;
        }
    }

    /**
     * Run {@code task} on the segment writer, unless the storage is closing (then it is dropped).
     *
     * @return false if it was dropped.
     */
    boolean executeUnlessClosing(final Runnable task)
    {
        try
        {
            executor.execute(task);
            return true;
        }
        catch (final RejectedExecutionException closing)
        {
            return false;
        }
    }

    /**
     * Run {@code task} on the segment writer and return what it returns.
     *
     * @throws RejectedExecutionException once closing.
     */
    <T> Future<T> submit(final Callable<T> task)
    {
        return executor.submit(task);
    }

    /**
     * Run {@code task} on the segment writer every {@code interval}, until closed.
     */
    void scheduleEvery(final Duration interval, final Runnable task)
    {
        final long intervalMs = interval.toMillis();
        executor.scheduleWithFixedDelay(task, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
    }

    /**
     * @return WAL files moved into segments.
     */
    long flushes()
    {
        return flushes.sum();
    }

    /**
     * @return times the WAL writer waited for the segment writer at a rollover.
     */
    long backPressureWaits()
    {
        return backPressureWaits.sum();
    }

    /**
     * Wait until the segment writer has finished the work queued so far.
     *
     * @param timeout how long to wait at most.
     * @return true if it finished in time.
     */
    boolean awaitIdle(final Duration timeout)
    {
        try
        {
            executor.submit(() -> { }).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        }
        catch (final RejectedExecutionException closed)
        {
            // Closed: it finished its work, or was stopped with work left.
            return executor.isTerminated() && !abandonedWork;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return false;
        }
        catch (final ExecutionException | TimeoutException ex)
        {
            return false;
        }
    }

    /**
     * Let the queued work finish, for at most {@code bound}; what is left then is abandoned (redone from the WAL at
     * the next open). An interrupted caller (a worker told to stop, closing the storage on its way out) still waits,
     * as for the WAL writer, and gets its interrupt back.
     */
    void close(final Duration bound)
    {
        executor.shutdown();
        final long deadline = System.nanoTime() + bound.toNanos();
        boolean interrupted = false;
        while (true)
        {
            try
            {
                if (!executor.awaitTermination(deadline - System.nanoTime(), TimeUnit.NANOSECONDS))
                {
                    LOG.warn("segment writer did not finish within {} s; remaining WAL files are replayed at next open",
                        bound.toSeconds());
                    abandonedWork = true;
                    executor.shutdownNow();
                }
                break;
            }
            catch (final InterruptedException ex)
            {
                interrupted = true;
            }
        }
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
    }

    /** Stop at once, dropping queued work (a storage that failed to open). */
    void closeNow()
    {
        executor.shutdownNow();
    }
}

package dev.ra.log;

import dev.ra.spi.LogListener;
import java.time.Duration;

/**
 * Records durability reports and failures; lets a test wait for a report with a bounded timeout.
 */
final class RecordingListener implements LogListener
{
    private long index;
    private long term;
    private Throwable failure;
    private int reports;

    @Override
    public synchronized void onWritten(final long writtenIndex, final long writtenTerm)
    {
        index = writtenIndex;
        term = writtenTerm;
        reports++;
        notifyAll();
    }

    @Override
    public synchronized void onFailure(final Throwable cause)
    {
        failure = cause;
        notifyAll();
    }

    synchronized long index()
    {
        return index;
    }

    synchronized long term()
    {
        return term;
    }

    synchronized int reports()
    {
        return reports;
    }

    synchronized Throwable failure()
    {
        return failure;
    }

    /**
     * Wait until a report reaches {@code target} (or a failure arrives).
     *
     * @param target index to wait for.
     * @return true if reached.
     */
    synchronized boolean awaitIndex(final long target) throws InterruptedException
    {
        final long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (index < target && null == failure)
        {
            final long left = deadline - System.nanoTime();
            if (left <= 0)
            {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return index >= target;
    }

    /**
     * Wait for a report of exactly {@code target}/{@code targetTerm}.
     *
     * @param target     index.
     * @param targetTerm term.
     * @return true if seen.
     */
    synchronized boolean awaitReport(final long target, final long targetTerm) throws InterruptedException
    {
        final long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while ((index != target || term != targetTerm) && null == failure)
        {
            final long left = deadline - System.nanoTime();
            if (left <= 0)
            {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return index == target && term == targetTerm;
    }

    synchronized boolean awaitFailure() throws InterruptedException
    {
        final long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (null == failure)
        {
            final long left = deadline - System.nanoTime();
            if (left <= 0)
            {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }
}

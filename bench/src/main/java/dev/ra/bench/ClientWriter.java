package dev.ra.bench;

import dev.ra.CommandResult;
import dev.ra.RaSystem;
import dev.ra.ServerId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * An application's writer on a client node, for {@link ClientFailover}: one thread, one synchronous
 * {@code processCommand} after another, each to the leader the last successful answer named, the next sent as soon as
 * the previous one completed or failed. Every outcome is kept (start, end, leader or exception), so the figure can
 * find the first write a new leader committed after a kill. Can be paused (no write in flight) and resumed.
 */
final class ClientWriter implements AutoCloseable
{
    /**
     * One write's outcome.
     *
     * @param startNanos when it was sent.
     * @param endNanos   when it completed.
     * @param leader     node of the leader that committed it, or null if it failed.
     * @param error      simple name of the exception it failed with, or null.
     */
    record Outcome(long startNanos, long endNanos, String leader, String error)
    {
    }

    private final RaSystem client;
    private final Duration timeout;
    private final Thread thread;
    private final List<Outcome> outcomes = new ArrayList<>();
    private volatile boolean running = true;
    private boolean paused;
    private boolean writing;
    private ServerId target;
    private long seq;

    /**
     * Start writing.
     *
     * @param client  the client node.
     * @param first   member addressed first.
     * @param timeout of each write.
     */
    ClientWriter(final RaSystem client, final ServerId first, final Duration timeout)
    {
        this.client = client;
        this.timeout = timeout;
        this.target = first;
        this.thread = new Thread(this::loop, "client-writer");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop()
    {
        while (running)
        {
            synchronized (this)
            {
                while (paused && running)
                {
                    try
                    {
                        wait(100);
                    }
                    catch (final InterruptedException ex)
                    {
                        return;
                    }
                }
                writing = true;
            }
            final long start = System.nanoTime();
            String leader = null;
            String error = null;
            try
            {
                final CommandResult<Long> result = client.processCommand(target, Driver.command(++seq), timeout);
                leader = result.leader().node();
                target = result.leader();
            }
            catch (final RuntimeException ex)
            {
                error = ex.getClass().getSimpleName();
            }
            final Outcome outcome = new Outcome(start, System.nanoTime(), leader, error);
            synchronized (this)
            {
                outcomes.add(outcome);
                writing = false;
                notifyAll();
            }
        }
    }

    /**
     * Stop writing once the write in flight has completed, and forget the outcomes so far.
     */
    synchronized void pause()
    {
        paused = true;
        while (writing)
        {
            try
            {
                wait(100);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return;
            }
        }
        outcomes.clear();
    }

    synchronized void resume()
    {
        paused = false;
        notifyAll();
    }

    /**
     * Wait for a write committed by the leader on {@code node}.
     *
     * @return whether one came by the deadline.
     */
    boolean awaitSuccessVia(final String node, final long deadline)
    {
        final long from = System.nanoTime();
        while (System.nanoTime() < deadline)
        {
            synchronized (this)
            {
                for (int i = outcomes.size() - 1; i >= 0 && outcomes.get(i).startNanos() >= from; i--)
                {
                    if (node.equals(outcomes.get(i).leader()))
                    {
                        return true;
                    }
                }
            }
            Driver.sleep(0.01);
        }
        return false;
    }

    /**
     * @return the first write completed after {@code t0} by a leader other than the one on {@code oldNode}, or null.
     */
    synchronized Outcome firstSuccessAfter(final long t0, final String oldNode)
    {
        for (final Outcome o : outcomes)
        {
            if (o.endNanos() - t0 > 0 && null != o.leader() && !oldNode.equals(o.leader()))
            {
                return o;
            }
        }
        return null;
    }

    /**
     * @return the writes that failed with an end between the two times, counted by exception.
     */
    synchronized Map<String, Integer> failuresBetween(final long fromNanos, final long toNanos)
    {
        final Map<String, Integer> failures = new TreeMap<>();
        for (final Outcome o : outcomes)
        {
            if (null != o.error() && o.endNanos() - fromNanos > 0 && o.endNanos() - toNanos <= 0)
            {
                failures.merge(o.error(), 1, Integer::sum);
            }
        }
        return failures;
    }

    @Override
    public void close()
    {
        running = false;
        resume();
        try
        {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}

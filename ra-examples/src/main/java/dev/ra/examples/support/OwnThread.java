package dev.ra.examples.support;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The one daemon thread of a client-side object (a lease, a watcher, a latch): its work and the application's
 * callbacks run there, one at a time. A callback may close the object, so closing must know whether it runs on that
 * thread: waiting there for the thread to end would wait for the callback itself to return. Thread-safe.
 */
public final class OwnThread
{
    private final ScheduledExecutorService executor;
    private volatile Thread thread;

    /**
     * @param name of the thread.
     */
    public OwnThread(final String name)
    {
        this.executor = Executors.newSingleThreadScheduledExecutor(r ->
        {
            final Thread created = new Thread(r, name);
            created.setDaemon(true);
            thread = created;
            return created;
        });
    }

    /**
     * @return the executor that runs on the thread.
     */
    public ScheduledExecutorService executor()
    {
        return executor;
    }

    /**
     * @return whether the caller runs on the thread (a callback).
     */
    public boolean isCurrent()
    {
        return Thread.currentThread() == thread;
    }

    /**
     * Wait, after a shutdown, for the thread to end; return at once when called from the thread itself.
     *
     * @param wait the longest wait.
     */
    public void awaitEnd(final Duration wait)
    {
        if (isCurrent())
        {
            return;
        }
        try
        {
            executor.awaitTermination(wait.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}

package dev.ra.runtime;

import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads of one event loop on which its servers' term and vote writes wait for their syncs, so the loop goes on
 * running its other servers meanwhile, and the syncs of several servers overlap on the device. A server whose write
 * is in flight holds back what its steps do next until the write has returned (see {@link ServerProcess}): nothing
 * it sends leaves before its term and vote are durable. Idle threads exit.
 */
final class TermAndVoteWriters implements Executor
{
    /**
     * Writes in flight at once per loop: at thousands of clusters electing together, one loop's servers then wait
     * for a few syncs at a time rather than one after the other.
     */
    static final int THREADS = 4;

    private final ThreadPoolExecutor threads;

    /**
     * @param loopName name of the loop, the prefix of its writers' names.
     */
    TermAndVoteWriters(final String loopName)
    {
        final AtomicInteger n = new AtomicInteger();
        threads = new ThreadPoolExecutor(THREADS, THREADS, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r ->
        {
            final Thread t = new Thread(r, loopName + "-term-vote-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        threads.allowCoreThreadTimeOut(true);
    }

    @Override
    public void execute(final Runnable write)
    {
        threads.execute(write);
    }

    /**
     * The loop stops: writes already queued still run (their servers are stopping), none are taken any more.
     */
    void shutdown()
    {
        threads.shutdown();
    }
}

package dev.ra.runtime;

import java.util.concurrent.Executor;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads of one event loop on which its servers' term and vote writes wait for their syncs, so the loop goes on
 * running its other servers meanwhile, and the syncs of several servers overlap on the device. A server whose write
 * is in flight holds back what its steps do next until the write has returned (see {@link ServerProcess}): nothing
 * it sends leaves before its term and vote are durable.
 *
 * <p>One thread always waits: a write is what an election waits for, and elections are rare, so a pool whose idle
 * threads all exit would start a thread for nearly every one; starting it (the loop waits until the new thread runs)
 * cost 0.2–7 ms on a busy two-core machine, on the path of every failover, twice (the candidate's write, then its
 * voter's). More threads, up to {@link #THREADS}, start while writes overlap and exit once idle.
 */
final class TermAndVoteWriters implements Executor
{
    /**
     * Writes in flight at once per loop: at thousands of clusters electing together, one loop's servers then wait
     * for a few syncs at a time rather than one after the other.
     */
    static final int THREADS = 4;

    private static final long IDLE_SECONDS = 30;

    /**
     * Hands a write to a thread that waits for one, and otherwise refuses it, so that the pool starts another thread
     * (up to its maximum) instead of queueing it; past the maximum the pool's refusal queues it ({@link #queue}).
     */
    private static final class HandOff extends LinkedTransferQueue<Runnable>
    {
        private static final long serialVersionUID = 1L;

        @Override
        public boolean offer(final Runnable write)
        {
            return tryTransfer(write);
        }

        void queue(final Runnable write)
        {
            super.offer(write);
        }
    }

    private final HandOff handOff = new HandOff();
    private final ThreadPoolExecutor threads;

    /**
     * @param loopName name of the loop, the prefix of its writers' names.
     */
    TermAndVoteWriters(final String loopName)
    {
        final AtomicInteger n = new AtomicInteger();
        threads = new ThreadPoolExecutor(1, THREADS, IDLE_SECONDS, TimeUnit.SECONDS, handOff, r ->
        {
            final Thread t = new Thread(r, loopName + "-term-vote-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        }, (write, pool) ->
        {
            if (pool.isShutdown())
            {
                throw new RejectedExecutionException("the loop " + loopName + " is stopping");
            }
            handOff.queue(write);
        });
        threads.prestartCoreThread();
    }

    @Override
    public void execute(final Runnable write)
    {
        threads.execute(write);
    }

    /**
     * @return threads alive now (for tests).
     */
    int threadCount()
    {
        return threads.getPoolSize();
    }

    /**
     * @return whether a thread waits for a write now (for tests).
     */
    boolean threadWaiting()
    {
        return handOff.hasWaitingConsumer();
    }

    /**
     * The loop stops: writes already queued still run (their servers are stopping), none are taken any more.
     */
    void shutdown()
    {
        threads.shutdown();
    }
}

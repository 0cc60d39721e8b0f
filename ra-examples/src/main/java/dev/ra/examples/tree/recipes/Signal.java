package dev.ra.examples.tree.recipes;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A wake-up a watch callback gives to a waiting recipe. Waits are capped at {@link #RECHECK}: a recipe looks at the
 * tree again at least that often, so a watch event lost in a failover (or a watch that could not be set) delays it by
 * at most that much instead of leaving it stuck.
 */
final class Signal
{
    /** The longest a recipe waits for an event before it looks again. */
    static final Duration RECHECK = Duration.ofSeconds(1);

    private final Semaphore permits = new Semaphore(0);

    void fire()
    {
        permits.release();
    }

    /**
     * Wait for a fire, until the deadline or {@link #RECHECK}, whichever comes first.
     *
     * @param deadlineNanos on {@link System#nanoTime()}'s scale.
     * @throws InterruptedException if interrupted.
     */
    void await(final long deadlineNanos) throws InterruptedException
    {
        final long wait = Math.min(deadlineNanos - System.nanoTime(), RECHECK.toNanos());
        if (wait > 0)
        {
            permits.tryAcquire(wait, TimeUnit.NANOSECONDS);
        }
    }

    static long deadline(final Duration timeout)
    {
        final long now = System.nanoTime();
        final long nanos = timeout.toNanos();
        return nanos > Long.MAX_VALUE - now ? Long.MAX_VALUE : now + nanos;
    }
}

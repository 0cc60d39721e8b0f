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
    private static final Duration LONGEST = Duration.ofNanos(Long.MAX_VALUE / 2);

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

    /**
     * @param timeout from now; a negative one is already over, and one too long for nanoseconds (as
     *                {@code ChronoUnit.FOREVER.getDuration()}) is some 146 years.
     * @return the deadline on {@link System#nanoTime()}'s scale, to compare by difference only.
     */
    static long deadline(final Duration timeout)
    {
        // nanoTime deadlines compare correctly by difference for spans under 2^63 ns, whatever the origin (it may be
        // negative): half of that is the longest wait that keeps every comparison right.
        final long nanos = timeout.isNegative() ? 0 : timeout.compareTo(LONGEST) > 0 ? LONGEST.toNanos() :
            timeout.toNanos();
        return System.nanoTime() + nanos;
    }
}

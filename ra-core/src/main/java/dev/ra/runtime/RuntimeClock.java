package dev.ra.runtime;

/**
 * Where the runtime shell reads the time: deadlines of calls and timers, the time handed to the core with each event,
 * process ids. Everything in {@code dev.ra.runtime} reads it through this interface, so a test can drive timeouts with
 * a clock of its own instead of waiting ({@link RuntimeConfig#clock()}). Implementations must be thread-safe and
 * {@link #nanoTime} must never go backwards.
 */
public interface RuntimeClock
{
    /**
     * @return a monotonic time in nanoseconds with an arbitrary origin, for deadlines and intervals (as
     *         {@link System#nanoTime}).
     */
    long nanoTime();

    /**
     * @return the wall-clock time in milliseconds since the epoch (as {@link System#currentTimeMillis}).
     */
    long currentTimeMillis();

    /**
     * @return the clock of the system.
     */
    static RuntimeClock system()
    {
        return SystemClock.INSTANCE;
    }
}

package dev.ra.runtime;

import java.time.Duration;

/**
 * Durations a caller gives (a call's timeout, the node's default timeout) as nanoseconds on the runtime clock. A
 * timeout is any positive duration; one longer than {@link #LONGEST_NANOS} (about 73 years) waits that long, which is
 * to say without a limit: {@link Duration#toNanos()} would throw beyond 292 years, and a deadline further than that
 * from the clock's reading would overflow.
 */
final class Durations
{
    /** The longest wait, about 73 years: deadlines this far apart still compare correctly by difference. */
    static final long LONGEST_NANOS = LoopTimer.LONGEST_DELAY_NANOS;

    private static final Duration LONGEST = Duration.ofNanos(LONGEST_NANOS);

    private Durations()
    {
    }

    /**
     * @param duration not negative.
     * @return it in nanoseconds, at most {@link #LONGEST_NANOS}.
     */
    static long nanos(final Duration duration)
    {
        return duration.compareTo(LONGEST) > 0 ? LONGEST_NANOS : duration.toNanos();
    }
}

package dev.ra.runtime;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link RuntimeClock} that moves only when a test moves it.
 */
final class ManualClock implements RuntimeClock
{
    private final AtomicLong nanos;
    private final AtomicLong millis = new AtomicLong(1_700_000_000_000L);

    ManualClock()
    {
        this(1_000_000_000L);
    }

    /**
     * @param originNanos what {@link #nanoTime} starts at; any value, negative too, as {@link System#nanoTime}'s
     *                    origin is arbitrary.
     */
    ManualClock(final long originNanos)
    {
        nanos = new AtomicLong(originNanos);
    }

    @Override
    public long nanoTime()
    {
        return nanos.get();
    }

    @Override
    public long currentTimeMillis()
    {
        return millis.get();
    }

    void advance(final Duration by)
    {
        nanos.addAndGet(by.toNanos());
        millis.addAndGet(by.toMillis());
    }
}

package dev.ra.transport.netty;

import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * Logs refused connections and rejected frames at WARN, at most {@link #PER_WINDOW} every ten seconds: a node under a
 * flood of bad connections (a scan, a fuzzer, a misconfigured peer retrying) logs why at once, then a line now and
 * then, without drowning its log. The number suppressed is reported with the next warning that gets through (the rest
 * go to DEBUG). Thread-safe.
 */
final class RateLimitedWarnings
{
    static final int PER_WINDOW = 10;
    private static final long WINDOW_NANOS = 10_000_000_000L;

    private final Logger log;
    private final AtomicLong windowStartNanos = new AtomicLong(System.nanoTime());
    private final AtomicLong inWindow = new AtomicLong();
    private final AtomicLong suppressed = new AtomicLong();

    RateLimitedWarnings(final Logger log)
    {
        this.log = log;
    }

    void warn(final String format, final Object... args)
    {
        final long now = System.nanoTime();
        final long start = windowStartNanos.get();
        if (now - start > WINDOW_NANOS && windowStartNanos.compareAndSet(start, now))
        {
            inWindow.set(0);
        }
        if (inWindow.incrementAndGet() <= PER_WINDOW)
        {
            final long skipped = suppressed.getAndSet(0);
            log.warn(skipped > 0 ? format + " (" + skipped + " similar warnings suppressed)" : format, args);
        }
        else
        {
            suppressed.incrementAndGet();
            log.debug(format, args);
        }
    }
}

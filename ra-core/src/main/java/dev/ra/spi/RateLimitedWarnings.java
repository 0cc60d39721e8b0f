package dev.ra.spi;

import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * Warnings about input from outside (a transport's refused connections and rejected frames, the runtime's messages
 * from other nodes that do not decode), at most {@link #PER_WINDOW} every ten seconds: a node under a flood of bad
 * input (a scan, a fuzzer, a misconfigured peer retrying) logs why at once, then a line now and then, without
 * drowning its log. The number suppressed is reported with the next warning that gets through (the rest go to
 * DEBUG). Thread-safe.
 */
public final class RateLimitedWarnings
{
    /** Warnings logged per window; the rest go to DEBUG and are counted. */
    public static final int PER_WINDOW = 10;
    private static final long WINDOW_NANOS = 10_000_000_000L;

    private final Logger log;
    private final AtomicLong windowStartNanos = new AtomicLong(System.nanoTime());
    private final AtomicLong inWindow = new AtomicLong();
    private final AtomicLong suppressed = new AtomicLong();

    /**
     * @param log where the warnings go.
     */
    public RateLimitedWarnings(final Logger log)
    {
        this.log = log;
    }

    /**
     * Log at WARN unless {@link #PER_WINDOW} warnings were logged in the last ten seconds (then at DEBUG, counted).
     *
     * @param format SLF4J message format.
     * @param args   its arguments (a last Throwable is logged with its stack trace, as SLF4J does).
     */
    public void warn(final String format, final Object... args)
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

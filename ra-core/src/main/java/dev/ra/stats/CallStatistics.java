package dev.ra.stats;

import dev.ra.RaTimeoutException;
import java.util.concurrent.atomic.LongAdder;

/**
 * The client calls a node made (the caller's side), per {@link CallKind}: how long each took from its start to its
 * completion (whatever the outcome), how many timed out, how many failed otherwise, and how many redirects they
 * followed. Lock-free and allocation-free to record; thread-safe.
 */
public final class CallStatistics
{
    private static final int KINDS = CallKind.values().length;

    private final LatencyHistogram[] latency = new LatencyHistogram[KINDS];
    private final LongAdder[] timeouts = new LongAdder[KINDS];
    private final LongAdder[] failures = new LongAdder[KINDS];
    private final LongAdder[] redirects = new LongAdder[KINDS];

    /**
     * No calls yet.
     */
    public CallStatistics()
    {
        for (int i = 0; i < KINDS; i++)
        {
            latency[i] = new LatencyHistogram();
            timeouts[i] = new LongAdder();
            failures[i] = new LongAdder();
            redirects[i] = new LongAdder();
        }
    }

    /**
     * A call completed.
     *
     * @param kind  of the call.
     * @param nanos since it started.
     * @param error it failed with, or null if it succeeded; a {@link RaTimeoutException} counts as a timeout.
     */
    public void completed(final CallKind kind, final long nanos, final Throwable error)
    {
        latency[kind.ordinal()].record(nanos);
        if (error instanceof RaTimeoutException)
        {
            timeouts[kind.ordinal()].increment();
        }
        else if (null != error)
        {
            failures[kind.ordinal()].increment();
        }
    }

    /**
     * A call was answered "not the leader" (or "no such server") and follows the answer elsewhere.
     *
     * @param kind of the call.
     */
    public void redirected(final CallKind kind)
    {
        redirects[kind.ordinal()].increment();
    }

    /**
     * @param kind of call.
     * @return the latencies of the calls of that kind completed so far.
     */
    public LatencySnapshot latency(final CallKind kind)
    {
        return latency[kind.ordinal()].snapshot();
    }

    /**
     * @param kind of call.
     * @return calls of that kind that timed out ({@link RaTimeoutException}).
     */
    public long timeouts(final CallKind kind)
    {
        return timeouts[kind.ordinal()].sum();
    }

    /**
     * @param kind of call.
     * @return calls of that kind that failed otherwise than by a timeout (no leader, not applied, outcome unknown,
     *     refused, ...).
     */
    public long failures(final CallKind kind)
    {
        return failures[kind.ordinal()].sum();
    }

    /**
     * @param kind of call.
     * @return redirects the calls of that kind followed.
     */
    public long redirects(final CallKind kind)
    {
        return redirects[kind.ordinal()].sum();
    }
}

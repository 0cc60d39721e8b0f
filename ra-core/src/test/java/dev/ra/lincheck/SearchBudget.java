package dev.ra.lincheck;

import java.time.Duration;
import java.util.Objects;

/**
 * Limits on the search effort spent on a single key. Linearizability checking is NP-complete in general, so
 * a pathological history must end in an explicit {@link Verdict#UNKNOWN} instead of hanging the test run.
 *
 * @param maxStepsPerKey maximum number of search steps (candidate attempts and backtracks) per key; also
 *                       bounds the memo table, which grows by at most one entry per step
 * @param maxTimePerKey  maximum wall-clock time per key
 */
public record SearchBudget(long maxStepsPerKey, Duration maxTimePerKey)
{
    /** Generous enough for simulation histories, small enough to keep memory bounded (a few hundred MB at worst). */
    public static final SearchBudget DEFAULT = new SearchBudget(2_000_000, Duration.ofSeconds(10));

    /** Checks that both limits are positive. */
    public SearchBudget
    {
        Objects.requireNonNull(maxTimePerKey, "maxTimePerKey");
        if (maxStepsPerKey <= 0)
        {
            throw new IllegalArgumentException("maxStepsPerKey must be positive: " + maxStepsPerKey);
        }
        if (maxTimePerKey.isNegative() || maxTimePerKey.isZero())
        {
            throw new IllegalArgumentException("maxTimePerKey must be positive: " + maxTimePerKey);
        }
    }

    /** This budget with a different step limit. */
    public SearchBudget withMaxStepsPerKey(final long steps)
    {
        return new SearchBudget(steps, maxTimePerKey);
    }

    /** This budget with a different time limit. */
    public SearchBudget withMaxTimePerKey(final Duration time)
    {
        return new SearchBudget(maxStepsPerKey, time);
    }
}

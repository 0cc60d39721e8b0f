package dev.ra.lincheck;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The verdict for a whole history: since each key is an independent register, the history is linearizable
 * iff every key is (P-compositionality). A single non-linearizable key makes the whole history
 * {@link Verdict#NOT_LINEARIZABLE}; otherwise a single key whose search ran out of budget makes it
 * {@link Verdict#UNKNOWN}.
 *
 * @param verdict    the combined verdict
 * @param keyResults the verdict per key, ordered by key
 */
public record CheckResult(Verdict verdict, Map<String, KeyCheckResult> keyResults)
{
    /** Checks that the verdict is present; keeps the per-key results as an unmodifiable map ordered by key. */
    public CheckResult
    {
        Objects.requireNonNull(verdict, "verdict");
        keyResults = Collections.unmodifiableMap(new TreeMap<>(keyResults));
    }

    /** Combines per-key results into the verdict for the whole history. */
    public static CheckResult of(final Map<String, KeyCheckResult> keyResults)
    {
        Verdict combined = Verdict.LINEARIZABLE;
        for (final KeyCheckResult result : keyResults.values())
        {
            if (result.verdict() == Verdict.NOT_LINEARIZABLE)
            {
                combined = Verdict.NOT_LINEARIZABLE;
                break;
            }
            if (result.verdict() == Verdict.UNKNOWN)
            {
                combined = Verdict.UNKNOWN;
            }
        }
        return new CheckResult(combined, keyResults);
    }

    /** Whether the whole history is linearizable; {@code false} both for violations and for exhausted budgets. */
    public boolean linearizable()
    {
        return verdict == Verdict.LINEARIZABLE;
    }

    /** The result for one key, or {@code null} if the history has no operation on it. */
    public KeyCheckResult keyResult(final String key)
    {
        return keyResults.get(key);
    }

    /** The keys proven not linearizable. */
    public List<KeyCheckResult> violations()
    {
        return withVerdict(Verdict.NOT_LINEARIZABLE);
    }

    /** The keys whose search ran out of budget. */
    public List<KeyCheckResult> undecided()
    {
        return withVerdict(Verdict.UNKNOWN);
    }

    /** A human-readable account: the explanations of every key that is not linearizable or undecided. */
    public String explanation()
    {
        if (linearizable())
        {
            return "History is linearizable (" + keyResults.size() + " keys checked).";
        }
        final List<KeyCheckResult> interesting = new ArrayList<>(violations());
        interesting.addAll(undecided());
        return "History verdict: " + verdict + " (" + violations().size() + " violating and " +
                undecided().size() + " undecided of " + keyResults.size() + " keys)\n\n" +
                interesting.stream().map(KeyCheckResult::explanation).collect(Collectors.joining("\n\n"));
    }

    @Override
    public String toString()
    {
        return explanation();
    }

    private List<KeyCheckResult> withVerdict(final Verdict wanted)
    {
        return keyResults.values().stream().filter(result -> result.verdict() == wanted).toList();
    }
}

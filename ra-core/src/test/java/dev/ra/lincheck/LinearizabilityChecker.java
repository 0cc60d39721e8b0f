package dev.ra.lincheck;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Checks whether a key-value history is linearizable with respect to an atomic register per key
 * (read / write / compare-and-set, every key initially absent).
 *
 * <p>Linearizability is compositional: a history is linearizable iff the sub-history of every key is.
 * The checker therefore partitions the history by key and runs an independent Wing–Gong–Lowe search per
 * key, which turns one exponential problem over the whole history into many small ones.
 *
 * <p>Outcome handling: {@link Outcome#FAILED} operations are discarded, {@link Outcome#UNKNOWN} reads are
 * discarded (they constrain nothing), and {@link Outcome#UNKNOWN} writes and compare-and-sets may be
 * linearized anywhere after their invocation, or not at all.
 *
 * <p>Each key's search is bounded by a {@link SearchBudget}; a key that exhausts it gets
 * {@link Verdict#UNKNOWN}, never a false "linearizable". Before searching, a key on which an operation observed a
 * value no operation wrote is refuted at once (no order can explain it). Instances are immutable and thread-safe.
 */
public final class LinearizabilityChecker
{
    private final SearchBudget budget;
    private final boolean refuteUnwrittenValues;

    /** A checker with {@link SearchBudget#DEFAULT}. */
    public LinearizabilityChecker()
    {
        this(SearchBudget.DEFAULT);
    }

    /** A checker that spends at most {@code budget} on each key. */
    public LinearizabilityChecker(final SearchBudget budget)
    {
        this(budget, true);
    }

    private LinearizabilityChecker(final SearchBudget budget, final boolean refuteUnwrittenValues)
    {
        this.budget = Objects.requireNonNull(budget, "budget");
        this.refuteUnwrittenValues = refuteUnwrittenValues;
    }

    /**
     * A checker that always searches, even for a value nobody wrote: for measuring and testing the search itself.
     *
     * @param budget spent at most on each key.
     * @return the checker.
     */
    public static LinearizabilityChecker searchOnly(final SearchBudget budget)
    {
        return new LinearizabilityChecker(budget, false);
    }

    /** Checks everything recorded in {@code history} so far (pending operations count as UNKNOWN). */
    public CheckResult check(final History history)
    {
        return check(history.operations());
    }

    /** Checks a history given as a collection of operations on any number of keys. */
    public CheckResult check(final Collection<Operation> operations)
    {
        final Map<String, List<Operation>> byKey = new TreeMap<>();
        for (final Operation op : operations)
        {
            byKey.computeIfAbsent(op.key(), key -> new ArrayList<>()).add(op);
        }
        final Map<String, KeyCheckResult> results = new LinkedHashMap<>();
        byKey.forEach((key, opsOnKey) -> results.put(key, checkKey(key, opsOnKey)));
        return CheckResult.of(results);
    }

    /** Checks the operations on a single key; every operation must be on {@code key}. */
    public KeyCheckResult checkKey(final String key, final Collection<Operation> operationsOnKey)
    {
        for (final Operation op : operationsOnKey)
        {
            if (!op.key().equals(key))
            {
                throw new IllegalArgumentException(
                        "operation on key " + op.key() + " passed for key " + key + ": " + op);
            }
        }
        final KeyHistory history = new KeyHistory(key, List.copyOf(operationsOnKey));
        final Optional<Operation> impossible = refuteUnwrittenValues ? history.observesUnwrittenValue() :
            Optional.empty();
        if (impossible.isPresent())
        {
            return new KeyCheckResult(key, Verdict.NOT_LINEARIZABLE, history.checked(), List.of(), 0,
                    "Key \"" + key + "\": NOT LINEARIZABLE: " + impossible.get().describe() +
                    " observed a value that no operation on the key wrote");
        }
        return new WglSearch(history, budget).run();
    }

    /** The budget applied to each key. */
    public SearchBudget budget()
    {
        return budget;
    }
}

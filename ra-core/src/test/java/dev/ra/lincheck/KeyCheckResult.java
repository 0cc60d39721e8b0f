package dev.ra.lincheck;

import java.util.List;
import java.util.Objects;

/**
 * The verdict for the operations on one key.
 *
 * @param key                        the register key
 * @param verdict                    linearizable, not linearizable, or unknown (budget exhausted)
 * @param operations                 the operations that were checked: those on this key, minus FAILED
 *                                   operations and UNKNOWN reads, which constrain nothing
 * @param longestLinearizablePrefix  the longest sequence of operations the search managed to linearize, in
 *                                   linearization order; for a linearizable key this is a complete witness
 *                                   (every OK operation, plus whichever UNKNOWN updates it chose to apply)
 * @param steps                      the number of search steps spent
 * @param explanation                a human-readable account of the verdict
 */
public record KeyCheckResult(
        String key,
        Verdict verdict,
        List<Operation> operations,
        List<Operation> longestLinearizablePrefix,
        long steps,
        String explanation)
{
    /** Checks that the key, verdict and explanation are present; copies the operation lists. */
    public KeyCheckResult
    {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(verdict, "verdict");
        operations = List.copyOf(operations);
        longestLinearizablePrefix = List.copyOf(longestLinearizablePrefix);
        Objects.requireNonNull(explanation, "explanation");
    }

    /** Whether a linearization was found for this key. */
    public boolean linearizable()
    {
        return verdict == Verdict.LINEARIZABLE;
    }
}

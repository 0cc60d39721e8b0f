package dev.ra.lincheck;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns the end state of a search into a message a person debugging a Raft run can act on: which key,
 * how far the search got, what the register held there, and why each operation that could have come next
 * was rejected.
 */
final class ViolationExplainer
{
    /** Long prefixes are cut to their tail: the interesting part is just before the dead end. */
    private static final int MAX_PREFIX_LINES = 20;
    private static final int MAX_REMAINING_LINES = 30;

    private final KeyHistory history;
    private final SearchBudget budget;
    private final Map<Operation, EncodedOperation> encodedBySource = new IdentityHashMap<>();

    ViolationExplainer(final KeyHistory history, final SearchBudget budget)
    {
        this.history = history;
        this.budget = budget;
        for (final EncodedOperation op : history.encoded())
        {
            encodedBySource.put(op.source(), op);
        }
    }

    String explain(final Verdict verdict, final List<Operation> prefix, final int stateAfterPrefix, final long steps)
    {
        final int total = history.checked().size();
        final String header = "Key " + Operation.render(history.key()) + ": ";
        return switch (verdict)
        {
            case LINEARIZABLE -> header + "linearizable (" + total + " operations checked in " + steps + " steps).";
            case UNKNOWN -> header + "UNKNOWN, search budget exhausted after " + steps + " steps (limits: " +
                    budget.maxStepsPerKey() + " steps, " + budget.maxTimePerKey() + "); nothing can be concluded.\n" +
                    describePrefix(prefix, total);
            case NOT_LINEARIZABLE -> header + "NOT linearizable (" + total + " operations checked in " + steps +
                    " steps).\n" + describePrefix(prefix, total) + describeDeadEnd(prefix, stateAfterPrefix);
        };
    }

    private String describePrefix(final List<Operation> prefix, final int total)
    {
        final StringBuilder text = new StringBuilder("Longest linearizable prefix found: " + prefix.size() + " of " +
                total + " operations" + (prefix.isEmpty() ? "." : ":") + "\n");
        int state = RegisterModel.ABSENT;
        final int firstShown = Math.max(0, prefix.size() - MAX_PREFIX_LINES);
        if (firstShown > 0)
        {
            text.append("    ... ").append(firstShown).append(" earlier operations\n");
        }
        for (int i = 0; i < prefix.size(); i++)
        {
            state = RegisterModel.apply(state, encodedBySource.get(prefix.get(i)));
            if (i >= firstShown)
            {
                text.append(String.format("  %4d. %s  => %s%n", i + 1, prefix.get(i).describe(),
                        Operation.render(history.valueOf(state))));
            }
        }
        return text.toString();
    }

    private String describeDeadEnd(final List<Operation> prefix, final int state)
    {
        // Identity, not equals: hand-built operations may coincide field by field.
        final Set<Operation> linearized = Collections.newSetFromMap(new IdentityHashMap<>());
        linearized.addAll(prefix);
        final List<Operation> remaining = history.checked().stream().filter(op -> !linearized.contains(op)).toList();
        Operation firstToComplete = null;
        for (final Operation op : remaining)
        {
            if (firstToComplete == null || op.effectiveCompleteTime() < firstToComplete.effectiveCompleteTime())
            {
                firstToComplete = op;
            }
        }
        final StringBuilder text = new StringBuilder("After this prefix the register holds " +
                Operation.render(history.valueOf(state)) + ", and no operation can be linearized next");
        if (firstToComplete != null && firstToComplete.outcome() == Outcome.OK)
        {
            text.append(" (each candidate must take effect before ").append('#').append(firstToComplete.id())
                    .append(" completes at ").append(firstToComplete.completeTime()).append(')');
        }
        text.append(":\n");
        final long horizon = firstToComplete == null ? Long.MAX_VALUE : firstToComplete.effectiveCompleteTime();
        for (final Operation op : remaining)
        {
            if (op.invokeTime() <= horizon)
            {
                text.append("    ").append(op.describe()).append(": ").append(whyNotNext(op, state)).append('\n');
            }
        }
        text.append("Operations not in the prefix (").append(remaining.size()).append(", by invocation time):\n");
        remaining.stream()
                .limit(MAX_REMAINING_LINES)
                .forEach(op -> text.append("    ").append(op.describe()).append('\n'));
        if (remaining.size() > MAX_REMAINING_LINES)
        {
            text.append("    ... ").append(remaining.size() - MAX_REMAINING_LINES).append(" more\n");
        }
        return text.toString();
    }

    private String whyNotNext(final Operation op, final int state)
    {
        final EncodedOperation encoded = encodedBySource.get(op);
        final String held = Operation.render(history.valueOf(state));
        if (RegisterModel.apply(state, encoded) != RegisterModel.ILLEGAL)
        {
            return "could be applied here, but no continuation linearizes the remaining operations";
        }
        return switch (op.kind())
        {
            case READ -> "read " + Operation.render(op.readValue()) + " but the register holds " + held;
            case WRITE -> "unreachable: writes always apply";
            case CAS ->
            {
                if (op.outcome() == Outcome.UNKNOWN)
                {
                    yield "would not take effect: the register holds " + held + ", not " +
                            Operation.render(op.expectedValue());
                }
                yield op.casSucceeded() ?
                        "succeeded, but the register holds " + held + ", not the expected " +
                                Operation.render(op.expectedValue()) :
                        "failed, but the register holds the expected value " + held;
            }
        };
    }
}

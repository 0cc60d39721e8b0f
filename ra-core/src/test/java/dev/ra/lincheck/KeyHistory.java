package dev.ra.lincheck;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The operations on one key, reduced to those that constrain the register and encoded for the search.
 *
 * <p>FAILED operations are dropped because they never took effect. UNKNOWN reads are dropped because
 * they have no effect and their output is unconstrained, so they can always be linearized.
 */
final class KeyHistory
{
    private final String key;
    private final List<Operation> checked;
    private final EncodedOperation[] encoded;
    private final List<String> valuesById = new ArrayList<>();
    private final Map<String, Integer> idsByValue = new HashMap<>();
    private final int definiteCount;

    KeyHistory(final String key, final List<Operation> operationsOnKey)
    {
        this.key = key;
        this.checked = operationsOnKey.stream()
                .filter(KeyHistory::constrainsRegister)
                .sorted(Comparator.comparingLong(Operation::invokeTime).thenComparingLong(Operation::id))
                .toList();
        valuesById.add(null); // id 0 == RegisterModel.ABSENT
        this.encoded = new EncodedOperation[checked.size()];
        int definite = 0;
        for (int i = 0; i < encoded.length; i++)
        {
            final Operation op = checked.get(i);
            final boolean indeterminate = op.outcome() == Outcome.UNKNOWN;
            if (!indeterminate)
            {
                definite++;
            }
            encoded[i] = new EncodedOperation(i, op, indeterminate,
                    idOf(op.expectedValue()), idOf(op.writeValue()), idOf(op.readValue()));
        }
        this.definiteCount = definite;
    }

    private static boolean constrainsRegister(final Operation op)
    {
        return switch (op.outcome())
        {
            case OK -> true;
            case FAILED -> false;
            case UNKNOWN -> op.kind() != OperationKind.READ;
        };
    }

    private int idOf(final String value)
    {
        if (value == null)
        {
            return RegisterModel.ABSENT;
        }
        return idsByValue.computeIfAbsent(value, v ->
        {
            valuesById.add(v);
            return valuesById.size() - 1;
        });
    }

    String key()
    {
        return key;
    }

    /**
     * An operation that observed a value no operation on the key could have written: a completed read of it, or a
     * successful compare-and-set expecting it. No linearization can explain it, whatever the order, so it is found
     * without a search (which could otherwise exhaust its budget on a key with many indeterminate updates).
     *
     * @return the first such operation in invocation order, if any.
     */
    Optional<Operation> observesUnwrittenValue()
    {
        final Set<String> written = new HashSet<>();
        for (final Operation op : checked)
        {
            if (op.kind() != OperationKind.READ && null != op.writeValue())
            {
                written.add(op.writeValue());
            }
        }
        for (final Operation op : checked)
        {
            if (op.outcome() != Outcome.OK)
            {
                continue;
            }
            final String observed = switch (op.kind())
            {
                case READ -> op.readValue();
                case CAS -> op.casSucceeded() ? op.expectedValue() : null;
                case WRITE -> null;
            };
            if (null != observed && !written.contains(observed))
            {
                return Optional.of(op);
            }
        }
        return Optional.empty();
    }

    /** The operations taking part in the search, in invocation order. */
    List<Operation> checked()
    {
        return checked;
    }

    EncodedOperation[] encoded()
    {
        return encoded;
    }

    /** Operations with outcome OK: the ones every linearization must include. */
    int definiteCount()
    {
        return definiteCount;
    }

    /** The register value a state id stands for. */
    String valueOf(final int stateId)
    {
        return valuesById.get(stateId);
    }
}

package dev.ra.lincheck;

import java.util.Objects;

/**
 * One client operation on one key of a key-value register, as observed by the client.
 *
 * <p>Values are strings; {@code null} means "key absent". Which of the input and output components are
 * meaningful depends on the {@link #kind()}:
 * <ul>
 *   <li>{@code READ}: output {@link #readValue()}.</li>
 *   <li>{@code WRITE}: input {@link #writeValue()}.</li>
 *   <li>{@code CAS}: inputs {@link #expectedValue()} and {@link #writeValue()} (the new value), output
 *       {@link #casSucceeded()}.</li>
 * </ul>
 * Components that do not apply to the kind must be {@code null} / {@code false}. Outputs of operations
 * whose outcome is not {@link Outcome#OK} are ignored by the checker.
 *
 * <p>The operation took effect (if at all) somewhere in the closed interval
 * [{@link #invokeTime()}, {@link #completeTime()}]; an {@link Outcome#UNKNOWN} operation's interval extends
 * to infinity (see {@link #effectiveCompleteTime()}).
 *
 * @param id            identifier, unique within a history; used in explanations
 * @param clientId      the client that issued the operation
 * @param key           the register key the operation touches
 * @param kind          read, write or compare-and-set
 * @param expectedValue CAS only: the value the register must hold for the CAS to succeed
 * @param writeValue    WRITE: the value written; CAS: the new value installed on success
 * @param readValue     READ only: the value observed ({@code null} = absent)
 * @param casSucceeded  CAS only: whether the CAS reported success
 * @param invokeTime    when the client invoked the operation
 * @param completeTime  when the client learned the outcome
 * @param outcome       whether the result is known, definitely void, or indeterminate
 */
public record Operation(
        long id,
        int clientId,
        String key,
        OperationKind kind,
        String expectedValue,
        String writeValue,
        String readValue,
        boolean casSucceeded,
        long invokeTime,
        long completeTime,
        Outcome outcome)
{
    /**
     * Checks that the key, kind and outcome are present, that the operation completes no earlier than it is invoked,
     * and that it sets only the values its kind has (a read no expected or written value, a write no expected or
     * read value, a compare-and-set no read value).
     */
    public Operation
    {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(outcome, "outcome");
        if (completeTime < invokeTime)
        {
            throw new IllegalArgumentException(
                    "operation #" + id + " completes (" + completeTime + ") before it is invoked (" + invokeTime + ")");
        }
        final boolean consistent = switch (kind)
        {
            case READ -> expectedValue == null && writeValue == null && !casSucceeded;
            case WRITE -> expectedValue == null && readValue == null && !casSucceeded;
            case CAS -> readValue == null;
        };
        if (!consistent)
        {
            throw new IllegalArgumentException(
                    "operation #" + id + " sets components that a " + kind + " does not have");
        }
    }

    /** A completed read that observed {@code observed} ({@code null} = absent). */
    public static Operation read(
            final long id,
            final int clientId,
            final String key,
            final String observed,
            final long invokeTime,
            final long completeTime)
    {
        return new Operation(id, clientId, key, OperationKind.READ, null, null, observed, false,
                invokeTime, completeTime, Outcome.OK);
    }

    /** A completed write of {@code value}. */
    public static Operation write(
            final long id,
            final int clientId,
            final String key,
            final String value,
            final long invokeTime,
            final long completeTime)
    {
        return new Operation(id, clientId, key, OperationKind.WRITE, null, value, null, false,
                invokeTime, completeTime, Outcome.OK);
    }

    /** A completed compare-and-set from {@code expected} to {@code newValue} that reported {@code succeeded}. */
    public static Operation cas(
            final long id,
            final int clientId,
            final String key,
            final String expected,
            final String newValue,
            final boolean succeeded,
            final long invokeTime,
            final long completeTime)
    {
        return new Operation(id, clientId, key, OperationKind.CAS, expected, newValue, null, succeeded,
                invokeTime, completeTime, Outcome.OK);
    }

    /** This operation with a different outcome; everything else is kept. */
    public Operation withOutcome(final Outcome newOutcome)
    {
        return new Operation(id, clientId, key, kind, expectedValue, writeValue, readValue, casSucceeded,
                invokeTime, completeTime, newOutcome);
    }

    /** Shorthand for {@code withOutcome(Outcome.FAILED)}. */
    public Operation asFailed()
    {
        return withOutcome(Outcome.FAILED);
    }

    /** Shorthand for {@code withOutcome(Outcome.UNKNOWN)}. */
    public Operation asUnknown()
    {
        return withOutcome(Outcome.UNKNOWN);
    }

    /** This operation (a READ) with a different observed value. */
    public Operation withReadValue(final String observed)
    {
        if (kind != OperationKind.READ)
        {
            throw new IllegalStateException("operation #" + id + " is a " + kind + ", not a READ");
        }
        return new Operation(id, clientId, key, kind, null, null, observed, false, invokeTime, completeTime, outcome);
    }

    /**
     * The latest moment the operation can take effect: {@link #completeTime()} if the outcome is known,
     * otherwise {@link Long#MAX_VALUE} because an indeterminate operation may still take effect later.
     */
    public long effectiveCompleteTime()
    {
        return outcome == Outcome.UNKNOWN ? Long.MAX_VALUE : completeTime;
    }

    /** A compact human-readable rendering such as {@code #7 client 2 cas(k, "a" -> "b") = true OK [10, 14]}. */
    public String describe()
    {
        final String call = switch (kind)
        {
            case READ -> "read(" + key + ")" + (outcome == Outcome.OK ? " = " + render(readValue) : "");
            case WRITE -> "write(" + key + ", " + render(writeValue) + ")";
            case CAS -> "cas(" + key + ", " + render(expectedValue) + " -> " + render(writeValue) + ")" +
                    (outcome == Outcome.OK ? " = " + casSucceeded : "");
        };
        final String end = outcome == Outcome.UNKNOWN ? "inf)" : completeTime + "]";
        return "#" + id + " client " + clientId + " " + call + " " + outcome + " [" + invokeTime + ", " + end;
    }

    @Override
    public String toString()
    {
        return describe();
    }

    /** Renders a register value, making "absent" distinguishable from the string "null". */
    static String render(final String value)
    {
        return value == null ? "<absent>" : '"' + value + '"';
    }
}

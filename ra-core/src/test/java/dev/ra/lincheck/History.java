package dev.ra.lincheck;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Thread-safe recorder of a concurrent key-value history: clients call an {@code invoke*} method just
 * before sending a request and {@link #ok}, {@link #fail} or {@link #unknown} once they know its fate.
 *
 * <p>Timestamps come from a caller-supplied clock (a simulation's logical clock, {@link System#nanoTime},
 * ...). The clock is read inside each call, so an operation's recorded interval always contains the
 * moment the request was actually served. The default clock is a counter that ticks on every event, which
 * orders events exactly as the calls to this recorder were ordered.
 *
 * <p>Operations that are still pending when {@link #operations()} is called are reported as
 * {@link Outcome#UNKNOWN}: the client never learned whether they took effect.
 */
public final class History
{
    private final LongSupplier clock;
    private final Map<Long, Operation> operationsById = new LinkedHashMap<>();
    private final Set<Long> pending = new HashSet<>();
    private long nextId;

    /** A history timestamped by a logical clock that ticks once per recorded event. */
    public History()
    {
        this(new AtomicLong()::incrementAndGet);
    }

    /** A history timestamped by {@code clock}, which must never go backwards. */
    public History(final LongSupplier clock)
    {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Records that {@code clientId} is about to read {@code key}. */
    public synchronized OperationHandle invokeRead(final int clientId, final String key)
    {
        return record(clientId, key, OperationKind.READ, null, null);
    }

    /** Records that {@code clientId} is about to write {@code value} to {@code key}. */
    public synchronized OperationHandle invokeWrite(final int clientId, final String key, final String value)
    {
        return record(clientId, key, OperationKind.WRITE, null, value);
    }

    /**
     * Records that {@code clientId} is about to compare-and-set {@code key} from {@code expected} to {@code newValue}.
     */
    public synchronized OperationHandle invokeCas(
            final int clientId, final String key, final String expected, final String newValue)
    {
        return record(clientId, key, OperationKind.CAS, expected, newValue);
    }

    /** Records that a write completed. */
    public synchronized void ok(final OperationHandle handle)
    {
        final Operation op = takePending(handle, OperationKind.WRITE);
        complete(op, null, false, Outcome.OK);
    }

    /** Records that a read completed and observed {@code readValue} ({@code null} = key absent). */
    public synchronized void ok(final OperationHandle handle, final String readValue)
    {
        final Operation op = takePending(handle, OperationKind.READ);
        complete(op, readValue, false, Outcome.OK);
    }

    /** Records that a compare-and-set completed, successfully or not. */
    public synchronized void ok(final OperationHandle handle, final boolean casSucceeded)
    {
        final Operation op = takePending(handle, OperationKind.CAS);
        complete(op, null, casSucceeded, Outcome.OK);
    }

    /** Records that an operation definitely did not take effect and never will. */
    public synchronized void fail(final OperationHandle handle)
    {
        final Operation op = takePending(handle, null);
        complete(op, null, false, Outcome.FAILED);
    }

    /** Records that the client gave up on an operation without knowing whether it took effect. */
    public synchronized void unknown(final OperationHandle handle)
    {
        final Operation op = takePending(handle, null);
        complete(op, null, false, Outcome.UNKNOWN);
    }

    /** A snapshot of all operations in invocation order; those still pending are reported as UNKNOWN. */
    public synchronized List<Operation> operations()
    {
        return List.copyOf(operationsById.values());
    }

    /** The number of operations invoked so far. */
    public synchronized int size()
    {
        return operationsById.size();
    }

    private OperationHandle record(
            final int clientId, final String key, final OperationKind kind, final String expected, final String value)
    {
        Objects.requireNonNull(key, "key");
        final long id = nextId++;
        final long now = clock.getAsLong();
        // Until the client reports back, the operation is indeterminate and open-ended.
        operationsById.put(id, new Operation(id, clientId, key, kind, expected, value, null, false,
                now, Long.MAX_VALUE, Outcome.UNKNOWN));
        pending.add(id);
        return new OperationHandle(id);
    }

    private Operation takePending(final OperationHandle handle, final OperationKind requiredKind)
    {
        final Operation op = operationsById.get(handle.id());
        if (op == null)
        {
            throw new IllegalArgumentException("no operation #" + handle.id() + " in this history");
        }
        if (!pending.remove(handle.id()))
        {
            throw new IllegalStateException("operation #" + handle.id() + " was already completed: " + op);
        }
        if (requiredKind != null && op.kind() != requiredKind)
        {
            pending.add(handle.id());
            throw new IllegalArgumentException(
                    "operation #" + handle.id() + " is a " + op.kind() + ", not a " + requiredKind);
        }
        return op;
    }

    private void complete(final Operation op, final String readValue, final boolean casSucceeded, final Outcome outcome)
    {
        // A clock that ran backwards makes the interval invalid; Operation rejects it loudly rather than
        // letting a silently shrunk interval produce a false violation.
        final long now = clock.getAsLong();
        operationsById.put(op.id(), new Operation(op.id(), op.clientId(), op.key(), op.kind(), op.expectedValue(),
                op.writeValue(), readValue, casSucceeded, op.invokeTime(), now, outcome));
    }
}

package dev.ra.lincheck;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Random;

/**
 * Test-data generator: histories produced by clients talking to a real, sequential register, hence
 * linearizable by construction.
 *
 * <p>Every client issues operations one after another with random think times and latencies; up to
 * {@code maxClientsPerKey} clients share a key, so their intervals overlap at random. Each operation that
 * takes effect is given a random linearization point inside its interval; applying the operations to a
 * plain register in the order of those points yields the outputs the clients observe. FAILED operations
 * never take effect; UNKNOWN operations take effect half of the time, possibly long after the client gave
 * up on them.
 */
final class SimulatedRegisterHistories
{
    /** Small alphabets make reads ambiguous and compare-and-sets succeed often: the hard cases. */
    private static final int DISTINCT_VALUES = 5;

    /**
     * @param keys             number of independent keys
     * @param opsPerKey        operations generated per key
     * @param maxClientsPerKey upper bound on clients sharing a key (the concurrency level)
     * @param unknownRate      probability that an operation ends UNKNOWN
     * @param failedRate       probability that an operation ends FAILED
     */
    record Shape(int keys, int opsPerKey, int maxClientsPerKey, double unknownRate, double failedRate)
    {
    }

    private SimulatedRegisterHistories()
    {
    }

    static List<Operation> generate(final long seed, final Shape shape)
    {
        final Random random = new Random(seed);
        final List<Operation> history = new ArrayList<>();
        final long[] nextId = {0};
        for (int k = 0; k < shape.keys(); k++)
        {
            history.addAll(generateKey("k" + k, random, shape, nextId));
        }
        return history;
    }

    /** A mutable operation under construction: its output is known only once the register has run. */
    private static final class Draft
    {
        long id;
        int clientId;
        OperationKind kind;
        String expected;
        String written;
        long invokeTime;
        long completeTime;
        Outcome outcome;
        boolean takesEffect;
        long effectTime;
        int effectTiebreak;
        String observed;
        boolean casSucceeded;
    }

    private static List<Operation> generateKey(
            final String key, final Random random, final Shape shape, final long[] nextId)
    {
        final int clients = 1 + random.nextInt(shape.maxClientsPerKey());
        final long[] clientReadyAt = new long[clients];
        final List<Draft> drafts = new ArrayList<>();
        for (int i = 0; i < shape.opsPerKey(); i++)
        {
            final int client = random.nextInt(clients);
            final Draft op = new Draft();
            op.id = nextId[0]++;
            op.clientId = client;
            op.invokeTime = clientReadyAt[client] + random.nextInt(4);
            op.completeTime = op.invokeTime + 1 + random.nextInt(12);
            clientReadyAt[client] = op.completeTime + 1;
            chooseCommand(op, random);
            chooseOutcome(op, random, shape);
            op.effectTiebreak = random.nextInt();
            drafts.add(op);
        }
        runRegister(drafts);
        return drafts.stream().map(draft -> toOperation(key, draft)).toList();
    }

    private static void chooseCommand(final Draft op, final Random random)
    {
        final int roll = random.nextInt(100);
        if (roll < 40)
        {
            op.kind = OperationKind.READ;
        }
        else if (roll < 75)
        {
            op.kind = OperationKind.WRITE;
            op.written = randomValue(random);
        }
        else
        {
            op.kind = OperationKind.CAS;
            op.expected = random.nextInt(6) == 0 ? null : randomValue(random);
            op.written = randomValue(random);
        }
    }

    private static void chooseOutcome(final Draft op, final Random random, final Shape shape)
    {
        final double roll = random.nextDouble();
        final long latency = op.completeTime - op.invokeTime;
        if (roll < shape.failedRate())
        {
            op.outcome = Outcome.FAILED;
            op.takesEffect = false;
        }
        else if (roll < shape.failedRate() + shape.unknownRate())
        {
            op.outcome = Outcome.UNKNOWN;
            op.takesEffect = random.nextBoolean();
            // The client timed out, but the request may still be applied well after that.
            op.effectTime = op.invokeTime + (long)(random.nextDouble() * latency * 4);
        }
        else
        {
            op.outcome = Outcome.OK;
            op.takesEffect = true;
            op.effectTime = op.invokeTime + (long)(random.nextDouble() * (latency + 1));
            op.effectTime = Math.min(op.effectTime, op.completeTime);
        }
    }

    private static String randomValue(final Random random)
    {
        return "v" + random.nextInt(DISTINCT_VALUES);
    }

    private static void runRegister(final List<Draft> drafts)
    {
        final List<Draft> inEffectOrder = drafts.stream()
                .filter(op -> op.takesEffect)
                .sorted(Comparator.<Draft>comparingLong(op -> op.effectTime).thenComparingInt(op -> op.effectTiebreak))
                .toList();
        String register = null;
        for (final Draft op : inEffectOrder)
        {
            switch (op.kind)
            {
                case READ -> op.observed = register;
                case WRITE -> register = op.written;
                case CAS ->
                {
                    op.casSucceeded = Objects.equals(register, op.expected);
                    if (op.casSucceeded)
                    {
                        register = op.written;
                    }
                }
            }
        }
    }

    private static Operation toOperation(final String key, final Draft op)
    {
        final boolean known = op.outcome == Outcome.OK;
        return new Operation(op.id, op.clientId, key, op.kind, op.expected, op.written,
                known && op.kind == OperationKind.READ ? op.observed : null,
                known && op.casSucceeded,
                op.invokeTime, op.completeTime, op.outcome);
    }
}

package dev.ra.examples.txn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.CommandMeta;
import dev.ra.ProcessRef;
import dev.ra.ServerId;
import dev.ra.examples.support.ReleaseCursorPolicy;
import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * What one command allocates does not grow with the number of transactions a coordinator or a participant holds:
 * a copy of the whole state at each command (as the copy-on-write maps made) allocates in proportion to it. Bytes
 * allocated by this thread are counted, not time, so the result does not depend on the machine's load.
 */
class ApplyAllocationTest
{
    private static final ProcessRef CLIENT = new ProcessRef("app", 1);
    private static final List<Leg> LEGS = List.of(new Leg("a", "alice", -5), new Leg("b", "bob", 5));
    private static final int FEW = 1_000;
    private static final int MANY = 20_000;

    private final CoordinatorMachine coordinator = new CoordinatorMachine(new ServerId("coordinator", "n1"),
        CoordinatorMachine.DEFAULT_HANDLER, ReleaseCursorPolicy.every(1_000_000));
    private final ParticipantMachine participant = new ParticipantMachine(ReleaseCursorPolicy.every(1_000_000));

    @Test
    void aCoordinatorCommandAllocatesAsMuchWithManyFinishedTransactionsAsWithFew()
    {
        final long few = coordinatorCommandBytes(FEW);
        final long many = coordinatorCommandBytes(MANY);

        assertThat(many).as("bytes of a begin, decision and finish among %d finished transactions, against %d " +
            "among %d", MANY, few, FEW).isLessThan(2 * few + 16_384);
    }

    @Test
    void aParticipantCommandAllocatesAsMuchWithManyDecidedTransactionsAsWithFew()
    {
        final long few = participantCommandBytes(FEW);
        final long many = participantCommandBytes(MANY);

        assertThat(many).as("bytes of a prepare and commit among %d decided transactions, against %d among %d",
            MANY, few, FEW).isLessThan(2 * few + 16_384);
    }

    private long coordinatorCommandBytes(final int finished)
    {
        final Map<String, Transaction> transactions = new LinkedHashMap<>();
        for (int i = 0; i < finished; i++)
        {
            transactions.put("done-" + i, new Transaction(LEGS, 1, Phase.COMMITTED, CLIENT, ""));
        }
        final CoordinatorState state = new CoordinatorState(null, 1, transactions, 0);
        return leastAllocated(() ->
        {
            CoordinatorState next = coordinator.apply(meta(1), new CoordinatorCommand.Begin("t", LEGS, CLIENT), state)
                .state();
            next = coordinator.apply(meta(2), new CoordinatorCommand.Decide("t", true, ""), next).state();
            return coordinator.apply(meta(3), new CoordinatorCommand.Finish("t"), next).state();
        });
    }

    private long participantCommandBytes(final int decided)
    {
        final Map<String, TxStatus> ids = new LinkedHashMap<>();
        for (int i = 0; i < decided; i++)
        {
            ids.put("done-" + i, TxStatus.COMMITTED);
        }
        final ParticipantState state = new ParticipantState(Map.of("alice", new Account(100, 0)), Map.of(), ids,
            100, 0);
        return leastAllocated(() ->
        {
            final ParticipantState prepared = participant.apply(meta(1),
                new ParticipantCommand.Prepare("t", List.of(new Change("alice", -5))), state).state();
            return participant.apply(meta(2), new ParticipantCommand.Commit("t"), prepared).state();
        });
    }

    /** The least of several runs: the first ones also allocate for class loading and the interpreter. */
    private static long leastAllocated(final Supplier<Object> run)
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long thread = Thread.currentThread().getId();
        long least = Long.MAX_VALUE;
        for (int i = 0; i < 20; i++)
        {
            final long before = threads.getThreadAllocatedBytes(thread);
            assertThat(run.get()).isNotNull();
            least = Math.min(least, threads.getThreadAllocatedBytes(thread) - before);
        }
        return least;
    }

    private static CommandMeta meta(final long index)
    {
        return new CommandMeta(index, 1, 1_000_000 + index, 0);
    }
}

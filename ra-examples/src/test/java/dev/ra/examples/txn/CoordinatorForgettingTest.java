package dev.ra.examples.txn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.BuiltinCommand;
import dev.ra.ProcessRef;
import dev.ra.ServerId;
import dev.ra.examples.support.MachineDriver;
import dev.ra.examples.support.ReleaseCursorPolicy;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The coordinator keeps a bounded number of finished transactions of stamped ids, and refuses to begin again one it
 * may have forgotten.
 */
class CoordinatorForgettingTest
{
    private static final ServerId LOCAL = new ServerId("coordinator", "n1");
    private static final ProcessRef CLIENT = new ProcessRef("app", 1);
    private static final List<Leg> LEGS = List.of(new Leg("a", "alice", -5), new Leg("b", "bob", 5));
    /** The default bound, spelled out. */
    private static final int KEPT = 10_000;

    private final MachineDriver<CoordinatorCommand, CoordinatorState> log = new MachineDriver<>(
        new CoordinatorMachine(LOCAL, CoordinatorMachine.DEFAULT_HANDLER, ReleaseCursorPolicy.every(1_000_000)),
        CoordinatorCommand.class);

    @Test
    void keepsTheNewestFinishedTransactionsOfStampedIdsAndRefusesToBeginAForgottenOneAgain()
    {
        log.apply(new CoordinatorCommand.Claim(LOCAL));
        final int transfers = KEPT + 500;
        for (int i = 1; i <= transfers; i++)
        {
            transfer(stamped(i));
        }

        final CoordinatorState state = log.state();
        assertThat(state.transactions()).as("transactions held after %d transfers", transfers).hasSize(KEPT);
        assertThat(state.transaction(stamped(500))).as("among the first to finish").isNull();
        assertThat(state.transaction(stamped(501))).as("the oldest kept").isNotNull();
        assertThat(log.apply(new CoordinatorCommand.Begin(stamped(501), LEGS, CLIENT)).reply())
            .as("a begin retried under a remembered id").isEqualTo(Phase.COMMITTED);
        assertThat(log.apply(new CoordinatorCommand.Begin(stamped(1), LEGS, CLIENT)).reply())
            .as("a begin retried under a forgotten id").isInstanceOf(Refused.class);
        assertThat(log.state().transaction(stamped(1))).as("begun again").isNull();
        assertThat(log.apply(new CoordinatorCommand.Begin(stamped(transfers + 1), LEGS, CLIENT)).reply())
            .as("a new id").isEqualTo(Phase.PREPARING);
    }

    @Test
    void keepsEveryTransactionOfAnIdThatIsNotStamped()
    {
        final MachineDriver<CoordinatorCommand, CoordinatorState> small = new MachineDriver<>(
            new CoordinatorMachine(LOCAL, CoordinatorMachine.DEFAULT_HANDLER, ReleaseCursorPolicy.every(1_000), 2),
            CoordinatorCommand.class);
        for (int i = 1; i <= 5; i++)
        {
            for (final String txId : List.of("plain-" + i, stamped(i)))
            {
                small.apply(new CoordinatorCommand.Begin(txId, LEGS, CLIENT));
                small.apply(new CoordinatorCommand.Decide(txId, i % 2 == 0, "no"));
                small.apply(new CoordinatorCommand.Finish(txId));
            }
        }

        assertThat(small.state().transactions().keySet()).as("in the order they finished").containsExactly(
            "plain-1", "plain-2", "plain-3", "plain-4", stamped(4), "plain-5", stamped(5));
        assertThat(small.state().horizon()).isEqualTo(3);
        assertThat(small.apply(new CoordinatorCommand.Begin("plain-1", LEGS, CLIENT)).reply())
            .isEqualTo(Phase.ABORTED);
        assertThat(small.apply(new CoordinatorCommand.Begin("txn-3-other", LEGS, CLIENT)).reply())
            .as("another id of a stamp not after the horizon").isInstanceOf(Refused.class);
        assertThat(small.apply(new CoordinatorCommand.Begin("txn-4-other", LEGS, CLIENT)).reply())
            .isEqualTo(Phase.PREPARING);
        assertThat(small.state().unfinished()).containsExactly("txn-4-other");
    }

    @Test
    void theSwitchFromVersionZeroForgetsBeyondTheBoundInTheOrderTheyBegan()
    {
        final CoordinatorMachine newest =
            new CoordinatorMachine(LOCAL, CoordinatorMachine.DEFAULT_HANDLER, ReleaseCursorPolicy.every(1_000), 2);
        final MachineDriver<CoordinatorCommand, CoordinatorState> older =
            new MachineDriver<>(newest.machineFor(0), CoordinatorCommand.class);
        for (final int i : List.of(3, 1, 2, 5))
        {
            older.apply(new CoordinatorCommand.Begin(stamped(i), LEGS, CLIENT));
        }
        for (final int i : List.of(5, 2, 3, 1))
        {
            older.apply(new CoordinatorCommand.Decide(stamped(i), true, ""));
            older.apply(new CoordinatorCommand.Finish(stamped(i)));
        }
        assertThat(older.state().transactions()).as("version 0 forgets nothing").hasSize(4);

        final MachineDriver<CoordinatorCommand, CoordinatorState> switched =
            new MachineDriver<>(newest, CoordinatorCommand.class);
        switched.restore(older.state());
        switched.builtin(new BuiltinCommand.MachineVersionChanged(0, 1));

        assertThat(switched.state().transactions().keySet()).containsExactly(stamped(2), stamped(5));
        assertThat(switched.state().horizon()).isEqualTo(3);
    }

    @Test
    void theParticipantsMayForgetUpToTheHorizonButBelowEveryUnfinishedStampedTransaction()
    {
        final MachineDriver<CoordinatorCommand, CoordinatorState> small = new MachineDriver<>(
            new CoordinatorMachine(LOCAL, CoordinatorMachine.DEFAULT_HANDLER, ReleaseCursorPolicy.every(1_000), 1),
            CoordinatorCommand.class);
        small.apply(new CoordinatorCommand.Begin(stamped(4), LEGS, CLIENT));
        small.apply(new CoordinatorCommand.Begin("plain", LEGS, CLIENT));
        for (final int i : List.of(2, 6, 7))
        {
            small.apply(new CoordinatorCommand.Begin(stamped(i), LEGS, CLIENT));
            small.apply(new CoordinatorCommand.Decide(stamped(i), true, ""));
            small.apply(new CoordinatorCommand.Finish(stamped(i)));
        }
        assertThat(small.state().horizon()).isEqualTo(6);
        assertThat(small.state().participantWatermark()).as("below the unfinished one stamped 4").isEqualTo(3);

        small.apply(new CoordinatorCommand.Decide(stamped(4), false, "no"));
        small.apply(new CoordinatorCommand.Finish(stamped(4)));

        assertThat(small.state().participantWatermark()).as("the horizon").isEqualTo(7);
        assertThat(new CoordinatorMachine(LOCAL).machineFor(0).apply(new dev.ra.CommandMeta(1, 1, 1, 0),
            new CoordinatorCommand.Claim(LOCAL), CoordinatorState.EMPTY).state().participantWatermark())
            .as("version 0 forgets nothing").isZero();
    }

    private void transfer(final String txId)
    {
        log.apply(new CoordinatorCommand.Begin(txId, LEGS, CLIENT));
        log.apply(new CoordinatorCommand.Decide(txId, true, ""));
        log.apply(new CoordinatorCommand.Finish(txId));
    }

    private static String stamped(final int stamp)
    {
        return "txn-" + stamp + "-u";
    }
}

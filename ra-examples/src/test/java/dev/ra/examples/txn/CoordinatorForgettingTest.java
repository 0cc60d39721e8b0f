package dev.ra.examples.txn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.BuiltinCommand;
import dev.ra.ProcessRef;
import dev.ra.ServerId;
import dev.ra.examples.support.MachineDriver;
import dev.ra.examples.support.ReleaseCursorPolicy;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The coordinator keeps a bounded number of finished transactions of stamped ids (and each at least for a time after
 * its stamp), refuses to begin again one it may have forgotten, and judges stamps by its log time, not by clients'
 * clocks.
 */
class CoordinatorForgettingTest
{
    private static final ServerId LOCAL = new ServerId("coordinator", "n1");
    private static final ProcessRef CLIENT = new ProcessRef("app", 1);
    private static final List<Leg> LEGS = List.of(new Leg("a", "alice", -5), new Leg("b", "bob", 5));
    /** The default bound, spelled out. */
    private static final int KEPT = 10_000;
    /** How far a stamp may be from the log time in these tests. */
    private static final long SKEW_MS = 1_000;
    /** How long after its stamp a finished transaction is kept at least in these tests: two stamps. */
    private static final long KEPT_FOR_MS = 2_000;

    @Test
    void keepsTheNewestFinishedTransactionsOfStampedIdsAndRefusesToBeginAForgottenOneAgain()
    {
        final MachineDriver<CoordinatorCommand, CoordinatorState> log = machine(KEPT);
        log.apply(new CoordinatorCommand.Claim(LOCAL));
        final int transfers = KEPT + 500;
        for (int i = 1; i <= transfers; i++)
        {
            at(log, i);
            transfer(log, stamped(i));
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
        at(log, transfers + 1);
        assertThat(log.apply(new CoordinatorCommand.Begin(stamped(transfers + 1), LEGS, CLIENT)).reply())
            .as("a new id").isEqualTo(Phase.PREPARING);
    }

    @Test
    void keepsEveryTransactionOfAnIdThatIsNotStampedAndForgetsOnlyThoseStampedLongerAgoThanKeptFor()
    {
        final MachineDriver<CoordinatorCommand, CoordinatorState> small = machine(2);
        for (int i = 1; i <= 5; i++)
        {
            at(small, i);
            for (final String txId : List.of("plain-" + i, stamped(i)))
            {
                small.apply(new CoordinatorCommand.Begin(txId, LEGS, CLIENT));
                small.apply(new CoordinatorCommand.Decide(txId, i % 2 == 0, "no"));
                small.apply(new CoordinatorCommand.Finish(txId));
            }
        }

        // Beyond the bound of two, but stamped(3) is not older than KEPT_FOR when the last finish is logged.
        assertThat(small.state().transactions().keySet()).as("in the order they finished").containsExactly(
            "plain-1", "plain-2", "plain-3", stamped(3), "plain-4", stamped(4), "plain-5", stamped(5));
        assertThat(small.state().horizon()).isEqualTo(stampMs(2));
        assertThat(small.apply(new CoordinatorCommand.Begin("plain-1", LEGS, CLIENT)).reply())
            .isEqualTo(Phase.ABORTED);
        // A new leader whose clock is behind: a stamp within the skew of its log time may still be a forgotten one.
        small.advance(stampMs(2) + SKEW_MS / 2 - small.nowMs());
        assertThat(small.apply(new CoordinatorCommand.Begin("txn-" + stampMs(2) + "-other", LEGS, CLIENT)).reply())
            .as("another id of a stamp not after the horizon").isInstanceOf(Refused.class);
        final String after = "txn-" + (stampMs(2) + 1) + "-other";
        assertThat(small.apply(new CoordinatorCommand.Begin(after, LEGS, CLIENT)).reply())
            .isEqualTo(Phase.PREPARING);
        assertThat(small.state().unfinished()).containsExactly(after);
    }

    @Test
    void theSwitchFromVersionZeroForgetsBeyondTheBoundTheOldestStampsFirst()
    {
        final CoordinatorMachine newest = new CoordinatorMachine(LOCAL, CoordinatorMachine.DEFAULT_HANDLER,
            ReleaseCursorPolicy.every(1_000), 2, Duration.ofMillis(SKEW_MS), Duration.ofMillis(KEPT_FOR_MS));
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
        at(switched, 10);
        switched.builtin(new BuiltinCommand.MachineVersionChanged(0, 1));

        assertThat(switched.state().transactions().keySet()).containsExactly(stamped(3), stamped(5));
        assertThat(switched.state().horizon()).isEqualTo(stampMs(2));
    }

    @Test
    void theParticipantsMayForgetUpToTheHorizonButBelowEveryUnfinishedStampedTransaction()
    {
        final MachineDriver<CoordinatorCommand, CoordinatorState> small = machine(1);
        at(small, 4);
        small.apply(new CoordinatorCommand.Begin(stamped(4), LEGS, CLIENT));
        small.apply(new CoordinatorCommand.Begin("plain", LEGS, CLIENT));
        for (final int i : List.of(2, 6, 7, 9))
        {
            // Log time as each client stamped (a leader change may take it back a little).
            small.advance(stampMs(i) - small.nowMs());
            transfer(small, stamped(i));
        }
        assertThat(small.state().horizon()).isEqualTo(stampMs(6));
        assertThat(small.state().participantWatermark()).as("below the unfinished one stamped 4")
            .isEqualTo(stampMs(4) - 1);

        small.apply(new CoordinatorCommand.Decide(stamped(4), false, "no"));
        small.apply(new CoordinatorCommand.Finish(stamped(4)));

        assertThat(small.state().participantWatermark()).as("the horizon").isEqualTo(stampMs(6));
        assertThat(new CoordinatorMachine(LOCAL).machineFor(0).apply(new dev.ra.CommandMeta(1, 1, 1, 0),
            new CoordinatorCommand.Claim(LOCAL), CoordinatorState.EMPTY).state().participantWatermark())
            .as("version 0 forgets nothing").isZero();
    }

    @Test
    void aClientWhoseClockIsAheadDoesNotStopTheOthers()
    {
        // The default bounds: a stamp at most a minute from the log time, kept three minutes after it.
        final MachineDriver<CoordinatorCommand, CoordinatorState> small = new MachineDriver<>(
            new CoordinatorMachine(LOCAL, CoordinatorMachine.DEFAULT_HANDLER, ReleaseCursorPolicy.every(1_000), 1),
            CoordinatorCommand.class);
        final long now = small.nowMs();
        final String hourAhead = "txn-" + (now + 3_600_000) + "-hour-ahead";
        final Object refused = small.apply(new CoordinatorCommand.Begin(hourAhead, LEGS, CLIENT)).reply();
        assertThat(refused).as("a begin stamped an hour ahead").isInstanceOf(Refused.class);
        assertThat(((Refused)refused).reason()).contains(hourAhead, "3600000 ms ahead", "clock", "60000 ms");

        // Ahead by less than the bound it works; once it is forgotten, the others still do.
        final String ahead = "txn-" + (now + 59_000) + "-ahead";
        transfer(small, ahead);
        for (int i = 0; i < 20; i++)
        {
            small.advance(30_000);
            final String txId = "txn-" + small.nowMs() + "-on-time-" + i;
            assertThat(small.apply(new CoordinatorCommand.Begin(txId, LEGS, CLIENT)).reply())
                .as("a begin of %s stamped with the log time, after one stamped 59 s ahead", txId)
                .isEqualTo(Phase.PREPARING);
            small.apply(new CoordinatorCommand.Decide(txId, true, ""));
            small.apply(new CoordinatorCommand.Finish(txId));
        }
        assertThat(small.state().transaction(ahead)).as("forgotten in the end").isNull();
    }

    @Test
    void aClientWhoseClockIsBehindIsToldSo()
    {
        final MachineDriver<CoordinatorCommand, CoordinatorState> small = new MachineDriver<>(
            new CoordinatorMachine(LOCAL, CoordinatorMachine.DEFAULT_HANDLER, ReleaseCursorPolicy.every(1_000), 1),
            CoordinatorCommand.class);
        small.advance(7_200_000);
        final String behind = "txn-" + (small.nowMs() - 3_600_000) + "-behind";

        final Object reply = small.apply(new CoordinatorCommand.Begin(behind, LEGS, CLIENT)).reply();

        assertThat(reply).as("a begin stamped an hour behind the log time").isInstanceOf(Refused.class);
        assertThat(((Refused)reply).reason()).contains(behind, "3600000 ms behind", "clock");
        assertThat(small.state().transaction(behind)).isNull();
    }

    private static MachineDriver<CoordinatorCommand, CoordinatorState> machine(final int kept)
    {
        return new MachineDriver<>(new CoordinatorMachine(LOCAL, CoordinatorMachine.DEFAULT_HANDLER,
            ReleaseCursorPolicy.every(1_000_000), kept, Duration.ofMillis(SKEW_MS), Duration.ofMillis(KEPT_FOR_MS)),
            CoordinatorCommand.class);
    }

    private static void transfer(final MachineDriver<CoordinatorCommand, CoordinatorState> log, final String txId)
    {
        log.apply(new CoordinatorCommand.Begin(txId, LEGS, CLIENT));
        log.apply(new CoordinatorCommand.Decide(txId, true, ""));
        log.apply(new CoordinatorCommand.Finish(txId));
    }

    /** Moves the log time on to the stamp of {@code stamped(i)}. */
    private static void at(final MachineDriver<CoordinatorCommand, CoordinatorState> log, final int i)
    {
        log.advance(Math.max(0, stampMs(i) - log.nowMs()));
    }

    /** Stamps one second apart, from the log time at which MachineDriver starts. */
    private static long stampMs(final int i)
    {
        return MachineDriver.START_TIME_MS + i * 1_000L;
    }

    private static String stamped(final int i)
    {
        return "txn-" + stampMs(i) + "-u";
    }
}

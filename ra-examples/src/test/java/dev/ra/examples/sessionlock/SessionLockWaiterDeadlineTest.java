package dev.ra.examples.sessionlock;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ApplyResult;
import dev.ra.BuiltinCommand;
import dev.ra.DownReason;
import dev.ra.Effect;
import dev.ra.ProcessRef;
import dev.ra.RaftRole;
import dev.ra.examples.support.MachineDriver;
import dev.ra.examples.support.ReleaseCursorPolicy;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * An unreachable waiter keeps its place for the grace period in force when its node became unreachable, as a cut-off
 * holder keeps its deadline (version 3): a {@link SessionLockCommand.Configure} after that changes neither. Its
 * deadline is in log time, so a timer that fires before it (a new leader arms the grace period in force, in full)
 * re-arms itself for the rest, and a new leader's {@link SessionLockCommand.RearmTimers} re-arms it with the
 * remainder. The timer used to drop the waiter whenever it fired: a Configure that lowered the grace period followed
 * by a change of leader dropped a waiter long before the grace period it was cut off with had run out.
 */
class SessionLockWaiterDeadlineTest
{
    private static final long GRACE_MS = 10_000;
    private static final ProcessRef A = new ProcessRef("n1", 1);
    private static final ProcessRef B = new ProcessRef("n2", 1);
    private static final String WAITER_TIMER = SessionLockMachine.waiterTimerName("k", B);

    private final SessionLockMachine machine = new SessionLockMachine(Duration.ofMillis(GRACE_MS),
        ReleaseCursorPolicy.every(1_000));
    private final MachineDriver<SessionLockCommand, SessionLockState> locks =
        new MachineDriver<>(machine, SessionLockCommand.class);

    SessionLockWaiterDeadlineTest()
    {
        locks.restore(SessionLockState.EMPTY.withGraceMs(GRACE_MS));
    }

    /** A holds the lock, B waits for it and is cut off now, with the grace period in force. */
    private void waiterBCutOff(final MachineDriver<SessionLockCommand, SessionLockState> driver)
    {
        driver.apply(new SessionLockCommand.Acquire("k", A));
        driver.apply(new SessionLockCommand.Acquire("k", B));
        driver.builtin(new BuiltinCommand.Down(B, DownReason.NOCONNECTION));
    }

    @Test
    void shouldKeepAnUnreachableWaiterUntilItsDeadlineWhenANewLeadersTimerFiresEarly()
    {
        waiterBCutOff(locks);
        locks.advance(1_000);
        locks.apply(new SessionLockCommand.Configure(2_000));

        // A new leader arms the waiter's timer with the grace period in force, 2 s; it fires at 3 s.
        assertThat(locks.enter(RaftRole.LEADER)).contains(new Effect.Timer(WAITER_TIMER, 2_000));
        locks.advance(2_000);
        final ApplyResult<SessionLockState> early = locks.builtin(new BuiltinCommand.Timeout(WAITER_TIMER));

        assertThat(early.state().lock("k").waiters()).as("B, cut off with 10 s, 3 s ago")
            .containsExactly(new Waiter(B, false));
        assertThat(early.effects()).containsExactly(new Effect.Timer(WAITER_TIMER, 7_000));
        locks.advance(7_000);

        final ApplyResult<SessionLockState> due = locks.builtin(new BuiltinCommand.Timeout(WAITER_TIMER));

        assertThat(due.state().lock("k").waiters()).isEmpty();
        assertThat(due.effects()).containsExactly(new Effect.Demonitor(B));
        assertThat(due.state().waiterDeadlines()).isEmpty();
    }

    @Test
    void shouldReArmAnUnreachableWaitersTimerWithTheRemainderAfterALeaderChange()
    {
        waiterBCutOff(locks);
        locks.apply(new SessionLockCommand.Configure(60_000));
        locks.advance(4_000);

        final List<Effect> enter = locks.enter(RaftRole.LEADER);
        final ApplyResult<SessionLockState> rearm = locks.apply(new SessionLockCommand.RearmTimers());

        assertThat(enter).contains(new Effect.Timer(WAITER_TIMER, 60_000),
            new Effect.Append(new SessionLockCommand.RearmTimers()));
        assertThat(rearm.effects()).containsExactly(new Effect.Timer(WAITER_TIMER, 6_000));
        assertThat(rearm.state()).isEqualTo(locks.state());
    }

    @Test
    void shouldDropAnUnreachableWaiterAtTheDeadlineOfTheGracePeriodItWasCutOffWithThoughAConfigureRaisedIt()
    {
        waiterBCutOff(locks);
        locks.apply(new SessionLockCommand.Configure(60_000));
        locks.advance(GRACE_MS);

        final ApplyResult<SessionLockState> due = locks.builtin(new BuiltinCommand.Timeout(WAITER_TIMER));

        assertThat(due.state().lock("k").waiters()).isEmpty();
        assertThat(due.effects()).containsExactly(new Effect.Demonitor(B));
    }

    @Test
    void shouldForgetTheDeadlineOfAWaiterThatIsBackAsksAgainCancelsOrDies()
    {
        final ProcessRef c = new ProcessRef("n3", 1);
        final ProcessRef d = new ProcessRef("n4", 1);
        final ProcessRef e = new ProcessRef("n5", 1);
        waiterBCutOff(locks);
        for (final ProcessRef waiter : List.of(c, d, e))
        {
            locks.apply(new SessionLockCommand.Acquire("k", waiter));
            locks.builtin(new BuiltinCommand.Down(waiter, DownReason.NOCONNECTION));
        }
        assertThat(locks.state().waiterDeadlines()).hasSize(4).containsEntry(WAITER_TIMER,
            MachineDriver.START_TIME_MS + GRACE_MS);
        assertThat(machine.stateCodec().fromBytes(machine.stateCodec().toBytes(locks.state())))
            .as("a snapshot keeps the deadlines").isEqualTo(locks.state());

        locks.builtin(new BuiltinCommand.NodeUp("n2"));
        locks.apply(new SessionLockCommand.Acquire("k", c));
        locks.apply(new SessionLockCommand.Cancel("k", d));
        locks.builtin(new BuiltinCommand.Down(e, DownReason.NOPROC));

        assertThat(locks.state().waiterDeadlines()).isEmpty();
    }

    @Test
    void shouldForgetTheDeadlineOfAnUnreachableWaiterThatTakesTheFreeLock()
    {
        waiterBCutOff(locks);
        locks.apply(new SessionLockCommand.Release("k", A));

        // The lock is free and only B waits, unreachable: B's own acquire takes it.
        locks.apply(new SessionLockCommand.Acquire("k", B));

        assertThat(locks.state().holder("k")).isEqualTo(B);
        assertThat(locks.state().waiterDeadlines()).isEmpty();
    }

    /** Version 2 (its snapshots have no deadlines) drops the waiter whenever its timer fires, as it did. */
    @Test
    void shouldKeepVersionTwosRuleOfDroppingTheWaiterWhenItsTimerFires()
    {
        final MachineDriver<SessionLockCommand, SessionLockState> v2 = new MachineDriver<>(machine.machineFor(2),
            SessionLockCommand.class);
        waiterBCutOff(v2);
        assertThat(v2.state().waiterDeadlines()).isEmpty();
        v2.advance(1_000);

        final ApplyResult<SessionLockState> early = v2.builtin(new BuiltinCommand.Timeout(WAITER_TIMER));

        assertThat(early.state().lock("k").waiters()).isEmpty();
        assertThat(early.effects()).containsExactly(new Effect.Demonitor(B));
    }
}

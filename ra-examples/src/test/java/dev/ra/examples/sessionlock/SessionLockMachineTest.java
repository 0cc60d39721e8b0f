package dev.ra.examples.sessionlock;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ApplyResult;
import dev.ra.BuiltinCommand;
import dev.ra.DownReason;
import dev.ra.Effect;
import dev.ra.ProcessRef;
import dev.ra.RaftRole;
import dev.ra.examples.lock.LockGranted;
import dev.ra.examples.lock.LockReply;
import dev.ra.examples.support.CommandNumber;
import dev.ra.examples.support.MachineDriver;
import dev.ra.examples.support.ReleaseCursorPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class SessionLockMachineTest
{
    private static final long GRACE_MS = 10_000;
    private static final long T0 = MachineDriver.START_TIME_MS;
    private static final String TIMER = SessionLockMachine.timerName("k");
    private static final ProcessRef A = new ProcessRef("n1", 1);
    private static final ProcessRef B = new ProcessRef("n2", 1);
    private static final ProcessRef C = new ProcessRef("n3", 1);

    private final MachineDriver<SessionLockCommand, SessionLockState> locks = new MachineDriver<>(
        new SessionLockMachine(Duration.ofMillis(GRACE_MS), ReleaseCursorPolicy.every(1_000)),
        SessionLockCommand.class);

    SessionLockMachineTest()
    {
        // The grace period in force is in the state (machine version 3): as if the first leader had put its own.
        locks.restore(SessionLockState.EMPTY.withGraceMs(GRACE_MS));
    }

    private static Waiter up(final ProcessRef process)
    {
        return new Waiter(process, true);
    }

    private void holderAWithWaitersBAndC()
    {
        locks.apply(new SessionLockCommand.Acquire("k", A));
        locks.apply(new SessionLockCommand.Acquire("k", B));
        locks.apply(new SessionLockCommand.Acquire("k", C));
    }

    @Test
    void shouldGrantAFreeLockAndQueueOthersInOrder()
    {
        final ApplyResult<SessionLockState> first = locks.apply(new SessionLockCommand.Acquire("k", A));
        final Object second = locks.apply(new SessionLockCommand.Acquire("k", B)).reply();
        final Object third = locks.apply(new SessionLockCommand.Acquire("k", C)).reply();

        assertThat(first.reply()).isEqualTo(new LockReply.Acquired(1));
        assertThat(first.effects()).containsExactly(new Effect.Monitor(A));
        assertThat(second).isEqualTo(new LockReply.Queued(1));
        assertThat(third).isEqualTo(new LockReply.Queued(2));
        assertThat(locks.state().lock("k")).isEqualTo(new SessionLockEntry(A, 1, null, List.of(up(B), up(C))));
    }

    @Test
    void shouldStartTheGracePeriodWhenTheHolderBecomesUnreachable()
    {
        holderAWithWaitersBAndC();
        locks.advance(500);

        final ApplyResult<SessionLockState> down = locks.builtin(new BuiltinCommand.Down(A, DownReason.NOCONNECTION));

        assertThat(down.state().lock("k")).isEqualTo(new SessionLockEntry(A, 1,
            new Disconnection(T0 + 500, T0 + 500 + GRACE_MS), List.of(up(B), up(C))));
        assertThat(down.effects()).containsExactly(new Effect.Timer(TIMER, GRACE_MS), new Effect.MonitorNode("n1"));
    }

    @Test
    void shouldNotExtendTheGracePeriodOnASecondNoConnection()
    {
        holderAWithWaitersBAndC();
        locks.builtin(new BuiltinCommand.Down(A, DownReason.NOCONNECTION));
        final SessionLockEntry first = locks.state().lock("k");
        locks.advance(3_000);

        final ApplyResult<SessionLockState> again = locks.builtin(new BuiltinCommand.Down(A, DownReason.NOCONNECTION));

        assertThat(again.state().lock("k")).isEqualTo(first);
        assertThat(again.effects()).containsExactly(new Effect.MonitorNode("n1"));
    }

    @Test
    void shouldKeepTheLockWhenTheHolderReacquiresInTime()
    {
        holderAWithWaitersBAndC();
        locks.builtin(new BuiltinCommand.Down(A, DownReason.NOCONNECTION));
        locks.advance(GRACE_MS - 1);

        final ApplyResult<SessionLockState> reacquire = locks.apply(new SessionLockCommand.Acquire("k", A));
        locks.advance(10);
        final SessionLockState kept = locks.state();
        final ApplyResult<SessionLockState> lateTimer = locks.builtin(new BuiltinCommand.Timeout(TIMER));

        assertThat(reacquire.reply()).isEqualTo(new LockReply.Acquired(1));
        assertThat(reacquire.effects()).containsExactly(new Effect.Monitor(A), new Effect.CancelTimer(TIMER));
        assertThat(kept.lock("k")).isEqualTo(new SessionLockEntry(A, 1, null, List.of(up(B), up(C))));
        assertThat(lateTimer).isEqualTo(ApplyResult.of(kept));
    }

    @Test
    void shouldNotKeepTheLockForAHolderReacquiringAfterItsDeadlineBeforeTheTimeoutIsApplied()
    {
        holderAWithWaitersBAndC();
        locks.builtin(new BuiltinCommand.Down(A, DownReason.NOCONNECTION));
        locks.advance(GRACE_MS);

        // The leader's timer fired, but its Timeout entry comes after the holder's re-acquire.
        final ApplyResult<SessionLockState> late = locks.apply(new SessionLockCommand.Acquire("k", A));

        assertThat(late.reply()).isEqualTo(new LockReply.Queued(2));
        assertThat(late.state().lock("k")).isEqualTo(new SessionLockEntry(B, 5, null, List.of(up(C), up(A))));
        assertThat(late.effects()).contains(new Effect.CancelTimer(TIMER), new Effect.SendMsg(B, new LockGranted("k",
            5)));
        assertThat(locks.builtin(new BuiltinCommand.Timeout(TIMER)).state()).isEqualTo(late.state());
    }

    @Test
    void shouldGiveALoneHolderReacquiringAfterItsDeadlineANewToken()
    {
        locks.apply(new SessionLockCommand.Acquire("k", A));
        locks.builtin(new BuiltinCommand.Down(A, DownReason.NOCONNECTION));
        locks.advance(GRACE_MS + 1);

        final ApplyResult<SessionLockState> late = locks.apply(new SessionLockCommand.Acquire("k", A));

        assertThat(late.reply()).isEqualTo(new LockReply.Acquired(3));
        assertThat(late.state().lock("k")).isEqualTo(new SessionLockEntry(A, 3, null, List.of()));
    }

    @Test
    void shouldKeepVersionZerosRuleForAClusterStillRunningIt()
    {
        // Members of an older build apply version 0's rule to the same entries: the newer build does too until the
        // cluster switches, or the members' states would differ.
        final SessionLockMachine latest = new SessionLockMachine(Duration.ofMillis(GRACE_MS),
            ReleaseCursorPolicy.every(1_000));
        assertThat(latest.machineFor(latest.version())).isSameAs(latest);
        final MachineDriver<SessionLockCommand, SessionLockState> v0 = new MachineDriver<>(latest.machineFor(0),
            SessionLockCommand.class);
        v0.apply(new SessionLockCommand.Acquire("k", A));
        v0.builtin(new BuiltinCommand.Down(A, DownReason.NOCONNECTION));
        v0.advance(GRACE_MS + 1);

        final ApplyResult<SessionLockState> late = v0.apply(new SessionLockCommand.Acquire("k", A));

        assertThat(late.reply()).isEqualTo(new LockReply.Acquired(1));
    }

    @Test
    void shouldDropAWaiterWhoseNodeStaysUnreachableForTheGracePeriodAndTheFreeLockWithIt()
    {
        final String waiterTimer = SessionLockMachine.waiterTimerName("k", B);
        locks.apply(new SessionLockCommand.Acquire("k", A));
        locks.apply(new SessionLockCommand.Acquire("k", B));

        final ApplyResult<SessionLockState> down = locks.builtin(new BuiltinCommand.Down(B, DownReason.NOCONNECTION));
        assertThat(down.effects()).containsExactly(new Effect.Timer(waiterTimer, GRACE_MS),
            new Effect.MonitorNode("n2"));
        locks.apply(new SessionLockCommand.Release("k", A));
        assertThat(locks.state().lock("k")).as("free, kept for the unreachable waiter")
            .isEqualTo(new SessionLockEntry(null, 0, null, List.of(new Waiter(B, false))));
        assertThat(locks.enter(RaftRole.LEADER)).as("a new leader arms the waiter's timer again, in full")
            .contains(new Effect.Timer(waiterTimer, GRACE_MS));
        locks.advance(GRACE_MS);

        final ApplyResult<SessionLockState> expired = locks.builtin(new BuiltinCommand.Timeout(waiterTimer));

        assertThat(expired.state().lock("k")).isNull();
        assertThat(expired.effects()).containsExactly(new Effect.Demonitor(B));
    }

    @Test
    void shouldKeepAWaiterWhoseNodeReturnsWithinTheGracePeriod()
    {
        final String waiterTimer = SessionLockMachine.waiterTimerName("k", B);
        holderAWithWaitersBAndC();
        locks.builtin(new BuiltinCommand.Down(B, DownReason.NOCONNECTION));

        assertThat(locks.builtin(new BuiltinCommand.NodeUp("n2")).effects())
            .contains(new Effect.CancelTimer(waiterTimer));
        // A timeout already appended when the node came back finds the waiter reachable: it keeps its place.
        locks.builtin(new BuiltinCommand.Timeout(waiterTimer));

        assertThat(locks.state().lock("k")).isEqualTo(new SessionLockEntry(A, 1, null, List.of(up(B), up(C))));
        locks.builtin(new BuiltinCommand.Down(C, DownReason.NOCONNECTION));
        assertThat(locks.apply(new SessionLockCommand.Acquire("k", C)).effects())
            .as("a waiter that asks again is reachable").contains(new Effect.CancelTimer(
                SessionLockMachine.waiterTimerName("k", C)));
    }

    @Test
    void shouldKeepVersionOnesRuleOfUnreachableWaitersForAClusterStillRunningIt()
    {
        final SessionLockMachine latest = new SessionLockMachine(Duration.ofMillis(GRACE_MS),
            ReleaseCursorPolicy.every(1_000));
        final MachineDriver<SessionLockCommand, SessionLockState> v1 = new MachineDriver<>(latest.machineFor(1),
            SessionLockCommand.class);
        v1.apply(new SessionLockCommand.Acquire("k", A));
        v1.apply(new SessionLockCommand.Acquire("k", B));
        assertThat(v1.builtin(new BuiltinCommand.Down(B, DownReason.NOCONNECTION)).effects())
            .containsExactly(new Effect.MonitorNode("n2"));
        v1.apply(new SessionLockCommand.Release("k", A));
        v1.advance(GRACE_MS);

        v1.builtin(new BuiltinCommand.Timeout(SessionLockMachine.waiterTimerName("k", B)));

        assertThat(v1.state().lock("k")).isEqualTo(new SessionLockEntry(null, 0, null, List.of(new Waiter(B, false))));
        assertThat(v1.enter(RaftRole.LEADER)).as("no waiter timer at version 1")
            .noneMatch(effect -> effect instanceof Effect.Timer);
    }

    @Test
    void shouldArmTheTimerOfAWaiterAlreadyUnreachableWhenTheClusterSwitchesToVersionTwo()
    {
        final SessionLockMachine latest = new SessionLockMachine(Duration.ofMillis(GRACE_MS),
            ReleaseCursorPolicy.every(1_000));
        final MachineDriver<SessionLockCommand, SessionLockState> v1 = new MachineDriver<>(latest.machineFor(1),
            SessionLockCommand.class);
        v1.apply(new SessionLockCommand.Acquire("k", A));
        v1.apply(new SessionLockCommand.Acquire("k", B));
        v1.builtin(new BuiltinCommand.Down(B, DownReason.NOCONNECTION));
        v1.apply(new SessionLockCommand.Release("k", A));
        final MachineDriver<SessionLockCommand, SessionLockState> v2 = new MachineDriver<>(latest.machineFor(2),
            SessionLockCommand.class);
        v2.restore(v1.state());

        // The leader stays: no stateEnter arms the timer, the switch must.
        final ApplyResult<SessionLockState> switched = v2.builtin(new BuiltinCommand.MachineVersionChanged(1, 2));
        assertThat(switched.effects())
            .contains(new Effect.Timer(SessionLockMachine.waiterTimerName("k", B), GRACE_MS));
        v2.advance(GRACE_MS);
        v2.builtin(new BuiltinCommand.Timeout(SessionLockMachine.waiterTimerName("k", B)));

        assertThat(v2.state().lock("k")).as("the free lock only B waited for").isNull();
    }

    @Test
    void shouldNotKeepTheLockForAHolderWhoseNodeReturnsAfterItsDeadline()
    {
        holderAWithWaitersBAndC();
        locks.builtin(new BuiltinCommand.Down(A, DownReason.NOCONNECTION));
        locks.advance(GRACE_MS);

        final ApplyResult<SessionLockState> back = locks.builtin(new BuiltinCommand.NodeUp("n1"));

        assertThat(back.state().lock("k")).isEqualTo(new SessionLockEntry(B, 5, null, List.of(up(C))));
        assertThat(back.effects()).contains(new Effect.SendMsg(B, new LockGranted("k", 5)));
    }

    @Test
    void shouldPassTheLockOnWhenTheGracePeriodEnds()
    {
        holderAWithWaitersBAndC();
        locks.builtin(new BuiltinCommand.Down(A, DownReason.NOCONNECTION));
        locks.advance(GRACE_MS);

        final ApplyResult<SessionLockState> timeout = locks.builtin(new BuiltinCommand.Timeout(TIMER));

        assertThat(timeout).isEqualTo(ApplyResult.of(
            new SessionLockState(Map.of("k", new SessionLockEntry(B, 5, null, List.of(up(C)))), 0, GRACE_MS), null,
            new Effect.CancelTimer(TIMER), new Effect.SendMsg(B, new LockGranted("k", 5))));
    }

    @Test
    void shouldReArmATimerThatFiresBeforeTheDeadline()
    {
        holderAWithWaitersBAndC();
        locks.builtin(new BuiltinCommand.Down(A, DownReason.NOCONNECTION));
        final SessionLockState before = locks.state();
        locks.advance(GRACE_MS - 2_500);

        final ApplyResult<SessionLockState> early = locks.builtin(new BuiltinCommand.Timeout(TIMER));

        assertThat(early).isEqualTo(ApplyResult.of(before, null, new Effect.Timer(TIMER, 2_500)));
    }

    @Test
    void shouldKeepTheLockUntilTheVeryLastMillisecondOfTheGracePeriod()
    {
        holderAWithWaitersBAndC();
        locks.builtin(new BuiltinCommand.Down(A, DownReason.NOCONNECTION));
        locks.advance(GRACE_MS - 1);

        final ApplyResult<SessionLockState> early = locks.builtin(new BuiltinCommand.Timeout(TIMER));

        assertThat(early.state().holder("k")).isEqualTo(A);
        assertThat(early.effects()).containsExactly(new Effect.Timer(TIMER, 1));
    }

    @Test
    void shouldReArmTimersWithTheRemainingTimeAfterALeaderChange()
    {
        holderAWithWaitersBAndC();
        locks.builtin(new BuiltinCommand.Down(A, DownReason.NOCONNECTION));
        locks.advance(4_000);

        final List<Effect> enter = locks.enter(RaftRole.LEADER);
        final ApplyResult<SessionLockState> rearm = locks.apply(new SessionLockCommand.RearmTimers());

        assertThat(enter).containsExactly(
            new Effect.Monitor(A), new Effect.Monitor(B), new Effect.Monitor(C),
            new Effect.MonitorNode("n1"),
            new Effect.SendMsg(A, new LockGranted("k", 1)),
            new Effect.Timer(TIMER, GRACE_MS),
            new Effect.Append(new SessionLockCommand.RearmTimers()));
        // The remaining 6 s, not the 4 s elapsed that the Erlang original re-armed with.
        assertThat(rearm.effects()).containsExactly(new Effect.Timer(TIMER, 6_000));
        assertThat(rearm.state()).isEqualTo(locks.state());
        assertThat(locks.state().holder("k")).isEqualTo(A);
    }

    @Test
    void shouldReleaseOnRearmWhenTheDeadlinePassedDuringTheElection()
    {
        holderAWithWaitersBAndC();
        locks.builtin(new BuiltinCommand.Down(A, DownReason.NOCONNECTION));
        locks.advance(GRACE_MS + 1);

        final ApplyResult<SessionLockState> rearm = locks.apply(new SessionLockCommand.RearmTimers());

        assertThat(rearm.state().lock("k")).isEqualTo(new SessionLockEntry(B, 5, null, List.of(up(C))));
        assertThat(rearm.effects())
            .containsExactly(new Effect.CancelTimer(TIMER), new Effect.SendMsg(B, new LockGranted("k", 5)));
    }

    @Test
    void shouldNotAppendARearmWhenNoHolderIsDisconnected()
    {
        holderAWithWaitersBAndC();

        assertThat(locks.enter(RaftRole.LEADER)).containsExactly(
            new Effect.Monitor(A), new Effect.Monitor(B), new Effect.Monitor(C),
            new Effect.SendMsg(A, new LockGranted("k", 1)));
        assertThat(locks.enter(RaftRole.FOLLOWER)).isEmpty();
    }

    @Test
    void shouldReleaseAtOnceWhenADisconnectedHolderTurnsOutDead()
    {
        holderAWithWaitersBAndC();
        locks.builtin(new BuiltinCommand.Down(A, DownReason.NOCONNECTION));

        final ApplyResult<SessionLockState> dead = locks.builtin(new BuiltinCommand.Down(A, DownReason.NOPROC));

        assertThat(dead.state().lock("k")).isEqualTo(new SessionLockEntry(B, 5, null, List.of(up(C))));
        assertThat(dead.effects())
            .containsExactly(new Effect.CancelTimer(TIMER), new Effect.SendMsg(B, new LockGranted("k", 5)));
    }

    @Test
    void shouldKeepTheLockWhenTheHoldersNodeComesBack()
    {
        holderAWithWaitersBAndC();
        locks.builtin(new BuiltinCommand.Down(A, DownReason.NOCONNECTION));

        final ApplyResult<SessionLockState> up = locks.builtin(new BuiltinCommand.NodeUp("n1"));

        assertThat(up.state().lock("k")).isEqualTo(new SessionLockEntry(A, 1, null, List.of(up(B), up(C))));
        assertThat(up.effects()).containsExactly(new Effect.CancelTimer(TIMER), new Effect.Monitor(A));
    }

    @Test
    void shouldSkipUnreachableWaitersButKeepTheirPlace()
    {
        holderAWithWaitersBAndC();
        locks.builtin(new BuiltinCommand.Down(B, DownReason.NOCONNECTION));

        final ApplyResult<SessionLockState> release = locks.apply(new SessionLockCommand.Release("k", A));

        assertThat(release.state().lock("k"))
            .isEqualTo(new SessionLockEntry(C, 5, null, List.of(new Waiter(B, false))));
        assertThat(release.effects())
            .containsExactly(new Effect.SendMsg(C, new LockGranted("k", 5)), new Effect.Demonitor(A));
    }

    @Test
    void shouldKeepAFreeLockForUnreachableWaitersAndGrantItWhenTheirNodeReturns()
    {
        locks.apply(new SessionLockCommand.Acquire("k", A));
        locks.apply(new SessionLockCommand.Acquire("k", B));
        locks.builtin(new BuiltinCommand.Down(B, DownReason.NOCONNECTION));
        locks.apply(new SessionLockCommand.Release("k", A));

        assertThat(locks.state().lock("k"))
            .isEqualTo(new SessionLockEntry(null, 0, null, List.of(new Waiter(B, false))));
        assertThat(locks.state().holder("k")).isNull();

        final ApplyResult<SessionLockState> up = locks.builtin(new BuiltinCommand.NodeUp("n2"));

        assertThat(up.state().lock("k")).isEqualTo(new SessionLockEntry(B, 5, null, List.of()));
        assertThat(up.effects()).containsExactly(new Effect.CancelTimer(SessionLockMachine.waiterTimerName("k", B)),
            new Effect.SendMsg(B, new LockGranted("k", 5)), new Effect.Monitor(B));
    }

    @Test
    void shouldGrantAFreeLockToAReachableCallerAheadOfUnreachableWaiters()
    {
        locks.apply(new SessionLockCommand.Acquire("k", A));
        locks.apply(new SessionLockCommand.Acquire("k", B));
        locks.builtin(new BuiltinCommand.Down(B, DownReason.NOCONNECTION));
        locks.apply(new SessionLockCommand.Release("k", A));

        final ApplyResult<SessionLockState> acquire = locks.apply(new SessionLockCommand.Acquire("k", C));

        assertThat(acquire.reply()).isEqualTo(new LockReply.Acquired(5));
        assertThat(acquire.state().lock("k"))
            .isEqualTo(new SessionLockEntry(C, 5, null, List.of(new Waiter(B, false))));
    }

    @Test
    void shouldMakeAnUnreachableWaiterThatAsksAgainEligibleInItsOldPlace()
    {
        holderAWithWaitersBAndC();
        locks.builtin(new BuiltinCommand.Down(B, DownReason.NOCONNECTION));

        final ApplyResult<SessionLockState> again = locks.apply(new SessionLockCommand.Acquire("k", B));

        assertThat(again.reply()).isEqualTo(new LockReply.Queued(1));
        assertThat(again.state().lock("k")).isEqualTo(new SessionLockEntry(A, 1, null, List.of(up(B), up(C))));
    }

    @Test
    void shouldIgnoreReleasesByNonHoldersAndLetWaitersCancel()
    {
        holderAWithWaitersBAndC();
        final SessionLockState before = locks.state();

        assertThat(locks.apply(new SessionLockCommand.Release("k", B))).isEqualTo(ApplyResult.of(before, false));
        final ApplyResult<SessionLockState> cancel = locks.apply(new SessionLockCommand.Cancel("k", B));

        assertThat(cancel.reply()).isEqualTo(true);
        assertThat(cancel.effects()).containsExactly(new Effect.Demonitor(B));
        assertThat(cancel.state().lock("k")).isEqualTo(new SessionLockEntry(A, 1, null, List.of(up(C))));
        assertThat(locks.apply(new SessionLockCommand.Cancel("k", A)).reply()).isEqualTo(false);
    }

    @Test
    void shouldIgnoreTimersOfOtherMachinesAndUnknownLocks()
    {
        holderAWithWaitersBAndC();
        final SessionLockState before = locks.state();

        assertThat(locks.builtin(new BuiltinCommand.Timeout("other"))).isEqualTo(ApplyResult.of(before));
        assertThat(locks.builtin(new BuiltinCommand.Timeout(SessionLockMachine.timerName("nope"))))
            .isEqualTo(ApplyResult.of(before));
    }

    @Test
    void shouldHandleEveryCommandType()
    {
        final List<SessionLockCommand> samples = List.of(new SessionLockCommand.Acquire("k", A),
            new SessionLockCommand.Release("k", A), new SessionLockCommand.Cancel("k", A),
            new SessionLockCommand.RearmTimers(), new SessionLockCommand.Configure(GRACE_MS),
            new SessionLockCommand.ReleaseOnce("k", A, "r1"),
            new SessionLockCommand.NumberedAcquire("k", A, new CommandNumber("c", 1, 1)),
            new SessionLockCommand.NumberedRelease("k", A, new CommandNumber("c", 2, 2)),
            new SessionLockCommand.NumberedCancel("k", A, new CommandNumber("c", 3, 3)));
        final Set<Class<?>> covered = samples.stream().map(Object::getClass).collect(Collectors.toSet());

        assertThat(covered).containsExactlyInAnyOrder(SessionLockCommand.class.getPermittedSubclasses());
        samples.forEach(locks::apply);
    }
}

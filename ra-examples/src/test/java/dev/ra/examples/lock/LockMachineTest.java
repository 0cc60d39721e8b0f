package dev.ra.examples.lock;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ApplyResult;
import dev.ra.BuiltinCommand;
import dev.ra.DownReason;
import dev.ra.Effect;
import dev.ra.ProcessRef;
import dev.ra.RaftRole;
import dev.ra.examples.support.CommandNumber;
import dev.ra.examples.support.MachineDriver;
import dev.ra.examples.support.ReleaseCursorPolicy;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class LockMachineTest
{
    private static final ProcessRef A = new ProcessRef("n1", 1);
    private static final ProcessRef B = new ProcessRef("n2", 1);
    private static final ProcessRef C = new ProcessRef("n3", 1);

    private final MachineDriver<LockCommand, LockState> locks =
        new MachineDriver<>(new LockMachine(ReleaseCursorPolicy.every(1_000)), LockCommand.class);

    @Test
    void shouldGrantAFreeLockWithTheIndexOfTheGrantingEntryAsToken()
    {
        locks.skip(6);

        final ApplyResult<LockState> result = locks.apply(new LockCommand.Acquire("k", A));

        assertThat(result).isEqualTo(ApplyResult.of(new LockState(Map.of("k", new LockEntry(A, 7, List.of())), 0),
            new LockReply.Acquired(7), new Effect.Monitor(A)));
    }

    @Test
    void shouldGiveTheHolderTheSameTokenWhenItAcquiresAgain()
    {
        locks.apply(new LockCommand.Acquire("k", A));
        final LockState before = locks.state();

        final ApplyResult<LockState> again = locks.apply(new LockCommand.Acquire("k", A));

        assertThat(again).isEqualTo(ApplyResult.of(before, new LockReply.Acquired(1), new Effect.Monitor(A)));
    }

    @Test
    void shouldQueueWaitersInArrivalOrderAndKeepTheirPlaceOnRetry()
    {
        locks.apply(new LockCommand.Acquire("k", A));

        assertThat(locks.apply(new LockCommand.Acquire("k", B)).reply()).isEqualTo(new LockReply.Queued(1));
        assertThat(locks.apply(new LockCommand.Acquire("k", C)).reply()).isEqualTo(new LockReply.Queued(2));
        final ApplyResult<LockState> retry = locks.apply(new LockCommand.Acquire("k", B));

        assertThat(retry.reply()).isEqualTo(new LockReply.Queued(1));
        assertThat(retry.effects()).containsExactly(new Effect.Monitor(B));
        assertThat(locks.state().lock("k")).isEqualTo(new LockEntry(A, 1, List.of(B, C)));
    }

    @Test
    void shouldHandTheLockToTheFirstWaiterWithANewTokenOnRelease()
    {
        locks.apply(new LockCommand.Acquire("k", A));
        locks.apply(new LockCommand.Acquire("k", B));
        locks.apply(new LockCommand.Acquire("k", C));

        final ApplyResult<LockState> release = locks.apply(new LockCommand.Release("k", A));

        assertThat(release).isEqualTo(ApplyResult.of(
            new LockState(Map.of("k", new LockEntry(B, 4, List.of(C))), 0), true,
            new Effect.SendMsg(B, new LockGranted("k", 4)), new Effect.Demonitor(A)));
    }

    @Test
    void shouldNeverGrantTwiceWhenAFormerHolderReleasesAgain()
    {
        // The Erlang original kept the releaser as holder on hand-off, so a second release granted the lock again.
        locks.apply(new LockCommand.Acquire("k", A));
        locks.apply(new LockCommand.Acquire("k", B));
        locks.apply(new LockCommand.Acquire("k", C));
        locks.apply(new LockCommand.Release("k", A));
        final LockState afterHandOff = locks.state();

        final ApplyResult<LockState> second = locks.apply(new LockCommand.Release("k", A));

        assertThat(second).isEqualTo(ApplyResult.of(afterHandOff, false));
        assertThat(locks.state().holder("k")).isEqualTo(B);
    }

    @Test
    void shouldDeleteTheLockWhenReleasedWithoutWaiters()
    {
        locks.apply(new LockCommand.Acquire("k", A));

        final ApplyResult<LockState> release = locks.apply(new LockCommand.Release("k", A));

        assertThat(release).isEqualTo(ApplyResult.of(LockState.EMPTY, true, new Effect.Demonitor(A)));
    }

    @Test
    void shouldKeepMonitoringAReleaserThatStillWaitsForAnotherLock()
    {
        locks.apply(new LockCommand.Acquire("k", A));
        locks.apply(new LockCommand.Acquire("j", B));
        locks.apply(new LockCommand.Acquire("j", A));

        assertThat(locks.apply(new LockCommand.Release("k", A)).effects()).isEmpty();
    }

    @Test
    void shouldIgnoreAReleaseByANonHolder()
    {
        locks.apply(new LockCommand.Acquire("k", A));
        locks.apply(new LockCommand.Acquire("k", B));
        final LockState before = locks.state();

        assertThat(locks.apply(new LockCommand.Release("k", B))).isEqualTo(ApplyResult.of(before, false));
        assertThat(locks.apply(new LockCommand.Release("k", C))).isEqualTo(ApplyResult.of(before, false));
        assertThat(locks.apply(new LockCommand.Release("free", A))).isEqualTo(ApplyResult.of(before, false));
    }

    @Test
    void shouldGiveTheNextHolderAStrictlyLargerToken()
    {
        final long first = ((LockReply.Acquired)locks.apply(new LockCommand.Acquire("k", A)).reply()).token();
        locks.apply(new LockCommand.Release("k", A));
        final long second = ((LockReply.Acquired)locks.apply(new LockCommand.Acquire("k", A)).reply()).token();

        assertThat(second).isGreaterThan(first);
    }

    @Test
    void shouldPassTheLockOnWhenTheHolderGoesDownForAnyReason()
    {
        for (final DownReason reason : DownReason.values())
        {
            final MachineDriver<LockCommand, LockState> driver =
                new MachineDriver<>(new LockMachine(), LockCommand.class);
            driver.apply(new LockCommand.Acquire("k", A));
            driver.apply(new LockCommand.Acquire("k", B));

            final ApplyResult<LockState> down = driver.builtin(new BuiltinCommand.Down(A, reason));

            assertThat(down).as("%s", reason).isEqualTo(ApplyResult.of(
                new LockState(Map.of("k", new LockEntry(B, 3, List.of())), 0), null,
                new Effect.SendMsg(B, new LockGranted("k", 3))));
        }
    }

    @Test
    void shouldDropADeadProcessFromEveryLineAndEveryLockItHolds()
    {
        locks.apply(new LockCommand.Acquire("k", A));
        locks.apply(new LockCommand.Acquire("j", B));
        locks.apply(new LockCommand.Acquire("j", A));
        locks.apply(new LockCommand.Acquire("j", C));
        locks.apply(new LockCommand.Acquire("i", A));

        final ApplyResult<LockState> down = locks.builtin(new BuiltinCommand.Down(A, DownReason.ERROR));

        assertThat(down.state().locks()).isEqualTo(Map.of("j", new LockEntry(B, 2, List.of(C))));
        assertThat(down.effects()).isEmpty();
    }

    @Test
    void shouldLetAWaiterCancelButNotTheHolder()
    {
        locks.apply(new LockCommand.Acquire("k", A));
        locks.apply(new LockCommand.Acquire("k", B));
        locks.apply(new LockCommand.Acquire("k", C));

        final ApplyResult<LockState> cancel = locks.apply(new LockCommand.Cancel("k", B));
        final ApplyResult<LockState> holder = locks.apply(new LockCommand.Cancel("k", A));

        assertThat(cancel.reply()).isEqualTo(true);
        assertThat(cancel.effects()).containsExactly(new Effect.Demonitor(B));
        assertThat(holder.reply()).isEqualTo(false);
        assertThat(locks.state().lock("k")).isEqualTo(new LockEntry(A, 1, List.of(C)));
    }

    @Test
    void shouldMonitorEveryoneAndResendGrantsOnBecomingLeader()
    {
        locks.apply(new LockCommand.Acquire("k", A));
        locks.apply(new LockCommand.Acquire("k", B));
        locks.apply(new LockCommand.Acquire("j", C));
        locks.apply(new LockCommand.Acquire("j", A));

        assertThat(locks.enter(RaftRole.LEADER)).containsExactly(
            new Effect.Monitor(A), new Effect.Monitor(B), new Effect.Monitor(C),
            new Effect.SendMsg(A, new LockGranted("k", 1)), new Effect.SendMsg(C, new LockGranted("j", 3)));
        assertThat(locks.enter(RaftRole.FOLLOWER)).isEmpty();
    }

    @Test
    void shouldHandleEveryCommandType()
    {
        final List<LockCommand> samples = List.of(new LockCommand.Acquire("k", A), new LockCommand.Release("k", A),
            new LockCommand.Cancel("k", A), new LockCommand.ReleaseOnce("k", A, "r1"),
            new LockCommand.NumberedAcquire("k", A, new CommandNumber("c", 1, 1)),
            new LockCommand.NumberedRelease("k", A, new CommandNumber("c", 2, 2)),
            new LockCommand.NumberedCancel("k", A, new CommandNumber("c", 3, 3)));
        final Set<Class<?>> covered = samples.stream().map(Object::getClass).collect(Collectors.toSet());

        assertThat(covered).containsExactlyInAnyOrder(LockCommand.class.getPermittedSubclasses());
        samples.forEach(locks::apply);
    }
}

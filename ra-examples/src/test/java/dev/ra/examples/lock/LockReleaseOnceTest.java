package dev.ra.examples.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.Effect;
import dev.ra.ProcessRef;
import dev.ra.StateMachine;
import dev.ra.codec.CodecException;
import dev.ra.examples.support.MachineDriver;
import dev.ra.examples.support.ReleaseCursorPolicy;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A release whose first attempt was applied but whose reply was lost is sent again; the retry must answer true (this
 * call released the lock), not false because the lock has passed on, and must release nothing more.
 */
class LockReleaseOnceTest
{
    private static final ProcessRef A = new ProcessRef("n1", 1);
    private static final ProcessRef B = new ProcessRef("n2", 1);

    private final LockMachine newest = new LockMachine(ReleaseCursorPolicy.every(1_000));
    private final MachineDriver<LockCommand, LockState> locks = new MachineDriver<>(newest, LockCommand.class);

    @Test
    void aRetriedReleaseAnswersAsItsFirstAttemptAndReleasesNothingMore()
    {
        locks.apply(new LockCommand.Acquire("k", A));
        locks.apply(new LockCommand.Acquire("k", B));
        final LockCommand release = LockClient.releasing("k", A);
        assertThat(locks.apply(release).reply()).isEqualTo(true);
        final long token = locks.state().lock("k").token();

        assertThat(locks.apply(release).reply()).as("the retry of the release that passed the lock on")
            .isEqualTo(true);
        assertThat(locks.state().lock("k").holder()).isEqualTo(B);
        assertThat(locks.state().lock("k").token()).isEqualTo(token);
        assertThat(locks.apply(LockClient.releasing("k", A)).reply()).as("another call's release").isEqualTo(false);
    }

    @Test
    void versionZeroRefusesTheReleaseWithARequestIdAndKeepsItsSnapshotShape()
    {
        assertThat(newest.machineFor(newest.version())).isSameAs(newest);
        final StateMachine<LockCommand, LockState> zero = newest.machineFor(0);
        assertThatThrownBy(() -> zero.commandCodec().toBytes(new LockCommand.ReleaseOnce("k", A, "r")))
            .isInstanceOf(CodecException.class).hasMessageContaining("machine version 1");
        final LockState state = new LockState(Map.of("k", new LockEntry(A, 3, List.of(B))), 7);
        assertThat(zero.stateCodec().fromBytes(zero.stateCodec().toBytes(state))).isEqualTo(state);

        final MachineDriver<LockCommand, LockState> old = new MachineDriver<>(zero, LockCommand.class);
        old.apply(new LockCommand.Acquire("k", A));
        assertThat(old.apply(new LockCommand.ReleaseOnce("k", A, "r")).reply()).isEqualTo(false);
        assertThat(old.state().lock("k").holder()).isEqualTo(A);
        assertThat(old.apply(new LockCommand.Release("k", A)).effects()).contains(new Effect.Demonitor(A));
        assertThat(old.apply(new LockCommand.Release("k", A)).reply()).isEqualTo(false);
    }
}

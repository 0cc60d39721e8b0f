package dev.ra.examples.sessionlock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.ProcessRef;
import dev.ra.StateMachine;
import dev.ra.codec.CodecException;
import dev.ra.examples.support.MachineDriver;
import dev.ra.examples.support.ReleaseCursorPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A release whose first attempt was applied but whose reply was lost is sent again; the retry must answer true (this
 * call released the lock), not false because the lock has passed on, and must release nothing more.
 */
class SessionLockReleaseOnceTest
{
    private static final ProcessRef A = new ProcessRef("n1", 1);
    private static final ProcessRef B = new ProcessRef("n2", 1);

    private final SessionLockMachine newest = new SessionLockMachine(Duration.ofSeconds(5),
        ReleaseCursorPolicy.every(1_000));
    private final MachineDriver<SessionLockCommand, SessionLockState> locks =
        new MachineDriver<>(newest, SessionLockCommand.class);

    @Test
    void aRetriedReleaseAnswersAsItsFirstAttemptAndReleasesNothingMore()
    {
        locks.apply(new SessionLockCommand.Acquire("k", A));
        locks.apply(new SessionLockCommand.Acquire("k", B));
        final SessionLockCommand release = SessionLockClient.releasing("k", A);
        assertThat(locks.apply(release).reply()).isEqualTo(true);
        final long token = locks.state().lock("k").token();

        assertThat(locks.apply(release).reply()).as("the retry of the release that passed the lock on")
            .isEqualTo(true);
        assertThat(locks.state().lock("k").holder()).isEqualTo(B);
        assertThat(locks.state().lock("k").token()).isEqualTo(token);
        assertThat(locks.apply(SessionLockClient.releasing("k", A)).reply()).as("another call's release")
            .isEqualTo(false);
    }

    @Test
    void olderVersionsRefuseTheReleaseWithARequestIdAndVersionThreeKeepsItsSnapshotShape()
    {
        for (int version = 0; version < 4; version++)
        {
            final StateMachine<SessionLockCommand, SessionLockState> older = newest.machineFor(version);
            assertThatThrownBy(() -> older.commandCodec().toBytes(new SessionLockCommand.ReleaseOnce("k", A, "r")))
                .isInstanceOf(CodecException.class).hasMessageContaining("machine version 4");
        }
        final StateMachine<SessionLockCommand, SessionLockState> three = newest.machineFor(3);
        final SessionLockState state = new SessionLockState(Map.of("k", new SessionLockEntry(A, 3, null, List.of())),
            7, 5_000, Map.of("t", 9L));
        assertThat(three.stateCodec().fromBytes(three.stateCodec().toBytes(state))).isEqualTo(state);

        final MachineDriver<SessionLockCommand, SessionLockState> old =
            new MachineDriver<>(three, SessionLockCommand.class);
        old.apply(new SessionLockCommand.Acquire("k", A));
        assertThat(old.apply(new SessionLockCommand.ReleaseOnce("k", A, "r")).reply()).isEqualTo(false);
        assertThat(old.state().lock("k").holder()).isEqualTo(A);
        assertThat(old.apply(new SessionLockCommand.Release("k", A)).reply()).isEqualTo(true);
    }
}

package dev.ra.examples.sessionlock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.ApplyResult;
import dev.ra.BuiltinCommand;
import dev.ra.DownReason;
import dev.ra.ProcessRef;
import dev.ra.StateMachine;
import dev.ra.codec.CodecException;
import dev.ra.examples.lock.LockReply;
import dev.ra.examples.support.CommandNumber;
import dev.ra.examples.support.CommandNumbering;
import dev.ra.examples.support.MachineDriver;
import dev.ra.examples.support.ReleaseCursorPolicy;
import dev.ra.examples.support.StaleCommand;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Calls of one client applied out of their order, directly against the machine: a first attempt that lands after
 * its retry and after the client's later calls about the same owner must take nothing, and a retry must get its first
 * attempt's reply.
 */
class SessionLockLateAttemptTest
{
    private static final ProcessRef A = new ProcessRef("n1", 1);
    private static final ProcessRef B = new ProcessRef("n2", 1);

    private final SessionLockMachine newest = new SessionLockMachine(Duration.ofSeconds(10),
        ReleaseCursorPolicy.every(1_000));
    private final MachineDriver<SessionLockCommand, SessionLockState> locks =
        new MachineDriver<>(newest, SessionLockCommand.class);
    private final CommandNumbering client = new CommandNumbering();

    @Test
    void aLateFirstAttemptOfAnAcquireAfterTheReleaseTakesNothing()
    {
        final SessionLockCommand acquire;
        try (CommandNumbering.Call call = client.start())
        {
            acquire = new SessionLockCommand.NumberedAcquire("k", A, call.number());
            assertThat(locks.apply(acquire).reply()).as("the retry").isInstanceOf(LockReply.Acquired.class);
        }
        try (CommandNumbering.Call call = client.start())
        {
            assertThat(locks.apply(new SessionLockCommand.NumberedRelease("k", A, call.number())).reply())
                .isEqualTo(true);
        }

        final ApplyResult<SessionLockState> late = locks.apply(acquire);
        assertThat(late.reply()).isInstanceOf(StaleCommand.class);
        assertThat(late.effects()).as("not even a monitor").isEmpty();
        assertThat(locks.state().lock("k")).as("the lock after the late first attempt").isNull();
    }

    @Test
    void aRetriedCancelAnswersAsItsFirstAttempt()
    {
        locks.apply(new SessionLockCommand.Acquire("k", B));
        try (CommandNumbering.Call call = client.start())
        {
            locks.apply(new SessionLockCommand.NumberedAcquire("k", A, call.number()));
        }
        try (CommandNumbering.Call call = client.start())
        {
            final SessionLockCommand cancel = new SessionLockCommand.NumberedCancel("k", A, call.number());
            assertThat(locks.apply(cancel).reply()).isEqualTo(true);
            assertThat(locks.apply(cancel).reply()).as("the retry of the cancel that took A out of line")
                .isEqualTo(true);
        }
        assertThat(locks.state().lock("k").waiters()).isEmpty();
    }

    @Test
    void theNumbersOfAnOwnerThatEndedGoAndThoseOfOneCutOffStay()
    {
        try (CommandNumbering.Call call = client.start())
        {
            locks.apply(new SessionLockCommand.NumberedAcquire("k", A, call.number()));
            locks.apply(new SessionLockCommand.NumberedAcquire("k", B, call.number()));
        }
        locks.builtin(new BuiltinCommand.Down(A, DownReason.NOCONNECTION));
        assertThat(locks.state().sequences().clients()).hasSize(2);
        locks.builtin(new BuiltinCommand.Down(B, DownReason.NOPROC));
        assertThat(locks.state().sequences().clients().keySet()).extracting(c -> c.process()).containsOnly(A);
    }

    @Test
    void olderVersionsRefuseTheNumberedCommandsAndKeepTheirSnapshotShape()
    {
        assertThat(newest.version()).isEqualTo(5);
        assertThat(newest.machineFor(5)).isSameAs(newest);
        final CommandNumber number = new CommandNumber("c", 1, 1);
        for (int version = 0; version < 5; version++)
        {
            final StateMachine<SessionLockCommand, SessionLockState> older = newest.machineFor(version);
            for (final SessionLockCommand numbered : List.of(new SessionLockCommand.NumberedAcquire("k", A, number),
                new SessionLockCommand.NumberedRelease("k", A, number),
                new SessionLockCommand.NumberedCancel("k", A, number)))
            {
                assertThatThrownBy(() -> older.commandCodec().toBytes(numbered)).as("version " + version)
                    .isInstanceOf(CodecException.class).hasMessageContaining("machine version 5");
            }
        }
        final StateMachine<SessionLockCommand, SessionLockState> four = newest.machineFor(4);
        final SessionLockState state = new SessionLockState(Map.of(), 7, 2_000, Map.of()).answered("r", true);
        assertThat(four.stateCodec().fromBytes(four.stateCodec().toBytes(state))).isEqualTo(state);
        final SessionLockState numbered = state.withSequences(state.sequences().applied(A, number, true, 5));
        assertThat(newest.stateCodec().fromBytes(newest.stateCodec().toBytes(numbered))).isEqualTo(numbered);
    }
}

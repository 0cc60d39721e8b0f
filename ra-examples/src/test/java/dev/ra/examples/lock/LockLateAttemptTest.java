package dev.ra.examples.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.ApplyResult;
import dev.ra.BuiltinCommand;
import dev.ra.DownReason;
import dev.ra.Effect;
import dev.ra.ProcessRef;
import dev.ra.RaftRole;
import dev.ra.StateMachine;
import dev.ra.codec.CodecException;
import dev.ra.examples.support.CommandNumber;
import dev.ra.examples.support.CommandNumbering;
import dev.ra.examples.support.MachineDriver;
import dev.ra.examples.support.ReleaseCursorPolicy;
import dev.ra.examples.support.StaleCommand;
import dev.ra.examples.support.ClientSequences;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Calls of one client applied out of their order, directly against the machine: a first attempt that lands after
 * its retry and after the client's later calls about the same owner must take nothing, and a retry must get its first
 * attempt's reply.
 */
class LockLateAttemptTest
{
    private static final ProcessRef A = new ProcessRef("n1", 1);
    private static final ProcessRef B = new ProcessRef("n2", 1);

    private final LockMachine newest = new LockMachine(ReleaseCursorPolicy.every(1_000));
    private final MachineDriver<LockCommand, LockState> locks = new MachineDriver<>(newest, LockCommand.class);
    private final CommandNumbering client = new CommandNumbering();

    @Test
    void aLateFirstAttemptOfAnAcquireAfterTheReleaseTakesNothing()
    {
        final LockCommand acquire;
        try (CommandNumbering.Call call = client.start())
        {
            acquire = new LockCommand.NumberedAcquire("k", A, call.number());
            assertThat(locks.apply(acquire).reply()).as("the retry").isInstanceOf(LockReply.Acquired.class);
        }
        try (CommandNumbering.Call call = client.start())
        {
            assertThat(locks.apply(new LockCommand.NumberedRelease("k", A, call.number())).reply()).isEqualTo(true);
        }

        final ApplyResult<LockState> late = locks.apply(acquire);
        assertThat(late.reply()).isInstanceOf(StaleCommand.class);
        assertThat(late.effects()).as("not even a monitor").isEmpty();
        assertThat(locks.state().lock("k")).as("the lock after the late first attempt").isNull();
    }

    @Test
    void aLateAttemptOfALongLivedOwnerIsCaughtAfterMoreTryLockTenuresThanTheBound()
    {
        // Which processes the leader monitors, as the runtime keeps them: a process that ends is reported Down only
        // if it is monitored then.
        final Set<ProcessRef> monitored = new HashSet<>();
        final LockCommand acquire;
        try (CommandNumbering.Call call = client.start())
        {
            acquire = new LockCommand.NumberedAcquire("k", A, call.number());
            follow(monitored, locks.apply(acquire));
        }
        try (CommandNumbering.Call call = client.start())
        {
            follow(monitored, locks.apply(new LockCommand.NumberedRelease("k", A, call.number())));
        }
        // More tryLock tenures than the clients remembered, each with an owner of its own that ends with it.
        final CommandNumbering tryLocks = new CommandNumbering();
        for (int i = 0; i < ClientSequences.MAX_CLIENTS + 10; i++)
        {
            final ProcessRef owner = new ProcessRef("n2", 100 + i);
            try (CommandNumbering.Call call = tryLocks.start())
            {
                follow(monitored, locks.apply(new LockCommand.NumberedAcquire("k", owner, call.number())));
            }
            try (CommandNumbering.Call call = tryLocks.start())
            {
                follow(monitored, locks.apply(new LockCommand.NumberedRelease("k", owner, call.number())));
            }
            if (monitored.remove(owner))
            {
                follow(monitored, locks.builtin(new BuiltinCommand.Down(owner, DownReason.NORMAL)));
            }
        }
        assertThat(locks.state().sequences().entries()).as("the ended owners are forgotten").hasSize(1);

        final ApplyResult<LockState> late = locks.apply(acquire);
        assertThat(late.reply()).isInstanceOf(StaleCommand.class);
        assertThat(locks.state().lock("k")).as("the lock after the late first attempt").isNull();
    }

    @Test
    void theLeaderMonitorsNoOwnerWhoseCallsWereForgottenByTheBoundOrIdleTime()
    {
        // Owners that live on: each takes and releases the lock once, by numbered calls. What the leader monitors
        // must stay what a new leader monitors from the same state (stateEnter): an owner whose calls the bound or
        // the idle time forgot holds nothing, and a monitor kept for it would never go while it lives.
        final Set<ProcessRef> monitored = new HashSet<>();
        final CommandNumbering owners = new CommandNumbering();
        for (int i = 0; i < ClientSequences.MAX_CLIENTS + 10; i++)
        {
            final ProcessRef owner = new ProcessRef("n2", 100 + i);
            try (CommandNumbering.Call call = owners.start())
            {
                follow(monitored, locks.apply(new LockCommand.NumberedAcquire("k", owner, call.number())));
            }
            try (CommandNumbering.Call call = owners.start())
            {
                follow(monitored, locks.apply(new LockCommand.NumberedRelease("k", owner, call.number())));
            }
        }
        assertThat(monitored).as("after the bound").isEqualTo(monitoredByANewLeader());

        locks.advance(ClientSequences.RETAINED_MS + 1);
        try (CommandNumbering.Call call = client.start())
        {
            follow(monitored, locks.apply(new LockCommand.NumberedAcquire("k", A, call.number())));
        }
        assertThat(monitored).as("after the idle time").containsExactly(A).isEqualTo(monitoredByANewLeader());
    }

    @Test
    void aRememberedOwnerCutOffIsMonitoredAgainWhenItsNodeComesBack()
    {
        // A took and released the lock by numbered calls: monitored while its calls are remembered. Its node is cut
        // off (the monitor is gone, the calls kept), then comes back: A must be monitored again, as a new leader
        // would, or its end is never reported and its calls stay until the bound.
        final Set<ProcessRef> monitored = new HashSet<>();
        try (CommandNumbering.Call call = client.start())
        {
            follow(monitored, locks.apply(new LockCommand.NumberedAcquire("k", A, call.number())));
        }
        try (CommandNumbering.Call call = client.start())
        {
            follow(monitored, locks.apply(new LockCommand.NumberedRelease("k", A, call.number())));
        }
        assertThat(monitored).containsExactly(A);

        monitored.remove(A);
        final ApplyResult<LockState> cutOff = locks.builtin(new BuiltinCommand.Down(A, DownReason.NOCONNECTION));
        assertThat(cutOff.effects()).as("the node watched").contains(new Effect.MonitorNode(A.node()));
        follow(monitored, locks.builtin(new BuiltinCommand.NodeUp(A.node())));
        assertThat(monitored).as("after the node came back").containsExactly(A).isEqualTo(monitoredByANewLeader());
    }

    private Set<ProcessRef> monitoredByANewLeader()
    {
        final Set<ProcessRef> monitored = new HashSet<>();
        for (final Effect effect : newest.stateEnter(RaftRole.LEADER, locks.state()))
        {
            if (effect instanceof Effect.Monitor monitor)
            {
                monitored.add(monitor.process());
            }
        }
        return monitored;
    }

    private static void follow(final Set<ProcessRef> monitored, final ApplyResult<LockState> result)
    {
        for (final Effect effect : result.effects())
        {
            if (effect instanceof Effect.Monitor monitor)
            {
                monitored.add(monitor.process());
            }
            else if (effect instanceof Effect.Demonitor demonitor)
            {
                monitored.remove(demonitor.process());
            }
        }
    }

    @Test
    void aRetriedCancelAnswersAsItsFirstAttempt()
    {
        locks.apply(new LockCommand.Acquire("k", B));
        try (CommandNumbering.Call call = client.start())
        {
            locks.apply(new LockCommand.NumberedAcquire("k", A, call.number()));
        }
        try (CommandNumbering.Call call = client.start())
        {
            final LockCommand cancel = new LockCommand.NumberedCancel("k", A, call.number());
            assertThat(locks.apply(cancel).reply()).isEqualTo(true);
            assertThat(locks.apply(cancel).reply()).as("the retry of the cancel that took A out of line")
                .isEqualTo(true);
        }
        assertThat(locks.state().lock("k").waiters()).isEmpty();
    }

    @Test
    void aRetriedAcquireGetsItsFirstReplyAfterTheLockMoved()
    {
        try (CommandNumbering.Call call = client.start())
        {
            final LockCommand acquire = new LockCommand.NumberedAcquire("k", A, call.number());
            final Object first = locks.apply(acquire).reply();
            locks.apply(new LockCommand.Acquire("k", B));
            locks.apply(new LockCommand.Release("k", A));
            final ApplyResult<LockState> retry = locks.apply(acquire);
            assertThat(retry.reply()).isEqualTo(first);
            assertThat(locks.state().lock("k").holder()).as("B keeps the lock it was handed").isEqualTo(B);
            assertThat(locks.state().lock("k").waiters()).isEmpty();
        }
    }

    @Test
    void callsOfOneClientUnderWayAtOnceAreEachApplied()
    {
        final CommandNumbering.Call first = client.start();
        final CommandNumbering.Call second = client.start();
        assertThat(locks.apply(new LockCommand.NumberedAcquire("k2", A, second.number())).reply())
            .isInstanceOf(LockReply.Acquired.class);
        assertThat(locks.apply(new LockCommand.NumberedAcquire("k1", A, first.number())).reply())
            .as("the call started first, applied second").isInstanceOf(LockReply.Acquired.class);
        first.close();
        second.close();
        assertThat(locks.state().locks()).containsOnlyKeys("k1", "k2");
    }

    @Test
    void theNumbersOfAnOwnerThatEndedGoAndThoseOfOneCutOffStay()
    {
        try (CommandNumbering.Call call = client.start())
        {
            locks.apply(new LockCommand.NumberedAcquire("k", A, call.number()));
            locks.apply(new LockCommand.NumberedAcquire("k", B, call.number()));
        }
        locks.builtin(new BuiltinCommand.Down(B, DownReason.NOCONNECTION));
        assertThat(locks.state().sequences().clients()).hasSize(2);
        locks.builtin(new BuiltinCommand.Down(A, DownReason.NORMAL));
        assertThat(locks.state().sequences().clients().keySet()).extracting(c -> c.process()).containsOnly(B);
    }

    @Test
    void olderVersionsRefuseTheNumberedCommandsAndKeepTheirSnapshotShape()
    {
        assertThat(newest.version()).isEqualTo(2);
        assertThat(newest.machineFor(2)).isSameAs(newest);
        final CommandNumber number = new CommandNumber("c", 1, 1);
        for (int version = 0; version < 2; version++)
        {
            final StateMachine<LockCommand, LockState> older = newest.machineFor(version);
            for (final LockCommand numbered : new LockCommand[] {new LockCommand.NumberedAcquire("k", A, number),
                new LockCommand.NumberedRelease("k", A, number), new LockCommand.NumberedCancel("k", A, number)})
            {
                assertThatThrownBy(() -> older.commandCodec().toBytes(numbered)).as("version " + version)
                    .isInstanceOf(CodecException.class).hasMessageContaining("machine version 2");
            }
        }
        final StateMachine<LockCommand, LockState> one = newest.machineFor(1);
        final LockState state = new LockState(Map.of("k", new LockEntry(A, 3, java.util.List.of(B))), 7)
            .answered("r", true);
        assertThat(one.stateCodec().fromBytes(one.stateCodec().toBytes(state))).isEqualTo(state);
        final LockState numbered = state.withSequences(state.sequences().applied(A, number, true, 5));
        assertThat(newest.stateCodec().fromBytes(newest.stateCodec().toBytes(numbered))).isEqualTo(numbered);
    }
}

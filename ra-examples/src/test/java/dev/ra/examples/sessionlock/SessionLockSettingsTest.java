package dev.ra.examples.sessionlock;

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
import dev.ra.codec.Codecs;
import dev.ra.examples.support.MachineDriver;
import dev.ra.examples.support.ReleaseCursorPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The grace period is given to each member's machine (the toolbox node reads it from its own settings file); members
 * started (or restarted) with another one than the rest must still apply the log the same way, or they disagree on
 * who holds a lock.
 */
class SessionLockSettingsTest
{
    private static final ProcessRef A = new ProcessRef("n1", 1);
    private static final ProcessRef B = new ProcessRef("n2", 1);

    private final SessionLockMachine longGrace = new SessionLockMachine(Duration.ofSeconds(15),
        ReleaseCursorPolicy.every(1_000));
    private final SessionLockMachine shortGrace = new SessionLockMachine(Duration.ofSeconds(1),
        ReleaseCursorPolicy.every(1_000));

    /**
     * The holder's node is cut off, and 5 s later another process asks for the lock.
     */
    @Test
    void shouldAgreeOnTheHolderOnMembersStartedWithAnotherGracePeriod()
    {
        final MachineDriver<SessionLockCommand, SessionLockState> leader =
            new MachineDriver<>(longGrace, SessionLockCommand.class);
        final MachineDriver<SessionLockCommand, SessionLockState> follower =
            new MachineDriver<>(shortGrace, SessionLockCommand.class);
        final List<List<Effect>> onLeader = new ArrayList<>();
        final List<List<Effect>> onFollower = new ArrayList<>();
        for (final Effect effect : leader.enter(RaftRole.LEADER))
        {
            if (effect instanceof Effect.Append append)
            {
                onLeader.add(leader.apply((SessionLockCommand)append.command()).effects());
                onFollower.add(follower.apply((SessionLockCommand)append.command()).effects());
            }
        }
        onLeader.add(leader.apply(new SessionLockCommand.Acquire("k", A)).effects());
        onFollower.add(follower.apply(new SessionLockCommand.Acquire("k", A)).effects());
        onLeader.add(leader.builtin(new BuiltinCommand.Down(A, DownReason.NOCONNECTION)).effects());
        onFollower.add(follower.builtin(new BuiltinCommand.Down(A, DownReason.NOCONNECTION)).effects());
        leader.advance(5_000);
        follower.advance(5_000);
        final ApplyResult<SessionLockState> onLeaderB = leader.apply(new SessionLockCommand.Acquire("k", B));
        final ApplyResult<SessionLockState> onFollowerB = follower.apply(new SessionLockCommand.Acquire("k", B));

        assertThat(follower.state().holder("k")).as("the holder on the follower").isEqualTo(A);
        assertThat(onFollowerB.reply()).isEqualTo(onLeaderB.reply());
        assertThat(onFollower).isEqualTo(onLeader);
        assertThat(follower.state()).isEqualTo(leader.state());
    }

    /**
     * A member restarted with a shorter grace period installs the leader's snapshot, taken while the holder's node
     * was cut off, and applies the entries after it.
     */
    @Test
    void shouldAgreeOnTheHolderAfterAnInstalledSnapshot()
    {
        final MachineDriver<SessionLockCommand, SessionLockState> leader =
            new MachineDriver<>(longGrace, SessionLockCommand.class);
        for (final Effect effect : leader.enter(RaftRole.LEADER))
        {
            if (effect instanceof Effect.Append append)
            {
                leader.apply((SessionLockCommand)append.command());
            }
        }
        leader.apply(new SessionLockCommand.Acquire("k", A));
        final MachineDriver<SessionLockCommand, SessionLockState> restarted =
            new MachineDriver<>(shortGrace, SessionLockCommand.class);
        restarted.skip(leader.nextIndex() - 1);
        restarted.restore(shortGrace.stateCodec().fromBytes(longGrace.stateCodec().toBytes(leader.state())));
        leader.builtin(new BuiltinCommand.Down(A, DownReason.NOCONNECTION));
        restarted.builtin(new BuiltinCommand.Down(A, DownReason.NOCONNECTION));
        leader.advance(5_000);
        restarted.advance(5_000);

        final Object onLeader = leader.apply(new SessionLockCommand.Acquire("k", B)).reply();
        final Object onRestarted = restarted.apply(new SessionLockCommand.Acquire("k", B)).reply();

        assertThat(onRestarted).as("B's acquire on the restored member").isEqualTo(onLeader);
        assertThat(restarted.state()).isEqualTo(leader.state());
    }

    /**
     * Versions 0 to 2 applied each member's own grace period and knew no configure command: machineFor(2) still
     * does, and reads and writes those versions' snapshots (two components, no grace period).
     */
    @Test
    void shouldKeepVersionTwosLogicAndSnapshotsWithTheMembersOwnGracePeriod()
    {
        final StateMachine<SessionLockCommand, SessionLockState> v2 = shortGrace.machineFor(2);
        final MachineDriver<SessionLockCommand, SessionLockState> locks =
            new MachineDriver<>(v2, SessionLockCommand.class);
        locks.apply(new SessionLockCommand.Acquire("k", A));
        assertThat(locks.enter(RaftRole.LEADER)).as("no configure entry")
            .noneMatch(effect -> effect instanceof Effect.Append);
        locks.builtin(new BuiltinCommand.Down(A, DownReason.NOCONNECTION));
        assertThat(locks.state().lock("k").disconnection().deadlineMs()).as("its own grace period of 1 s")
            .isEqualTo(MachineDriver.START_TIME_MS + 1_000);
        assertThat(v2.overview(locks.state())).containsEntry("gracePeriodMs", 1_000L);

        final SessionLockCommand configure = new SessionLockCommand.Configure(1_000);
        assertThatThrownBy(() -> v2.commandCodec().toBytes(configure)).isInstanceOf(CodecException.class)
            .hasMessageContaining("needs machine version 3 of SessionLockMachine");
        assertThatThrownBy(() -> v2.commandCodec().fromBytes(shortGrace.commandCodec().toBytes(configure)))
            .isInstanceOf(CodecException.class);
        final SessionLockState configured = locks.state().withGraceMs(1_000);
        final byte[] versionTwoBytes = v2.stateCodec().toBytes(configured);
        assertThat(v2.stateCodec().fromBytes(versionTwoBytes)).as("version 2 had no grace period to write")
            .isEqualTo(locks.state());
        // The generic codec writes a record's components in order with no count: version 3's bytes are version 2's
        // followed by the grace period and the unreachable waiters' deadlines.
        final StateMachine<SessionLockCommand, SessionLockState> v3 = shortGrace.machineFor(3);
        final byte[] newestBytes = v3.stateCodec().toBytes(configured);
        final byte[] graceBytes = Codecs.generic().toBytes(1_000L);
        final byte[] deadlineBytes = Codecs.generic().toBytes(Map.of());
        assertThat(newestBytes).startsWith(versionTwoBytes)
            .hasSize(versionTwoBytes.length + graceBytes.length + deadlineBytes.length);
        assertThatThrownBy(() -> v3.stateCodec().fromBytes(versionTwoBytes))
            .isInstanceOf(CodecException.class);
        assertThat(v3.stateCodec().fromBytes(v3.stateCodec().toBytes(configured))).isEqualTo(configured);
        // Version 4's bytes are version 3's followed by the replies remembered.
        assertThat(shortGrace.stateCodec().toBytes(configured)).startsWith(newestBytes);
        assertThat(shortGrace.stateCodec().fromBytes(shortGrace.stateCodec().toBytes(configured)))
            .isEqualTo(configured);
    }

    /**
     * At the switch to version 3 each member goes on with its own grace period until the leader's, which it appends.
     */
    @Test
    void shouldHaveTheLeaderPutItsGracePeriodInForceAtTheSwitchToVersionThree()
    {
        final MachineDriver<SessionLockCommand, SessionLockState> locks =
            new MachineDriver<>(shortGrace, SessionLockCommand.class);

        final ApplyResult<SessionLockState> switched =
            locks.builtin(new BuiltinCommand.MachineVersionChanged(2, 3));

        assertThat(switched.effects()).containsExactly(new Effect.Append(new SessionLockCommand.Configure(1_000)));
        assertThat(locks.state().graceMs()).isEqualTo(SessionLockState.GRACE_OF_EACH_MEMBER);
        assertThat(locks.apply(new SessionLockCommand.Configure(1_000)).reply()).as("the grace period before")
            .isEqualTo(1_000L);
        assertThat(locks.enter(RaftRole.LEADER)).as("nothing to put in force any more").isEmpty();
        assertThat(new MachineDriver<>(longGrace, SessionLockCommand.class).builtin(
            new BuiltinCommand.MachineVersionChanged(2, 3)).effects()).as("even the default is put in force")
            .containsExactly(new Effect.Append(new SessionLockCommand.Configure(15_000)));
    }

    /**
     * A cluster whose members all ran version 2 with a 60 s grace period switches to version 3. The leader's
     * Configure is appended when it applies the switch, after the entries already in the log behind it: a holder cut
     * off by one of those must still get the 60 s it had under version 2, not the 15 s default.
     */
    @Test
    void shouldKeepTheGracePeriodTheMembersAppliedBeforeTheSwitchUntilTheLeadersConfigure()
    {
        final SessionLockMachine sixtySeconds = new SessionLockMachine(Duration.ofSeconds(60),
            ReleaseCursorPolicy.every(1_000));
        final MachineDriver<SessionLockCommand, SessionLockState> v2 =
            new MachineDriver<>(sixtySeconds.machineFor(2), SessionLockCommand.class);
        v2.apply(new SessionLockCommand.Acquire("k", A));
        final MachineDriver<SessionLockCommand, SessionLockState> v3 =
            new MachineDriver<>(sixtySeconds, SessionLockCommand.class);
        v3.skip(v2.nextIndex() - 1);
        v3.restore(v2.state());

        assertThat(v3.builtin(new BuiltinCommand.MachineVersionChanged(2, 3)).effects())
            .containsExactly(new Effect.Append(new SessionLockCommand.Configure(60_000)));
        v3.builtin(new BuiltinCommand.Down(A, DownReason.NOCONNECTION));
        v3.advance(20_000);
        final Object reply = v3.apply(new SessionLockCommand.Acquire("k", B)).reply();

        assertThat(reply).as("B's acquire 20 s after the holder was cut off")
            .isEqualTo(new dev.ra.examples.lock.LockReply.Queued(1));
        assertThat(v3.state().holder("k")).isEqualTo(A);
        v3.apply(new SessionLockCommand.Configure(60_000));
        assertThat(v3.enter(RaftRole.LEADER)).as("the leader's grace period in force")
            .noneMatch(effect -> effect instanceof Effect.Append append &&
                append.command() instanceof SessionLockCommand.Configure);
        final SessionLockState snapshot = sixtySeconds.stateCodec().fromBytes(
            sixtySeconds.stateCodec().toBytes(v3.state()));
        assertThat(snapshot).isEqualTo(v3.state());
    }

    /**
     * A client may configure any grace period of at least 0; a huge one keeps a cut-off holder's lock (the deadline
     * must not overflow into the past and hand the lock on at the next entry).
     */
    @Test
    void shouldKeepTheLockOfACutOffHolderWithTheLongestGracePeriod()
    {
        final MachineDriver<SessionLockCommand, SessionLockState> locks =
            new MachineDriver<>(longGrace, SessionLockCommand.class);
        locks.apply(new SessionLockCommand.Configure(Long.MAX_VALUE));
        locks.apply(new SessionLockCommand.Acquire("k", A));
        locks.builtin(new BuiltinCommand.Down(A, DownReason.NOCONNECTION));
        locks.advance(1_000);

        assertThat(locks.apply(new SessionLockCommand.Acquire("k", B)).reply())
            .isEqualTo(new dev.ra.examples.lock.LockReply.Queued(1));
        assertThat(locks.state().holder("k")).isEqualTo(A);
    }

    /**
     * A cluster at version 1 with a 60 s grace period switches straight to version 3: the timer of a waiter already
     * unreachable is armed with the 60 s every member applied, not with the default's 15 s.
     */
    @Test
    void shouldArmTheTimerOfAWaiterAlreadyUnreachableWithTheMembersGracePeriodAtTheSwitchFromVersionOne()
    {
        final SessionLockMachine sixtySeconds = new SessionLockMachine(Duration.ofSeconds(60),
            ReleaseCursorPolicy.every(1_000));
        final MachineDriver<SessionLockCommand, SessionLockState> v1 =
            new MachineDriver<>(sixtySeconds.machineFor(1), SessionLockCommand.class);
        v1.apply(new SessionLockCommand.Acquire("k", A));
        v1.apply(new SessionLockCommand.Acquire("k", B));
        v1.builtin(new BuiltinCommand.Down(B, DownReason.NOCONNECTION));
        final MachineDriver<SessionLockCommand, SessionLockState> v3 =
            new MachineDriver<>(sixtySeconds, SessionLockCommand.class);
        v3.skip(v1.nextIndex() - 1);
        v3.restore(v1.state());

        assertThat(v3.builtin(new BuiltinCommand.MachineVersionChanged(1, 3)).effects()).containsExactly(
            new Effect.Timer(SessionLockMachine.waiterTimerName("k", B), 60_000),
            new Effect.Append(new SessionLockCommand.Configure(60_000)));
    }
}

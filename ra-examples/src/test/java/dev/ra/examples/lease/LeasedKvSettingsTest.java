package dev.ra.examples.lease;

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
import dev.ra.examples.watch.WatchCommand;
import dev.ra.examples.watch.WatchHub;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The history limit and the unreachable watch expiry are given to each member's machine; members started (or
 * restarted) with other ones than the rest must still apply the log the same way, or they keep other histories and
 * other watches, and a client sees them change with the leader.
 */
class LeasedKvSettingsTest
{
    private static final ProcessRef WATCHER = new ProcessRef("n4", 1);

    private final LeasedKvMachine generous = new LeasedKvMachine(LeasedKvMachine.DEFAULT_LESSOR_HANDLER, 1_000,
        Duration.ofMinutes(5), ReleaseCursorPolicy.every(1_000));
    private final LeasedKvMachine frugal = new LeasedKvMachine(LeasedKvMachine.DEFAULT_LESSOR_HANDLER, 1,
        Duration.ofSeconds(1), ReleaseCursorPolicy.every(1_000));

    /**
     * Two puts, a watch from the first revision, its watcher's node cut off for 10 s and the expiry check.
     */
    @Test
    void shouldApplyTheSameLogTheSameWayOnMembersStartedWithOtherSettings()
    {
        final MachineDriver<LeasedKvMachineCommand, LeasedKvState> leader =
            new MachineDriver<>(generous, LeasedKvMachineCommand.class);
        final MachineDriver<LeasedKvMachineCommand, LeasedKvState> follower =
            new MachineDriver<>(frugal, LeasedKvMachineCommand.class);
        final List<Object> onLeader = new ArrayList<>();
        final List<Object> onFollower = new ArrayList<>();
        for (final Effect effect : leader.enter(RaftRole.LEADER))
        {
            if (effect instanceof Effect.Append append)
            {
                onLeader.add(leader.apply((LeasedKvMachineCommand)append.command()).effects());
                onFollower.add(follower.apply((LeasedKvMachineCommand)append.command()).effects());
            }
        }
        final List<LeasedKvMachineCommand> commands = List.of(new LeasedKvCommand.Put("a", "1", 0),
            new LeasedKvCommand.Put("a", "2", 0), new WatchCommand.Register("w", WATCHER, "", 1));
        for (final LeasedKvMachineCommand command : commands)
        {
            final ApplyResult<LeasedKvState> first = leader.apply(command);
            final ApplyResult<LeasedKvState> second = follower.apply(command);
            onLeader.add(first.reply());
            onLeader.add(first.effects());
            onFollower.add(second.reply());
            onFollower.add(second.effects());
        }
        onLeader.add(leader.builtin(new BuiltinCommand.Down(WATCHER, DownReason.NOCONNECTION)).effects());
        onFollower.add(follower.builtin(new BuiltinCommand.Down(WATCHER, DownReason.NOCONNECTION)).effects());
        leader.advance(10_000);
        follower.advance(10_000);
        onLeader.add(leader.builtin(new BuiltinCommand.Timeout(WatchHub.EXPIRY_TIMER)).effects());
        onFollower.add(follower.builtin(new BuiltinCommand.Timeout(WatchHub.EXPIRY_TIMER)).effects());

        assertThat(follower.state().watches()).as("the follower's watches and history")
            .isEqualTo(leader.state().watches());
        assertThat(onFollower).as("the follower's replies and effects").isEqualTo(onLeader);
        assertThat(follower.state()).isEqualTo(leader.state());
    }

    /**
     * A member restarted with other settings installs the leader's snapshot, then applies the entries after it.
     */
    @Test
    void shouldApplyTheLogAfterAnInstalledSnapshotAsTheMemberThatTookIt()
    {
        final MachineDriver<LeasedKvMachineCommand, LeasedKvState> leader =
            new MachineDriver<>(generous, LeasedKvMachineCommand.class);
        for (final Effect effect : leader.enter(RaftRole.LEADER))
        {
            if (effect instanceof Effect.Append append)
            {
                leader.apply((LeasedKvMachineCommand)append.command());
            }
        }
        leader.apply(new LeasedKvCommand.Put("a", "1", 0));
        final MachineDriver<LeasedKvMachineCommand, LeasedKvState> restarted =
            new MachineDriver<>(frugal, LeasedKvMachineCommand.class);
        restarted.skip(leader.nextIndex() - 1);
        restarted.restore(frugal.stateCodec().fromBytes(generous.stateCodec().toBytes(leader.state())));

        leader.apply(new LeasedKvCommand.Put("a", "2", 0));
        restarted.apply(new LeasedKvCommand.Put("a", "2", 0));
        final WatchCommand.Register register = new WatchCommand.Register("w", WATCHER, "", 1);

        assertThat(restarted.apply(register).reply()).as("a watch from the first revision")
            .isEqualTo(leader.apply(register).reply());
        assertThat(restarted.state()).isEqualTo(leader.state());
    }

    /**
     * Versions 0 to 2 applied each member's own settings and knew no configure command: machineFor(2) still does,
     * and reads and writes those versions' snapshots (five components, no settings).
     */
    @Test
    void shouldKeepVersionTwosLogicAndSnapshotsWithTheMembersOwnSettings()
    {
        final StateMachine<LeasedKvMachineCommand, LeasedKvState> v2 = frugal.machineFor(2);
        final MachineDriver<LeasedKvMachineCommand, LeasedKvState> kv =
            new MachineDriver<>(v2, LeasedKvMachineCommand.class);
        assertThat(kv.enter(RaftRole.LEADER)).as("no configure entry")
            .noneMatch(effect -> effect instanceof Effect.Append append &&
                append.command() instanceof LeasedKvCommand.Configure);
        kv.apply(new LeasedKvCommand.Put("a", "1", 0));
        kv.apply(new LeasedKvCommand.Put("a", "2", 0));
        assertThat(kv.state().watches().history()).as("its own history limit of 1").hasSize(1);

        final LeasedKvMachineCommand configure = new LeasedKvCommand.Configure(LeasedKvSettings.DEFAULTS);
        assertThatThrownBy(() -> v2.commandCodec().toBytes(configure)).isInstanceOf(CodecException.class)
            .hasMessageContaining("needs machine version 3 of LeasedKvMachine");
        assertThatThrownBy(() -> frugal.machineFor(0).commandCodec().toBytes(configure))
            .isInstanceOf(CodecException.class);
        assertThatThrownBy(() -> v2.commandCodec().fromBytes(frugal.commandCodec().toBytes(configure)))
            .isInstanceOf(CodecException.class);

        final LeasedKvSettings settings = new LeasedKvSettings(1, 1_000);
        final LeasedKvState configured = kv.state().withSettings(settings);
        final byte[] versionTwoBytes = v2.stateCodec().toBytes(configured);
        assertThat(v2.stateCodec().fromBytes(versionTwoBytes)).as("version 2 had no settings to write")
            .isEqualTo(kv.state());
        // The generic codec writes a record's components in order with no count: version 3's bytes are version 2's
        // followed by the settings.
        final StateMachine<LeasedKvMachineCommand, LeasedKvState> v3 = frugal.machineFor(3);
        assertThat(v3.stateCodec().toBytes(configured)).startsWith(versionTwoBytes)
            .hasSize(versionTwoBytes.length + Codecs.generic().toBytes(settings).length);
        assertThatThrownBy(() -> v3.stateCodec().fromBytes(versionTwoBytes)).isInstanceOf(CodecException.class);
        assertThatThrownBy(() -> frugal.stateCodec().fromBytes(versionTwoBytes)).isInstanceOf(CodecException.class);
    }

    /**
     * At the switch to version 3 each member goes on with its own settings until the leader's, which it appends.
     */
    @Test
    void shouldHaveTheLeaderPutItsSettingsInForceAtTheSwitchToVersionThree()
    {
        final MachineDriver<LeasedKvMachineCommand, LeasedKvState> kv =
            new MachineDriver<>(frugal, LeasedKvMachineCommand.class);

        final ApplyResult<LeasedKvState> switched = kv.builtin(new BuiltinCommand.MachineVersionChanged(2, 3));

        final LeasedKvSettings own = new LeasedKvSettings(1, 1_000);
        assertThat(switched.effects()).containsExactly(new Effect.Append(new LeasedKvCommand.Configure(own)));
        assertThat(kv.state().settings()).as("each member's own until the Configure").isNull();
        assertThat(kv.apply(new LeasedKvCommand.Configure(own)).reply()).isEqualTo(own);
        assertThat(kv.enter(RaftRole.LEADER)).as("nothing to put in force any more")
            .noneMatch(effect -> effect instanceof Effect.Append append &&
                append.command() instanceof LeasedKvCommand.Configure);
    }

    /**
     * A cluster whose members all ran version 2 with a history of 2,000 revisions switches to version 3. The leader's
     * Configure is appended when it applies the switch, behind the entries already in the log: a busy store's puts
     * among those must not compact the history to the default's 1,000 revisions, which no later Configure brings back
     * (a watcher catching up from there would be told its revision is compacted).
     */
    @Test
    void shouldKeepTheHistoryTheMembersKeptBeforeTheSwitchUntilTheLeadersConfigure()
    {
        final LeasedKvMachine longHistory = new LeasedKvMachine(LeasedKvMachine.DEFAULT_LESSOR_HANDLER, 2_000,
            Duration.ofMinutes(5), ReleaseCursorPolicy.every(1_000_000));
        final MachineDriver<LeasedKvMachineCommand, LeasedKvState> v2 =
            new MachineDriver<>(longHistory.machineFor(2), LeasedKvMachineCommand.class);
        v2.apply(new LeasedKvCommand.Put("a", "0", 0));
        final MachineDriver<LeasedKvMachineCommand, LeasedKvState> v3 =
            new MachineDriver<>(longHistory, LeasedKvMachineCommand.class);
        v3.skip(v2.nextIndex() - 1);
        v3.restore(v2.state());

        assertThat(v3.builtin(new BuiltinCommand.MachineVersionChanged(2, 3)).effects())
            .containsExactly(new Effect.Append(new LeasedKvCommand.Configure(new LeasedKvSettings(2_000, 300_000))));
        final int puts = LeasedKvMachine.DEFAULT_HISTORY_LIMIT + 1;
        for (int i = 1; i <= puts; i++)
        {
            v3.apply(new LeasedKvCommand.Put("a", Integer.toString(i), 0));
        }
        assertThat(longHistory.stateCodec().fromBytes(longHistory.stateCodec().toBytes(v3.state())))
            .as("a snapshot taken before the Configure").isEqualTo(v3.state());
        v3.apply(new LeasedKvCommand.Configure(new LeasedKvSettings(2_000, 300_000)));

        assertThat(v3.state().watches().history()).as("the revisions kept").hasSize(puts + 1);
        assertThat(v3.state().watches().compactRevision()).isZero();
    }
}

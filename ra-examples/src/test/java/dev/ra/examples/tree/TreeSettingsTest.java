package dev.ra.examples.tree;

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
import org.junit.jupiter.api.Test;

/**
 * The unreachable watch expiry is given to each member's machine; members started (or restarted) with another one
 * than the rest must still apply the log the same way, or they keep other watches.
 */
class TreeSettingsTest
{
    private static final ProcessRef WATCHER = new ProcessRef("n4", 1);

    private final TreeMachine patient = new TreeMachine(TreeMachine.DEFAULT_LESSOR_HANDLER, Duration.ofMinutes(5),
        ReleaseCursorPolicy.every(1_000));
    private final TreeMachine hasty = new TreeMachine(TreeMachine.DEFAULT_LESSOR_HANDLER, Duration.ofSeconds(1),
        ReleaseCursorPolicy.every(1_000));

    /**
     * A persistent watch, its watcher's node cut off for 10 s and the expiry check.
     */
    @Test
    void shouldKeepTheSameWatchesOnMembersStartedWithAnotherExpiry()
    {
        final MachineDriver<TreeMachineCommand, TreeState> leader =
            new MachineDriver<>(patient, TreeMachineCommand.class);
        final MachineDriver<TreeMachineCommand, TreeState> follower =
            new MachineDriver<>(hasty, TreeMachineCommand.class);
        final List<Object> onLeader = new ArrayList<>();
        final List<Object> onFollower = new ArrayList<>();
        for (final Effect effect : leader.enter(RaftRole.LEADER))
        {
            if (effect instanceof Effect.Append append)
            {
                onLeader.add(leader.apply((TreeMachineCommand)append.command()).effects());
                onFollower.add(follower.apply((TreeMachineCommand)append.command()).effects());
            }
        }
        final ApplyResult<TreeState> watched = leader.apply(new TreeCommand.AddWatch("/", WATCHER, true));
        onLeader.add(watched.reply());
        onFollower.add(follower.apply(new TreeCommand.AddWatch("/", WATCHER, true)).reply());
        onLeader.add(leader.builtin(new BuiltinCommand.Down(WATCHER, DownReason.NOCONNECTION)).effects());
        onFollower.add(follower.builtin(new BuiltinCommand.Down(WATCHER, DownReason.NOCONNECTION)).effects());
        leader.advance(10_000);
        follower.advance(10_000);
        onLeader.add(leader.builtin(new BuiltinCommand.Timeout(TreeWatches.EXPIRY_TIMER)).effects());
        onFollower.add(follower.builtin(new BuiltinCommand.Timeout(TreeWatches.EXPIRY_TIMER)).effects());

        assertThat(follower.state().watches()).as("the follower's watches").isEqualTo(leader.state().watches());
        assertThat(onFollower).as("the follower's replies and effects").isEqualTo(onLeader);
        assertThat(follower.state()).isEqualTo(leader.state());
    }

    /**
     * A member restarted with a shorter expiry installs the leader's snapshot, then applies the entries after it.
     */
    @Test
    void shouldKeepTheSameWatchesAfterAnInstalledSnapshot()
    {
        final MachineDriver<TreeMachineCommand, TreeState> leader =
            new MachineDriver<>(patient, TreeMachineCommand.class);
        for (final Effect effect : leader.enter(RaftRole.LEADER))
        {
            if (effect instanceof Effect.Append append)
            {
                leader.apply((TreeMachineCommand)append.command());
            }
        }
        leader.apply(new TreeCommand.AddWatch("/", WATCHER, true));
        final MachineDriver<TreeMachineCommand, TreeState> restarted =
            new MachineDriver<>(hasty, TreeMachineCommand.class);
        restarted.skip(leader.nextIndex() - 1);
        restarted.restore(hasty.stateCodec().fromBytes(patient.stateCodec().toBytes(leader.state())));
        for (final MachineDriver<TreeMachineCommand, TreeState> member : List.of(leader, restarted))
        {
            member.builtin(new BuiltinCommand.Down(WATCHER, DownReason.NOCONNECTION));
            member.advance(10_000);
            member.builtin(new BuiltinCommand.Timeout(TreeWatches.EXPIRY_TIMER));
        }

        assertThat(restarted.state().watches()).as("the restored member's watches")
            .isEqualTo(leader.state().watches());
        assertThat(restarted.state()).isEqualTo(leader.state());
    }

    /**
     * Versions 0 and 1 applied each member's own expiry and knew no configure command: machineFor(1) still does, and
     * reads and writes those versions' snapshots (five components, no expiry).
     */
    @Test
    void shouldKeepVersionOnesLogicAndSnapshotsWithTheMembersOwnExpiry()
    {
        final StateMachine<TreeMachineCommand, TreeState> v1 = hasty.machineFor(1);
        final MachineDriver<TreeMachineCommand, TreeState> tree = new MachineDriver<>(v1, TreeMachineCommand.class);
        assertThat(tree.enter(RaftRole.LEADER)).as("no configure entry")
            .noneMatch(effect -> effect instanceof Effect.Append append &&
                append.command() instanceof TreeCommand.Configure);
        tree.apply(new TreeCommand.AddWatch("/", WATCHER, true));
        tree.builtin(new BuiltinCommand.Down(WATCHER, DownReason.NOCONNECTION));
        tree.advance(1_000);
        tree.builtin(new BuiltinCommand.Timeout(TreeWatches.EXPIRY_TIMER));
        assertThat(tree.state().watches().watches()).as("dropped after its own expiry of 1 s").isEmpty();

        final TreeMachineCommand configure = new TreeCommand.Configure(1_000);
        assertThatThrownBy(() -> v1.commandCodec().toBytes(configure)).isInstanceOf(CodecException.class)
            .hasMessageContaining("needs machine version 2 of TreeMachine");
        assertThatThrownBy(() -> hasty.machineFor(0).commandCodec().toBytes(configure))
            .isInstanceOf(CodecException.class);
        assertThatThrownBy(() -> v1.commandCodec().fromBytes(hasty.commandCodec().toBytes(configure)))
            .isInstanceOf(CodecException.class);

        final TreeState configured = tree.state().withUnreachableWatchExpiryMs(1_000);
        final byte[] versionOneBytes = v1.stateCodec().toBytes(configured);
        assertThat(v1.stateCodec().fromBytes(versionOneBytes)).as("version 1 had no expiry to write")
            .isEqualTo(tree.state());
        // The generic codec writes a record's components in order with no count: version 2's bytes are version 1's
        // followed by the expiry.
        // (Version 4 adds the numbered calls after them.)
        final StateMachine<TreeMachineCommand, TreeState> v2 = hasty.machineFor(2);
        assertThat(v2.stateCodec().toBytes(configured)).startsWith(versionOneBytes)
            .hasSize(versionOneBytes.length + Codecs.generic().toBytes(1_000L).length);
        assertThatThrownBy(() -> v2.stateCodec().fromBytes(versionOneBytes)).isInstanceOf(CodecException.class);
        assertThatThrownBy(() -> hasty.stateCodec().fromBytes(versionOneBytes)).isInstanceOf(CodecException.class);
    }

    /**
     * At the switch to version 2 each member goes on with its own expiry until the leader's, which it appends.
     */
    @Test
    void shouldHaveTheLeaderPutItsExpiryInForceAtTheSwitchToVersionTwo()
    {
        final MachineDriver<TreeMachineCommand, TreeState> tree =
            new MachineDriver<>(hasty, TreeMachineCommand.class);

        final ApplyResult<TreeState> switched = tree.builtin(new BuiltinCommand.MachineVersionChanged(1, 2));

        assertThat(switched.effects()).containsExactly(new Effect.Append(new TreeCommand.Configure(1_000)));
        assertThat(tree.state().unreachableWatchExpiryMs()).isEqualTo(TreeState.EXPIRY_OF_EACH_MEMBER);
        assertThat(hasty.overview(tree.state())).as("its own until the Configure")
            .containsEntry("unreachableWatchExpiryMs", 1_000L);
        assertThat(tree.apply(new TreeCommand.Configure(1_000)).reply()).isEqualTo(1_000L);
        assertThat(hasty.overview(tree.state())).containsEntry("unreachableWatchExpiryMs", 1_000L);
        assertThat(new MachineDriver<>(patient, TreeMachineCommand.class).builtin(
            new BuiltinCommand.MachineVersionChanged(1, 2)).effects()).as("even the default is put in force")
            .containsExactly(new Effect.Append(new TreeCommand.Configure(300_000)));
    }

    /**
     * A cluster whose members all ran version 1 with a 1 h expiry switches to version 2, 6 minutes after a watcher's
     * node was cut off. An expiry check applied between the switch and the leader's Configure (appended when the
     * leader applies the switch, behind the entries already in the log) must not drop that watcher's watches by the
     * default's 5 minutes.
     */
    @Test
    void shouldKeepTheExpiryTheMembersAppliedBeforeTheSwitchUntilTheLeadersConfigure()
    {
        final TreeMachine hourly = new TreeMachine(TreeMachine.DEFAULT_LESSOR_HANDLER, Duration.ofHours(1),
            ReleaseCursorPolicy.every(1_000));
        final MachineDriver<TreeMachineCommand, TreeState> v1 =
            new MachineDriver<>(hourly.machineFor(1), TreeMachineCommand.class);
        v1.apply(new TreeCommand.AddWatch("/", WATCHER, true));
        v1.builtin(new BuiltinCommand.Down(WATCHER, DownReason.NOCONNECTION));
        final MachineDriver<TreeMachineCommand, TreeState> v2 =
            new MachineDriver<>(hourly, TreeMachineCommand.class);
        v2.skip(v1.nextIndex() - 1);
        v2.restore(v1.state());
        v2.advance(Duration.ofMinutes(6).toMillis());

        assertThat(v2.builtin(new BuiltinCommand.MachineVersionChanged(1, 2)).effects())
            .containsExactly(new Effect.Append(new TreeCommand.Configure(3_600_000)));
        v2.builtin(new BuiltinCommand.Timeout(TreeWatches.EXPIRY_TIMER));

        assertThat(v2.state().watches().watches()).as("the cut-off watcher's watches").hasSize(1);
        assertThat(hourly.stateCodec().fromBytes(hourly.stateCodec().toBytes(v2.state())))
            .as("a snapshot taken before the Configure").isEqualTo(v2.state());
        v2.apply(new TreeCommand.Configure(3_600_000));
        assertThat(hourly.overview(v2.state())).containsEntry("unreachableWatchExpiryMs", 3_600_000L);
    }
}

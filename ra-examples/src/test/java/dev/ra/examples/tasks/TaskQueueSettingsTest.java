package dev.ra.examples.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ApplyResult;
import dev.ra.BuiltinCommand;
import dev.ra.DownReason;
import dev.ra.Effect;
import dev.ra.ProcessRef;
import dev.ra.RaftRole;
import dev.ra.codec.Codec;
import dev.ra.examples.support.MachineDriver;
import dev.ra.examples.support.ReleaseCursorPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The delivery limit and visibility timeout are given to each member's machine; members started (or restarted) with
 * other settings than the rest must still apply the log the same way, or their queues part for good.
 */
class TaskQueueSettingsTest
{
    private static final ProcessRef ENQUEUER = new ProcessRef("n1", 1);
    private static final ProcessRef W1 = new ProcessRef("n2", 1);
    private static final ProcessRef W2 = new ProcessRef("n3", 1);
    private static final long TIMEOUT_MS = 30_000;

    private final TaskQueueMachine strict = new TaskQueueMachine(ReleaseCursorPolicy.every(1_000), 1,
        Duration.ofMillis(TIMEOUT_MS));
    private final TaskQueueMachine lenient = new TaskQueueMachine(ReleaseCursorPolicy.every(1_000),
        TaskQueueMachine.NO_DELIVERY_LIMIT, TaskQueueMachine.NO_VISIBILITY_TIMEOUT);

    /**
     * Two members, one started with a delivery limit and a visibility timeout and one without, apply one log: the
     * leader's entries, then a worker that dies and one that outlasts the timeout.
     */
    @Test
    void shouldApplyTheSameLogTheSameWayOnMembersStartedWithOtherSettings()
    {
        final MachineDriver<TaskCommand, TaskQueueState> leader = new MachineDriver<>(strict, TaskCommand.class);
        final MachineDriver<TaskCommand, TaskQueueState> follower = new MachineDriver<>(lenient, TaskCommand.class);
        final List<List<Effect>> leaderEffects = new ArrayList<>();
        final List<List<Effect>> followerEffects = new ArrayList<>();

        appendLeaderEntries(leader.enter(RaftRole.LEADER), leader, follower, leaderEffects, followerEffects);
        both(leader, follower, new TaskCommand.Enqueue(ENQUEUER, "t1"), leaderEffects, followerEffects);
        both(leader, follower, new TaskCommand.Enqueue(ENQUEUER, "t2"), leaderEffects, followerEffects);
        both(leader, follower, new TaskCommand.Grab(W1), leaderEffects, followerEffects);
        bothBuiltin(leader, follower, new BuiltinCommand.Down(W1, DownReason.ERROR), leaderEffects, followerEffects);
        both(leader, follower, new TaskCommand.Grab(W2), leaderEffects, followerEffects);
        leader.advance(TIMEOUT_MS * 2);
        follower.advance(TIMEOUT_MS * 2);
        bothBuiltin(leader, follower, new BuiltinCommand.Timeout(TaskQueueMachine.VISIBILITY_TIMER), leaderEffects,
            followerEffects);

        assertThat(follower.state()).as("the follower's queue after the same log").isEqualTo(leader.state());
        assertThat(followerEffects).as("the follower's effects after the same log").isEqualTo(leaderEffects);
        assertThat(strict.stateCodec().toBytes(follower.state())).as("the follower's snapshot bytes")
            .isEqualTo(strict.stateCodec().toBytes(leader.state()));
    }

    /**
     * A member restarted with other settings installs the leader's snapshot, then applies the entries after it.
     */
    @Test
    void shouldApplyTheLogAfterAnInstalledSnapshotAsTheMemberThatTookIt()
    {
        final MachineDriver<TaskCommand, TaskQueueState> leader = new MachineDriver<>(strict, TaskCommand.class);
        for (final Effect effect : leader.enter(RaftRole.LEADER))
        {
            if (effect instanceof Effect.Append append)
            {
                leader.apply((TaskCommand)append.command());
            }
        }
        leader.apply(new TaskCommand.Enqueue(ENQUEUER, "t1"));
        leader.apply(new TaskCommand.Grab(W1));
        final Codec<TaskQueueState> codec = strict.stateCodec();
        final MachineDriver<TaskCommand, TaskQueueState> restarted = new MachineDriver<>(lenient, TaskCommand.class);
        restarted.skip(leader.nextIndex() - 1);
        restarted.restore(lenient.stateCodec().fromBytes(codec.toBytes(leader.state())));

        final List<Effect> onLeader = new ArrayList<>(
            leader.builtin(new BuiltinCommand.Down(W1, DownReason.ERROR)).effects());
        final List<Effect> onRestarted = new ArrayList<>(
            restarted.builtin(new BuiltinCommand.Down(W1, DownReason.ERROR)).effects());

        assertThat(restarted.state()).as("queue of the member restored from the snapshot").isEqualTo(leader.state());
        assertThat(onRestarted).isEqualTo(onLeader);
    }

    private static void appendLeaderEntries(final List<Effect> enterEffects,
        final MachineDriver<TaskCommand, TaskQueueState> leader,
        final MachineDriver<TaskCommand, TaskQueueState> follower,
        final List<List<Effect>> leaderEffects, final List<List<Effect>> followerEffects)
    {
        for (final Effect effect : enterEffects)
        {
            if (effect instanceof Effect.Append append)
            {
                both(leader, follower, (TaskCommand)append.command(), leaderEffects, followerEffects);
            }
        }
    }

    private static void both(final MachineDriver<TaskCommand, TaskQueueState> leader,
        final MachineDriver<TaskCommand, TaskQueueState> follower, final TaskCommand command,
        final List<List<Effect>> leaderEffects, final List<List<Effect>> followerEffects)
    {
        record(leader.apply(command), leaderEffects);
        record(follower.apply(command), followerEffects);
    }

    private static void bothBuiltin(final MachineDriver<TaskCommand, TaskQueueState> leader,
        final MachineDriver<TaskCommand, TaskQueueState> follower, final BuiltinCommand command,
        final List<List<Effect>> leaderEffects, final List<List<Effect>> followerEffects)
    {
        record(leader.builtin(command), leaderEffects);
        record(follower.builtin(command), followerEffects);
    }

    private static void record(final ApplyResult<TaskQueueState> result, final List<List<Effect>> effects)
    {
        effects.add(result.effects());
    }
}

package dev.ra.examples.tasks;

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
import dev.ra.examples.support.MachineDriver;
import dev.ra.examples.support.ReleaseCursorPolicy;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Machine version 1 of the task queue (delivery limit, visibility timeout, dead letters) against version 0: the old
 * logic and snapshot format stay reachable through {@code machineFor(0)}, and the switch starts the visibility clock of
 * the tasks already in flight.
 */
class TaskQueueVersionTest
{
    private static final ProcessRef ENQUEUER = new ProcessRef("n1", 1);
    private static final ProcessRef W1 = new ProcessRef("n2", 1);
    private static final ProcessRef W2 = new ProcessRef("n3", 1);
    private static final long TIMEOUT_MS = 30_000;
    /**
     * A {@link TaskQueueState} as the build before version 1 wrote it with the generic codec (captured from that
     * build): next id 4, ready t2 (1 delivery) and t3, n2's process 7 doing t1 (2 deliveries), cursor index 9.
     */
    private static final String VERSION_ZERO_SNAPSHOT =
        "0f246465762e72612e6578616d706c65732e7461736b732e5461736b5175657565537461746504000000000000000409" +
        "020f1a6465762e72612e6578616d706c65732e7461736b732e5461736b0400000000000000020c026e31000000000000" +
        "00010602743203000000010f1a6465762e72612e6578616d706c65732e7461736b732e5461736b040000000000000003" +
        "0c026e3100000000000000010602743303000000000b010c026e3200000000000000070f1a6465762e72612e6578616d" +
        "706c65732e7461736b732e5461736b0400000000000000010c026e310000000000000001060274310300000002040000" +
        "000000000009";

    private final TaskQueueMachine latest = new TaskQueueMachine(ReleaseCursorPolicy.every(1_000), 1,
        Duration.ofMillis(TIMEOUT_MS));

    private static TaskQueueState versionZeroSample()
    {
        final Map<ProcessRef, Task> inFlight = new LinkedHashMap<>();
        inFlight.put(new ProcessRef("n2", 7), new Task(1, ENQUEUER, "t1", 2));
        return new TaskQueueState(4, List.of(new Task(2, ENQUEUER, "t2", 1), new Task(3, ENQUEUER, "t3", 0)),
            java.util.Collections.unmodifiableMap(inFlight), 9);
    }

    @Test
    void shouldKeepVersionZerosLogicWhateverTheSettings()
    {
        assertThat(latest.machineFor(latest.version())).isSameAs(latest);
        final MachineDriver<TaskCommand, TaskQueueState> v0 = new MachineDriver<>(latest.machineFor(0),
            TaskCommand.class);
        v0.apply(new TaskCommand.Enqueue(ENQUEUER, "t1"));
        final List<Effect> effects = new java.util.ArrayList<>(v0.apply(new TaskCommand.Grab(W1)).effects());
        v0.builtin(new BuiltinCommand.Down(W1, DownReason.ERROR));
        effects.addAll(v0.apply(new TaskCommand.Grab(W2)).effects());
        v0.advance(TIMEOUT_MS * 2);
        effects.addAll(v0.builtin(new BuiltinCommand.Timeout(TaskQueueMachine.VISIBILITY_TIMER)).effects());
        effects.addAll(v0.enter(RaftRole.LEADER));

        assertThat(v0.state()).as("past the delivery limit of 1 and the timeout, still in flight, no grab time")
            .isEqualTo(new TaskQueueState(2, List.of(), Map.of(W2, new Task(1, ENQUEUER, "t1", 2)), 0));
        assertThat(effects).containsExactly(new Effect.Monitor(W1), new Effect.Monitor(W2), new Effect.Monitor(W2));
        assertThat(v0.apply(new TaskCommand.PurgeDeadLetters(List.of(1L))).reply()).isEqualTo(List.of());
    }

    @Test
    void shouldReadAndWriteVersionZeroSnapshotsExactlyAsThatBuildDid()
    {
        final StateMachine<TaskCommand, TaskQueueState> v0 = latest.machineFor(0);
        final byte[] old = HexFormat.of().parseHex(VERSION_ZERO_SNAPSHOT);

        assertThat(v0.stateCodec().fromBytes(old)).isEqualTo(versionZeroSample());
        assertThat(HexFormat.of().formatHex(v0.stateCodec().toBytes(versionZeroSample())))
            .isEqualTo(VERSION_ZERO_SNAPSHOT);
        assertThatThrownBy(() -> latest.stateCodec().fromBytes(old)).as("the two shapes are told apart")
            .isInstanceOf(CodecException.class);
        assertThat(latest.stateCodec().fromBytes(latest.stateCodec().toBytes(versionZeroSample())))
            .isEqualTo(versionZeroSample());
    }

    @Test
    void shouldRefuseTheDeadLetterCommandsBeforeTheLogWhileTheClusterIsAtVersionZero()
    {
        final TaskCommand requeue = new TaskCommand.RequeueDeadLetters(List.of(1L));
        final byte[] bytes = latest.commandCodec().toBytes(requeue);

        assertThat(latest.commandCodec().fromBytes(bytes)).isEqualTo(requeue);
        assertThatThrownBy(() -> latest.machineFor(0).commandCodec().fromBytes(bytes))
            .isInstanceOf(CodecException.class).hasMessageContaining("need machine version 1 of TaskQueueMachine");
        assertThatThrownBy(() -> latest.machineFor(0).commandCodec().toBytes(
            new TaskCommand.PurgeDeadLetters(List.of(1L)))).isInstanceOf(CodecException.class);
        final TaskCommand grab = new TaskCommand.Grab(W1);
        assertThat(latest.machineFor(0).commandCodec().fromBytes(latest.commandCodec().toBytes(grab))).isEqualTo(grab);
    }

    @Test
    void shouldStartTheVisibilityClockOfTasksInFlightAtTheSwitch()
    {
        final MachineDriver<TaskCommand, TaskQueueState> v0 = new MachineDriver<>(latest.machineFor(0),
            TaskCommand.class);
        v0.apply(new TaskCommand.Enqueue(ENQUEUER, "t1"));
        v0.apply(new TaskCommand.Grab(W1));
        v0.advance(TIMEOUT_MS * 10);
        final MachineDriver<TaskCommand, TaskQueueState> v1 = new MachineDriver<>(latest.machineFor(1),
            TaskCommand.class);
        v1.advance(TIMEOUT_MS * 10);
        v1.restore(v0.state());

        final ApplyResult<TaskQueueState> switched = v1.builtin(new BuiltinCommand.MachineVersionChanged(0, 1));

        assertThat(switched.state().grabbedAtMs()).isEqualTo(Map.of(W1, v1.nowMs()));
        assertThat(switched.effects()).containsExactly(new Effect.Timer(TaskQueueMachine.VISIBILITY_TIMER,
            TIMEOUT_MS));
        v1.advance(TIMEOUT_MS);
        final ApplyResult<TaskQueueState> due = v1.builtin(new BuiltinCommand.Timeout(
            TaskQueueMachine.VISIBILITY_TIMER));
        assertThat(due.state().deadLetters()).as("its one allowed delivery is used up")
            .containsExactly(new Task(1, ENQUEUER, "t1", 1));
    }

    /**
     * Version 1 applied the log with each member's own settings and knew no configure command: machineFor(1) still
     * does, and reads and writes version 1's snapshots (six components, no settings).
     */
    @Test
    void shouldKeepVersionOnesLogicAndSnapshotsWithTheMembersOwnSettings()
    {
        final StateMachine<TaskCommand, TaskQueueState> v1 = latest.machineFor(1);
        final MachineDriver<TaskCommand, TaskQueueState> tasks = new MachineDriver<>(v1, TaskCommand.class);
        assertThat(tasks.enter(RaftRole.LEADER)).as("no configure entry").isEmpty();
        tasks.apply(new TaskCommand.Enqueue(ENQUEUER, "t1"));
        tasks.apply(new TaskCommand.Grab(W1));
        tasks.builtin(new BuiltinCommand.Down(W1, DownReason.ERROR));
        assertThat(tasks.state().deadLetters()).as("its own delivery limit of 1")
            .containsExactly(new Task(1, ENQUEUER, "t1", 1));
        assertThat(tasks.state().settings()).isNull();

        final TaskCommand configure = new TaskCommand.Configure(QueueSettings.NONE);
        assertThatThrownBy(() -> v1.commandCodec().toBytes(configure)).isInstanceOf(CodecException.class)
            .hasMessageContaining("needs machine version 2 of TaskQueueMachine");
        assertThatThrownBy(() -> v1.commandCodec().fromBytes(latest.commandCodec().toBytes(configure)))
            .isInstanceOf(CodecException.class);
        assertThatThrownBy(() -> latest.machineFor(0).commandCodec().toBytes(configure))
            .isInstanceOf(CodecException.class);

        final TaskQueueState configured = tasks.state().withSettings(new QueueSettings(1, TIMEOUT_MS));
        final byte[] versionOneBytes = v1.stateCodec().toBytes(configured);
        assertThat(v1.stateCodec().fromBytes(versionOneBytes)).as("version 1 had no settings to write")
            .isEqualTo(tasks.state());
        assertThatThrownBy(() -> latest.stateCodec().fromBytes(versionOneBytes)).as("the two shapes are told apart")
            .isInstanceOf(CodecException.class);
        assertThat(latest.stateCodec().fromBytes(latest.stateCodec().toBytes(configured))).isEqualTo(configured);
    }

    /**
     * At the switch to version 2 the state has no settings yet: the leader appends its own, and until they are
     * applied the queue has none, the same on every member.
     */
    @Test
    void shouldHaveTheLeaderPutItsSettingsInForceAtTheSwitchToVersionTwo()
    {
        final MachineDriver<TaskCommand, TaskQueueState> v1 = new MachineDriver<>(latest.machineFor(1),
            TaskCommand.class);
        v1.apply(new TaskCommand.Enqueue(ENQUEUER, "t1"));
        v1.apply(new TaskCommand.Grab(W1));
        final MachineDriver<TaskCommand, TaskQueueState> v2 = new MachineDriver<>(latest, TaskCommand.class);
        v2.skip(2);
        v2.restore(v1.state());

        final ApplyResult<TaskQueueState> switched = v2.builtin(new BuiltinCommand.MachineVersionChanged(1, 2));
        assertThat(switched.effects()).containsExactly(new Effect.Append(new TaskCommand.Configure(
            new QueueSettings(1, TIMEOUT_MS))));
        final ApplyResult<TaskQueueState> configured = v2.apply(new TaskCommand.Configure(
            new QueueSettings(1, TIMEOUT_MS)));
        assertThat(configured.reply()).as("the settings in force before: none").isNull();
        assertThat(configured.state().grabbedAtMs()).containsEntry(W1, MachineDriver.START_TIME_MS);
        assertThat(latest.overview(configured.state())).containsEntry("deliveryLimit", 1)
            .containsEntry("visibilityTimeoutMs", TIMEOUT_MS);
    }

    /**
     * A cluster whose members all ran version 1 with a delivery limit of 1 and a 30 s visibility timeout switches to
     * version 2. The leader's Configure is appended when it applies the switch, behind the entries already in the log:
     * those must still be applied with the settings every member applied version 1 with, not with none (a task past
     * its limit delivered again, a task taken with no visibility clock).
     */
    @Test
    void shouldApplyTheEntriesBetweenTheSwitchAndTheLeadersConfigureWithTheSettingsOfVersionOne()
    {
        final MachineDriver<TaskCommand, TaskQueueState> v1 = new MachineDriver<>(latest.machineFor(1),
            TaskCommand.class);
        v1.apply(new TaskCommand.Enqueue(ENQUEUER, "t1"));
        v1.apply(new TaskCommand.Grab(W1));
        final MachineDriver<TaskCommand, TaskQueueState> v2 = new MachineDriver<>(latest, TaskCommand.class);
        v2.skip(2);
        v2.restore(v1.state());
        v2.builtin(new BuiltinCommand.MachineVersionChanged(1, 2));

        v2.builtin(new BuiltinCommand.Down(W1, DownReason.ERROR));
        assertThat(v2.state().deadLetters()).as("t1 after its one allowed delivery").hasSize(1);
        assertThat(v2.state().ready()).isEmpty();
        v2.apply(new TaskCommand.Enqueue(ENQUEUER, "t2"));
        final long grabbedAtMs = v2.nowMs();
        final ApplyResult<TaskQueueState> grabbed = v2.apply(new TaskCommand.Grab(W2));
        assertThat(grabbed.effects()).as("the visibility timer")
            .contains(new Effect.Timer(TaskQueueMachine.VISIBILITY_TIMER, TIMEOUT_MS));
        v2.advance(10_000);
        v2.apply(new TaskCommand.Configure(new QueueSettings(1, TIMEOUT_MS)));
        assertThat(v2.state().grabbedAtMs()).as("t2's clock started at its grab").containsEntry(W2, grabbedAtMs);
    }

    /**
     * A cluster still at version 0 switches straight to version 2: as at the switch to version 1, the tasks in
     * flight start their visibility clock at the switch (the settings applied until the leader's Configure are each
     * member's own), rather than only at the Configure.
     */
    @Test
    void shouldStartTheVisibilityClockOfTasksInFlightAtTheSwitchFromVersionZeroToTwo()
    {
        final MachineDriver<TaskCommand, TaskQueueState> v2 = new MachineDriver<>(latest, TaskCommand.class);
        v2.skip(9);
        v2.restore(versionZeroSample());

        final ApplyResult<TaskQueueState> switched = v2.builtin(new BuiltinCommand.MachineVersionChanged(0, 2));

        assertThat(switched.state().grabbedAtMs()).containsEntry(new ProcessRef("n2", 7), v2.nowMs());
        assertThat(switched.effects()).containsExactly(new Effect.Timer(TaskQueueMachine.VISIBILITY_TIMER, TIMEOUT_MS),
            new Effect.Append(new TaskCommand.Configure(new QueueSettings(1, TIMEOUT_MS))));
    }
}

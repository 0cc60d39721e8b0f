package dev.ra.examples.tasks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.BuiltinCommand;
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
 * A completion whose first attempt was applied but whose reply was lost is sent again; the retry must answer true
 * (this call completed the task), not false because the worker no longer has it, and must tell the enqueuer nothing
 * more.
 */
class TaskCompleteOnceTest
{
    private static final ProcessRef ENQUEUER = new ProcessRef("n1", 1);
    private static final ProcessRef WORKER = new ProcessRef("n2", 1);

    private final TaskQueueMachine newest = new TaskQueueMachine(ReleaseCursorPolicy.every(1_000));
    private final MachineDriver<TaskCommand, TaskQueueState> tasks =
        new MachineDriver<>(newest, TaskCommand.class);

    @Test
    void aRetriedCompletionAnswersAsItsFirstAttemptAndTellsTheEnqueuerOnce()
    {
        tasks.apply(new TaskCommand.Enqueue(ENQUEUER, "t1"));
        tasks.apply(new TaskCommand.Grab(WORKER));
        final TaskCommand complete = TaskClient.completing(WORKER, 1);
        assertThat(tasks.apply(complete).reply()).isEqualTo(true);

        final var retried = tasks.apply(complete);

        assertThat(retried.reply()).as("the retry of the completion that was applied").isEqualTo(true);
        assertThat(retried.effects()).noneMatch(Effect.SendMsg.class::isInstance);
        assertThat(tasks.state().isPending(1)).isFalse();
        assertThat(tasks.apply(TaskClient.completing(WORKER, 1)).reply()).as("another call's completion")
            .isEqualTo(false);
    }

    @Test
    void olderVersionsRefuseTheCompletionWithARequestIdAndVersionTwoKeepsItsSnapshotShape()
    {
        for (int version = 0; version < 3; version++)
        {
            final StateMachine<TaskCommand, TaskQueueState> older = newest.machineFor(version);
            assertThatThrownBy(() -> older.commandCodec().toBytes(new TaskCommand.CompleteOnce(WORKER, 1, "r")))
                .isInstanceOf(CodecException.class).hasMessageContaining("machine version 3");
        }
        final StateMachine<TaskCommand, TaskQueueState> two = newest.machineFor(2);
        final TaskQueueState state = new TaskQueueState(3, List.of(new Task(2, ENQUEUER, "t2", 0)),
            Map.of(WORKER, new Task(1, ENQUEUER, "t1", 1)), 7, Map.of(WORKER, 5L), List.of(),
            new QueueSettings(3, 1_000));
        assertThat(two.stateCodec().fromBytes(two.stateCodec().toBytes(state))).isEqualTo(state);

        final MachineDriver<TaskCommand, TaskQueueState> old = new MachineDriver<>(two, TaskCommand.class);
        old.apply(new TaskCommand.Enqueue(ENQUEUER, "t1"));
        old.apply(new TaskCommand.Grab(WORKER));
        assertThat(old.apply(new TaskCommand.CompleteOnce(WORKER, 1, "r")).reply()).isEqualTo(false);
        assertThat(old.state().isPending(1)).isTrue();
        assertThat(old.apply(new TaskCommand.Complete(WORKER, 1)).reply()).isEqualTo(true);
        // The switch from 2 to 3 appends nothing: the settings went into the state at the switch to 2.
        assertThat(new MachineDriver<>(newest, TaskCommand.class)
            .builtin(new BuiltinCommand.MachineVersionChanged(2, 3)).effects()).isEmpty();
    }
}

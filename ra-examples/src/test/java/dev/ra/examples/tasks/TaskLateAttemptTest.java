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
import dev.ra.examples.support.CommandNumber;
import dev.ra.examples.support.CommandNumbering;
import dev.ra.examples.support.MachineDriver;
import dev.ra.examples.support.ReleaseCursorPolicy;
import dev.ra.examples.support.RememberedReplies;
import dev.ra.examples.support.StaleCommand;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Calls of one client applied out of their order, directly against the machine: a first attempt of a grab that lands
 * after its retry and after the worker completed the task the retry got must hand out no task, and a retry must get
 * its first attempt's reply.
 */
class TaskLateAttemptTest
{
    private static final ProcessRef ENQUEUER = new ProcessRef("n1", 1);
    private static final ProcessRef W = new ProcessRef("n2", 1);

    private final TaskQueueMachine newest = new TaskQueueMachine(ReleaseCursorPolicy.every(1_000));
    private final MachineDriver<TaskCommand, TaskQueueState> tasks = new MachineDriver<>(newest, TaskCommand.class);
    private final CommandNumbering client = new CommandNumbering();

    @Test
    void aLateFirstAttemptOfAGrabAfterTheWorkerCompletedHandsItNothing()
    {
        tasks.apply(new TaskCommand.Enqueue(ENQUEUER, "t1"));
        tasks.apply(new TaskCommand.Enqueue(ENQUEUER, "t2"));
        final TaskCommand grab;
        try (CommandNumbering.Call call = client.start())
        {
            grab = new TaskCommand.NumberedGrab(W, call.number());
            assertThat(tasks.apply(grab).reply()).as("the retry").isInstanceOf(TaskReply.Granted.class);
        }
        try (CommandNumbering.Call call = client.start())
        {
            assertThat(tasks.apply(new TaskCommand.NumberedComplete(W, 1, call.number())).reply()).isEqualTo(true);
        }

        final ApplyResult<TaskQueueState> late = tasks.apply(grab);
        assertThat(late.reply()).isInstanceOf(StaleCommand.class);
        assertThat(late.effects()).as("not even a monitor").isEmpty();
        assertThat(tasks.state().taskOf(W)).as("the worker's task after the late first attempt").isNull();
        assertThat(tasks.state().ready()).extracting(Task::id).containsExactly(2L);
    }

    @Test
    void aRetriedCompletionAnswersTrueAfterAThousandOtherCompletions()
    {
        tasks.apply(new TaskCommand.Enqueue(ENQUEUER, "t1"));
        try (CommandNumbering.Call call = client.start())
        {
            tasks.apply(new TaskCommand.NumberedGrab(W, call.number()));
        }
        try (CommandNumbering.Call call = client.start())
        {
            final TaskCommand complete = new TaskCommand.NumberedComplete(W, 1, call.number());
            assertThat(tasks.apply(complete).reply()).isEqualTo(true);
            // Ten other workers each grab and complete tasks: more completions than version 3's request ids kept.
            final CommandNumbering others = new CommandNumbering();
            for (int i = 0; i < RememberedReplies.KEPT; i++)
            {
                final ProcessRef worker = new ProcessRef("n3", 1 + i % 10);
                final long id = ((TaskReply.Enqueued)tasks.apply(new TaskCommand.Enqueue(ENQUEUER, "o" + i)).reply())
                    .taskId();
                try (CommandNumbering.Call other = others.start())
                {
                    tasks.apply(new TaskCommand.NumberedGrab(worker, other.number()));
                }
                try (CommandNumbering.Call other = others.start())
                {
                    assertThat(tasks.apply(new TaskCommand.NumberedComplete(worker, id, other.number())).reply())
                        .isEqualTo(true);
                }
            }
            final ApplyResult<TaskQueueState> retry = tasks.apply(complete);
            assertThat(retry.reply()).isEqualTo(true);
            assertThat(retry.effects()).as("the enqueuer is not told twice").isEmpty();
        }
    }

    @Test
    void aRetriedGrabGetsItsTaskAndRepairsTheMonitor()
    {
        tasks.apply(new TaskCommand.Enqueue(ENQUEUER, "t1"));
        try (CommandNumbering.Call call = client.start())
        {
            final TaskCommand grab = new TaskCommand.NumberedGrab(W, call.number());
            final Object first = tasks.apply(grab).reply();
            final ApplyResult<TaskQueueState> retry = tasks.apply(grab);
            assertThat(retry.reply()).isEqualTo(first);
            assertThat(retry.effects()).containsExactly(new Effect.Monitor(W));
        }
    }

    @Test
    void aRetriedGrabWhoseTaskTheVisibilityTimeoutHandedBackGetsNoTask()
    {
        final MachineDriver<TaskCommand, TaskQueueState> timed = new MachineDriver<>(new TaskQueueMachine(
            ReleaseCursorPolicy.every(1_000), 0, Duration.ofSeconds(30)), TaskCommand.class);
        for (final Effect effect : timed.enter(RaftRole.LEADER))
        {
            if (effect instanceof Effect.Append append)
            {
                timed.apply((TaskCommand)append.command());
            }
        }
        final ProcessRef other = new ProcessRef("n3", 1);
        timed.apply(new TaskCommand.Enqueue(ENQUEUER, "t1"));
        try (CommandNumbering.Call call = client.start())
        {
            final TaskCommand grab = new TaskCommand.NumberedGrab(W, call.number());
            assertThat(timed.apply(grab).reply()).as("the first attempt, whose reply is lost")
                .isEqualTo(new TaskReply.Granted(new Task(1, ENQUEUER, "t1", 1)));
            timed.advance(30_000);
            assertThat(timed.builtin(new BuiltinCommand.Timeout(TaskQueueMachine.VISIBILITY_TIMER)).state()
                .taskOf(W)).as("handed back").isNull();
            assertThat(timed.apply(new TaskCommand.Grab(other)).reply())
                .isEqualTo(new TaskReply.Granted(new Task(1, ENQUEUER, "t1", 2)));

            final ApplyResult<TaskQueueState> retry = timed.apply(grab);
            assertThat(retry.reply()).as("the retry: the task is another worker's now")
                .isEqualTo(new TaskReply.Empty());
            assertThat(retry.effects()).isEmpty();
            assertThat(retry.state().taskOf(other)).isEqualTo(new Task(1, ENQUEUER, "t1", 2));
            assertThat(retry.state().taskOf(W)).isNull();
        }
    }

    @Test
    void theNumbersOfAWorkerThatEndedGoAndThoseOfOneCutOffStay()
    {
        final ProcessRef other = new ProcessRef("n3", 1);
        tasks.apply(new TaskCommand.Enqueue(ENQUEUER, "t1"));
        try (CommandNumbering.Call call = client.start())
        {
            tasks.apply(new TaskCommand.NumberedGrab(W, call.number()));
            tasks.apply(new TaskCommand.NumberedGrab(other, call.number()));
        }
        tasks.builtin(new BuiltinCommand.Down(W, DownReason.NOCONNECTION));
        tasks.builtin(new BuiltinCommand.Down(other, DownReason.NORMAL));
        assertThat(tasks.state().sequences().clients().keySet()).extracting(c -> c.process()).containsOnly(W);
        assertThat(tasks.state().taskOf(W)).isNotNull();
    }

    @Test
    void olderVersionsRefuseTheNumberedCommandsAndKeepTheirSnapshotShape()
    {
        assertThat(newest.version()).isEqualTo(4);
        assertThat(newest.machineFor(4)).isSameAs(newest);
        final CommandNumber number = new CommandNumber("c", 1, 1);
        for (int version = 0; version < 4; version++)
        {
            final StateMachine<TaskCommand, TaskQueueState> older = newest.machineFor(version);
            for (final TaskCommand numbered : List.of(new TaskCommand.NumberedGrab(W, number),
                new TaskCommand.NumberedComplete(W, 1, number)))
            {
                assertThatThrownBy(() -> older.commandCodec().toBytes(numbered)).as("version " + version)
                    .isInstanceOf(CodecException.class).hasMessageContaining("machine version 4");
            }
        }
        final StateMachine<TaskCommand, TaskQueueState> three = newest.machineFor(3);
        final TaskQueueState state = new TaskQueueState(2, List.of(new Task(1, ENQUEUER, "t1", 0)), Map.of(), 7)
            .answered("r", true);
        assertThat(three.stateCodec().fromBytes(three.stateCodec().toBytes(state))).isEqualTo(state);
        final TaskQueueState numbered = state.withSequences(state.sequences().applied(W, number, true, 5));
        assertThat(newest.stateCodec().fromBytes(newest.stateCodec().toBytes(numbered))).isEqualTo(numbered);
    }
}

package dev.ra.examples.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ApplyResult;
import dev.ra.BuiltinCommand;
import dev.ra.DownReason;
import dev.ra.Effect;
import dev.ra.ProcessRef;
import dev.ra.RaftRole;
import dev.ra.examples.support.CommandNumber;
import dev.ra.examples.support.MachineDriver;
import dev.ra.examples.support.ReleaseCursorPolicy;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class TaskQueueMachineTest
{
    private static final ProcessRef ENQUEUER = new ProcessRef("n1", 1);
    private static final ProcessRef W1 = new ProcessRef("n2", 1);
    private static final ProcessRef W2 = new ProcessRef("n3", 1);
    private static final ProcessRef W3 = new ProcessRef("n2", 2);

    private final MachineDriver<TaskCommand, TaskQueueState> tasks =
        new MachineDriver<>(new TaskQueueMachine(ReleaseCursorPolicy.every(1_000)), TaskCommand.class);

    private void enqueue(final String... details)
    {
        for (final String detail : details)
        {
            tasks.apply(new TaskCommand.Enqueue(ENQUEUER, detail));
        }
    }

    @Test
    void shouldQueueTasksWithIncreasingIds()
    {
        final ApplyResult<TaskQueueState> first = tasks.apply(new TaskCommand.Enqueue(ENQUEUER, "t1"));
        final ApplyResult<TaskQueueState> second = tasks.apply(new TaskCommand.Enqueue(ENQUEUER, "t2"));

        assertThat(first.reply()).isEqualTo(new TaskReply.Enqueued(1));
        assertThat(first.effects()).isEmpty();
        assertThat(second.state()).isEqualTo(new TaskQueueState(3,
            List.of(new Task(1, ENQUEUER, "t1", 0), new Task(2, ENQUEUER, "t2", 0)), Map.of(), 0));
    }

    @Test
    void shouldHandTheFrontTaskToAWorkerAndMonitorIt()
    {
        enqueue("t1", "t2");

        final ApplyResult<TaskQueueState> grab = tasks.apply(new TaskCommand.Grab(W1));

        final Task delivered = new Task(1, ENQUEUER, "t1", 1);
        assertThat(grab).isEqualTo(ApplyResult.of(
            new TaskQueueState(3, List.of(new Task(2, ENQUEUER, "t2", 0)), Map.of(W1, delivered), 0),
            new TaskReply.Granted(delivered), new Effect.Monitor(W1)));
    }

    @Test
    void shouldGiveAWorkerThatAsksAgainTheTaskItAlreadyHas()
    {
        enqueue("t1", "t2");
        tasks.apply(new TaskCommand.Grab(W1));
        final TaskQueueState before = tasks.state();

        final ApplyResult<TaskQueueState> again = tasks.apply(new TaskCommand.Grab(W1));

        assertThat(again).isEqualTo(ApplyResult.of(before, new TaskReply.Granted(new Task(1, ENQUEUER, "t1", 1)),
            new Effect.Monitor(W1)));
    }

    @Test
    void shouldSayEmptyWhenNoTaskIsReady()
    {
        assertThat(tasks.apply(new TaskCommand.Grab(W1))).isEqualTo(ApplyResult.of(TaskQueueState.EMPTY,
            new TaskReply.Empty()));
    }

    @Test
    void shouldNotifyTheEnqueuerAndDemonitorTheWorkerOnCompletion()
    {
        enqueue("t1");
        tasks.apply(new TaskCommand.Grab(W1));

        final ApplyResult<TaskQueueState> complete = tasks.apply(new TaskCommand.Complete(W1, 1));

        assertThat(complete).isEqualTo(ApplyResult.of(new TaskQueueState(2, List.of(), Map.of(), 0), true,
            new Effect.SendMsg(ENQUEUER, new TaskCompleted(1, "t1")), new Effect.Demonitor(W1)));
        assertThat(complete.state().isPending(1)).isFalse();
    }

    @Test
    void shouldIgnoreACompletionOfATaskTheWorkerDoesNotHave()
    {
        enqueue("t1", "t2");
        tasks.apply(new TaskCommand.Grab(W1));
        final TaskQueueState before = tasks.state();

        assertThat(tasks.apply(new TaskCommand.Complete(W1, 2))).isEqualTo(ApplyResult.of(before, false));
        assertThat(tasks.apply(new TaskCommand.Complete(W2, 1))).isEqualTo(ApplyResult.of(before, false));
    }

    @Test
    void shouldPutACrashedWorkersTaskBackAtTheFront()
    {
        enqueue("t1", "t2");
        tasks.apply(new TaskCommand.Grab(W1));

        final ApplyResult<TaskQueueState> down = tasks.builtin(new BuiltinCommand.Down(W1, DownReason.ERROR));
        final ApplyResult<TaskQueueState> regrab = tasks.apply(new TaskCommand.Grab(W2));

        assertThat(down.state().ready())
            .containsExactly(new Task(1, ENQUEUER, "t1", 1), new Task(2, ENQUEUER, "t2", 0));
        assertThat(down.state().inFlight()).isEmpty();
        assertThat(down.effects()).isEmpty();
        assertThat(regrab.reply()).isEqualTo(new TaskReply.Granted(new Task(1, ENQUEUER, "t1", 2)));
    }

    @Test
    void shouldLetAnUnreachableWorkerKeepItsTaskAndWatchItsNode()
    {
        enqueue("t1");
        tasks.apply(new TaskCommand.Grab(W1));
        final TaskQueueState before = tasks.state();

        final ApplyResult<TaskQueueState> down = tasks.builtin(new BuiltinCommand.Down(W1, DownReason.NOCONNECTION));

        assertThat(down).isEqualTo(ApplyResult.of(before, null, new Effect.MonitorNode("n2")));
    }

    @Test
    void shouldRemonitorTheWorkersOfANodeThatComesBackAndRequeueTheDeadOnes()
    {
        enqueue("t1", "t2", "t3");
        tasks.apply(new TaskCommand.Grab(W1));
        tasks.apply(new TaskCommand.Grab(W2));
        tasks.apply(new TaskCommand.Grab(W3));
        tasks.builtin(new BuiltinCommand.Down(W1, DownReason.NOCONNECTION));

        assertThat(tasks.builtin(new BuiltinCommand.NodeDown("n2")).effects()).isEmpty();
        final ApplyResult<TaskQueueState> up = tasks.builtin(new BuiltinCommand.NodeUp("n2"));
        final ApplyResult<TaskQueueState> noproc = tasks.builtin(new BuiltinCommand.Down(W1, DownReason.NOPROC));

        assertThat(up.effects()).containsExactly(new Effect.Monitor(W1), new Effect.Monitor(W3));
        assertThat(noproc.state().ready()).containsExactly(new Task(1, ENQUEUER, "t1", 1));
        assertThat(noproc.state().inFlight()).containsOnlyKeys(W2, W3);
    }

    @Test
    void shouldIgnoreTheDownOfAProcessWithoutATask()
    {
        enqueue("t1");
        final TaskQueueState before = tasks.state();

        assertThat(tasks.builtin(new BuiltinCommand.Down(W1, DownReason.ERROR))).isEqualTo(ApplyResult.of(before));
        assertThat(tasks.builtin(new BuiltinCommand.Down(W1, DownReason.NOCONNECTION)))
            .isEqualTo(ApplyResult.of(before));
    }

    @Test
    void shouldMonitorEveryBusyWorkerOnBecomingLeader()
    {
        enqueue("t1", "t2");
        tasks.apply(new TaskCommand.Grab(W1));
        tasks.apply(new TaskCommand.Grab(W2));

        assertThat(tasks.enter(RaftRole.LEADER)).containsExactly(new Effect.Monitor(W1), new Effect.Monitor(W2),
            new Effect.Append(new TaskCommand.Configure(QueueSettings.NONE)));
        assertThat(tasks.enter(RaftRole.FOLLOWER)).isEmpty();
    }

    @Test
    void shouldReportPendingTasksUntilTheyComplete()
    {
        enqueue("t1", "t2");
        tasks.apply(new TaskCommand.Grab(W1));

        assertThat(tasks.state().isPending(1)).isTrue();
        assertThat(tasks.state().isPending(2)).isTrue();
        assertThat(tasks.state().isPending(3)).isFalse();
        assertThat(tasks.state().taskOf(W1).id()).isEqualTo(1);
    }

    @Test
    void shouldHandleEveryCommandType()
    {
        final List<TaskCommand> samples = List.of(new TaskCommand.Enqueue(ENQUEUER, "t"),
            new TaskCommand.Grab(W1), new TaskCommand.Complete(W1, 1), new TaskCommand.RequeueDeadLetters(List.of(1L)),
            new TaskCommand.PurgeDeadLetters(List.of(1L)), new TaskCommand.Configure(QueueSettings.NONE),
            new TaskCommand.CompleteOnce(W1, 1, "r1"), new TaskCommand.NumberedGrab(W1, new CommandNumber("c", 1, 1)),
            new TaskCommand.NumberedComplete(W1, 1, new CommandNumber("c", 2, 2)));
        final Set<Class<?>> covered = samples.stream().map(Object::getClass).collect(Collectors.toSet());

        assertThat(covered).containsExactlyInAnyOrder(TaskCommand.class.getPermittedSubclasses());
        samples.forEach(tasks::apply);
    }
}

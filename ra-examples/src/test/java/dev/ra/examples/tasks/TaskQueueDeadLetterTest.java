package dev.ra.examples.tasks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.ApplyResult;
import dev.ra.BuiltinCommand;
import dev.ra.DownReason;
import dev.ra.Effect;
import dev.ra.ProcessRef;
import dev.ra.RaftRole;
import dev.ra.examples.support.MachineDriver;
import dev.ra.examples.support.ReleaseCursorPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The delivery limit, the dead letters and the visibility timeout (machine version 1), step by step in log time.
 */
class TaskQueueDeadLetterTest
{
    private static final ProcessRef ENQUEUER = new ProcessRef("n1", 1);
    private static final ProcessRef W1 = new ProcessRef("n2", 1);
    private static final ProcessRef W2 = new ProcessRef("n3", 1);
    private static final ProcessRef W3 = new ProcessRef("n2", 2);
    private static final long TIMEOUT_MS = 30_000;

    /**
     * A queue whose first leader, constructed with these settings, has put them in force.
     */
    private static MachineDriver<TaskCommand, TaskQueueState> queue(final int deliveryLimit, final long timeoutMs)
    {
        final MachineDriver<TaskCommand, TaskQueueState> tasks = new MachineDriver<>(new TaskQueueMachine(
            ReleaseCursorPolicy.every(1_000), deliveryLimit, Duration.ofMillis(timeoutMs)), TaskCommand.class);
        appendLeaderEntries(tasks, tasks.enter(RaftRole.LEADER));
        return tasks;
    }

    private static List<ApplyResult<TaskQueueState>> appendLeaderEntries(
        final MachineDriver<TaskCommand, TaskQueueState> tasks, final List<Effect> effects)
    {
        final List<ApplyResult<TaskQueueState>> results = new ArrayList<>();
        for (final Effect effect : effects)
        {
            if (effect instanceof Effect.Append append)
            {
                results.add(tasks.apply((TaskCommand)append.command()));
            }
        }
        return results;
    }

    @Test
    void shouldDeadLetterATaskThatKillsEveryWorkerAfterTheDeliveryLimitAndServeTheNextTask()
    {
        final MachineDriver<TaskCommand, TaskQueueState> tasks = queue(3, 0);
        tasks.apply(new TaskCommand.Enqueue(ENQUEUER, "poison"));
        tasks.apply(new TaskCommand.Enqueue(ENQUEUER, "fine"));

        final List<ProcessRef> workers = List.of(W1, W2, W3);
        for (final ProcessRef worker : workers)
        {
            final ApplyResult<TaskQueueState> grab = tasks.apply(new TaskCommand.Grab(worker));
            assertThat(((TaskReply.Granted)grab.reply()).task().detail()).isEqualTo("poison");
            tasks.builtin(new BuiltinCommand.Down(worker, DownReason.ERROR));
        }

        assertThat(tasks.state().deadLetters()).containsExactly(new Task(1, ENQUEUER, "poison", 3));
        assertThat(tasks.state().ready()).containsExactly(new Task(2, ENQUEUER, "fine", 0));
        assertThat(tasks.state().isPending(1)).as("a dead letter has not completed").isTrue();
        assertThat(tasks.state().isDeadLettered(1)).isTrue();
        assertThat(tasks.apply(new TaskCommand.Grab(W1)).reply())
            .isEqualTo(new TaskReply.Granted(new Task(2, ENQUEUER, "fine", 1)));
        assertThat(new TaskQueueMachine(ReleaseCursorPolicy.every(1_000), 3, Duration.ZERO).overview(tasks.state()))
            .containsEntry("deadLetters", 1);
    }

    @Test
    void shouldRequeueDeadLettersAtTheBackWithAFreshDeliveryCountAndPurgeOthers()
    {
        final MachineDriver<TaskCommand, TaskQueueState> tasks = queue(1, 0);
        tasks.apply(new TaskCommand.Enqueue(ENQUEUER, "a"));
        tasks.apply(new TaskCommand.Enqueue(ENQUEUER, "b"));
        tasks.apply(new TaskCommand.Enqueue(ENQUEUER, "c"));
        for (final ProcessRef worker : List.of(W1, W2))
        {
            tasks.apply(new TaskCommand.Grab(worker));
            tasks.builtin(new BuiltinCommand.Down(worker, DownReason.NORMAL));
        }
        assertThat(tasks.state().deadLetters()).extracting(Task::id).containsExactly(1L, 2L);

        final ApplyResult<TaskQueueState> requeued = tasks.apply(new TaskCommand.RequeueDeadLetters(List.of(2L, 9L)));
        assertThat(requeued.reply()).isEqualTo(List.of(2L));
        assertThat(requeued.state().ready()).containsExactly(new Task(3, ENQUEUER, "c", 0),
            new Task(2, ENQUEUER, "b", 0));
        assertThat(tasks.apply(new TaskCommand.RequeueDeadLetters(List.of(2L))).reply())
            .as("a retry finds nothing left to move").isEqualTo(List.of());

        final ApplyResult<TaskQueueState> purged = tasks.apply(new TaskCommand.PurgeDeadLetters(List.of(1L, 3L)));
        assertThat(purged.reply()).isEqualTo(List.of(1L));
        assertThat(purged.effects()).as("the enqueuer is not told it completed").isEmpty();
        assertThat(purged.state().deadLetters()).isEmpty();
        assertThat(purged.state().isPending(1)).isFalse();
        assertThat(purged.state().isPending(3)).isTrue();
    }

    @Test
    void shouldGiveBackATaskNotCompletedWithinTheVisibilityTimeoutInLogTime()
    {
        final MachineDriver<TaskCommand, TaskQueueState> tasks = queue(0, TIMEOUT_MS);
        tasks.apply(new TaskCommand.Enqueue(ENQUEUER, "t1"));
        tasks.apply(new TaskCommand.Enqueue(ENQUEUER, "t2"));

        final ApplyResult<TaskQueueState> grab = tasks.apply(new TaskCommand.Grab(W1));
        assertThat(grab.effects()).containsExactly(new Effect.Monitor(W1),
            new Effect.Timer(TaskQueueMachine.VISIBILITY_TIMER, TIMEOUT_MS));
        tasks.advance(10_000);
        assertThat(tasks.apply(new TaskCommand.Grab(W2)).effects()).as("re-armed for the earliest deadline")
            .containsExactly(new Effect.Monitor(W2), new Effect.Timer(TaskQueueMachine.VISIBILITY_TIMER, 20_000));

        tasks.advance(5_000);
        final ApplyResult<TaskQueueState> early = tasks.builtin(new BuiltinCommand.Timeout(
            TaskQueueMachine.VISIBILITY_TIMER));
        assertThat(early.state().inFlight()).as("a timer that fires early takes nothing").containsOnlyKeys(W1, W2);
        assertThat(early.effects()).containsExactly(new Effect.Timer(TaskQueueMachine.VISIBILITY_TIMER, 15_000));

        tasks.advance(15_000);
        final ApplyResult<TaskQueueState> due = tasks.builtin(new BuiltinCommand.Timeout(
            TaskQueueMachine.VISIBILITY_TIMER));
        assertThat(due.state().inFlight()).containsOnlyKeys(W2);
        assertThat(due.state().ready()).containsExactly(new Task(1, ENQUEUER, "t1", 1));
        assertThat(due.effects()).containsExactly(new Effect.Demonitor(W1),
            new Effect.Timer(TaskQueueMachine.VISIBILITY_TIMER, 10_000));
        assertThat(tasks.apply(new TaskCommand.Complete(W1, 1)).reply()).as("the late worker's completion")
            .isEqualTo(false);
        assertThat(tasks.apply(new TaskCommand.Grab(W3)).reply())
            .isEqualTo(new TaskReply.Granted(new Task(1, ENQUEUER, "t1", 2)));
    }

    @Test
    void shouldTakeBackTheTaskOfAWorkerWhoseNodeNeverReturns()
    {
        final MachineDriver<TaskCommand, TaskQueueState> tasks = queue(0, TIMEOUT_MS);
        tasks.apply(new TaskCommand.Enqueue(ENQUEUER, "t1"));
        tasks.apply(new TaskCommand.Grab(W1));
        tasks.builtin(new BuiltinCommand.Down(W1, DownReason.NOCONNECTION));
        tasks.advance(TIMEOUT_MS);

        final ApplyResult<TaskQueueState> due = tasks.builtin(new BuiltinCommand.Timeout(
            TaskQueueMachine.VISIBILITY_TIMER));

        assertThat(due.state().inFlight()).isEmpty();
        assertThat(due.state().grabbedAtMs()).isEmpty();
        assertThat(due.state().ready()).containsExactly(new Task(1, ENQUEUER, "t1", 1));
        assertThat(due.effects()).containsExactly(new Effect.Demonitor(W1));
    }

    @Test
    void shouldDeadLetterATaskThatNoWorkerFinishesInTimeAndKeepTheOldestGrabInFront()
    {
        final MachineDriver<TaskCommand, TaskQueueState> tasks = queue(2, TIMEOUT_MS);
        tasks.apply(new TaskCommand.Enqueue(ENQUEUER, "slow"));
        tasks.apply(new TaskCommand.Enqueue(ENQUEUER, "t2"));
        tasks.apply(new TaskCommand.Enqueue(ENQUEUER, "t3"));
        tasks.apply(new TaskCommand.Grab(W1));
        tasks.apply(new TaskCommand.Grab(W2));
        tasks.advance(TIMEOUT_MS);
        tasks.builtin(new BuiltinCommand.Timeout(TaskQueueMachine.VISIBILITY_TIMER));
        assertThat(tasks.state().ready()).extracting(Task::id).as("both given back, oldest grab first")
            .containsExactly(1L, 2L, 3L);

        tasks.apply(new TaskCommand.Grab(W3));
        tasks.advance(TIMEOUT_MS);
        tasks.builtin(new BuiltinCommand.Timeout(TaskQueueMachine.VISIBILITY_TIMER));

        assertThat(tasks.state().deadLetters()).containsExactly(new Task(1, ENQUEUER, "slow", 2));
        assertThat(tasks.state().ready()).extracting(Task::id).containsExactly(2L, 3L);
    }

    @Test
    void shouldArmTheVisibilityTimerAtOnceOnBecomingLeaderWithTasksInFlight()
    {
        final MachineDriver<TaskCommand, TaskQueueState> tasks = queue(0, TIMEOUT_MS);
        assertThat(tasks.enter(RaftRole.LEADER)).isEmpty();
        tasks.apply(new TaskCommand.Enqueue(ENQUEUER, "t1"));
        tasks.apply(new TaskCommand.Grab(W1));

        assertThat(tasks.enter(RaftRole.LEADER)).containsExactly(new Effect.Monitor(W1),
            new Effect.Timer(TaskQueueMachine.VISIBILITY_TIMER, 0));
        tasks.advance(1_000);
        final ApplyResult<TaskQueueState> check = tasks.builtin(new BuiltinCommand.Timeout(
            TaskQueueMachine.VISIBILITY_TIMER));
        assertThat(check.state().inFlight()).as("not given back before its deadline").containsOnlyKeys(W1);
        assertThat(check.effects()).containsExactly(new Effect.Timer(TaskQueueMachine.VISIBILITY_TIMER,
            TIMEOUT_MS - 1_000));
    }

    @Test
    void shouldStartTheClockOfTasksTakenBeforeTheTimeoutWasTurnedOnAtTheFirstCheck()
    {
        final MachineDriver<TaskCommand, TaskQueueState> before = queue(0, 0);
        before.apply(new TaskCommand.Enqueue(ENQUEUER, "t1"));
        before.apply(new TaskCommand.Grab(W1));
        final MachineDriver<TaskCommand, TaskQueueState> after = queue(0, TIMEOUT_MS);
        after.restore(before.state());
        final List<Effect> entered = after.enter(RaftRole.LEADER);
        assertThat(entered).as("the new leader puts its settings in force through the log")
            .containsExactly(new Effect.Monitor(W1), new Effect.Append(new TaskCommand.Configure(
                new QueueSettings(0, TIMEOUT_MS))));

        final ApplyResult<TaskQueueState> first = appendLeaderEntries(after, entered).get(0);
        assertThat(first.state().grabbedAtMs()).isEqualTo(Map.of(W1, MachineDriver.START_TIME_MS));
        assertThat(first.effects()).containsExactly(new Effect.Timer(TaskQueueMachine.VISIBILITY_TIMER, TIMEOUT_MS));
        after.advance(TIMEOUT_MS);

        final ApplyResult<TaskQueueState> due = after.builtin(new BuiltinCommand.Timeout(
            TaskQueueMachine.VISIBILITY_TIMER));
        assertThat(due.state().ready()).containsExactly(new Task(1, ENQUEUER, "t1", 1));
    }

    /**
     * A queue that ran without a timeout has it turned on by a restart of every member. Member a's snapshot is from
     * before a grab, so it replays the grab after the restart; member b's is from after it. Version 1 applied the log
     * with each member's own settings, so a replayed the grab with the timeout on and b had applied it without, and
     * they gave back different tasks at the next check. The settings are now in the log: both replay the grab with
     * the settings in force then, and the timeout starts for both at the new leader's configure entry.
     */
    @Test
    void membersWhoseSnapshotsStraddleAGrabAgreeWhenTheTimeoutIsTurnedOnByARestart()
    {
        final MachineDriver<TaskCommand, TaskQueueState> before = queue(0, 0);
        final TaskQueueState beforeGrab = before.apply(new TaskCommand.Enqueue(ENQUEUER, "t1")).state();
        before.apply(new TaskCommand.Grab(W1));
        final long grabIndex = before.nextIndex() - 1;
        final MachineDriver<TaskCommand, TaskQueueState> a = new MachineDriver<>(new TaskQueueMachine(
            ReleaseCursorPolicy.every(1_000), 0, Duration.ofMillis(TIMEOUT_MS)), TaskCommand.class);
        a.skip(grabIndex - 1);
        a.restore(beforeGrab);
        a.apply(new TaskCommand.Grab(W1));
        final MachineDriver<TaskCommand, TaskQueueState> b = new MachineDriver<>(new TaskQueueMachine(
            ReleaseCursorPolicy.every(1_000), 0, Duration.ofMillis(TIMEOUT_MS)), TaskCommand.class);
        b.skip(grabIndex);
        b.restore(before.state());
        assertThat(a.state()).isEqualTo(b.state());

        // The new leader (a) puts its timeout in force; both apply its entry, and its check a timeout later.
        for (final Effect effect : a.enter(RaftRole.LEADER))
        {
            if (effect instanceof Effect.Append append)
            {
                a.apply((TaskCommand)append.command());
                b.apply((TaskCommand)append.command());
            }
        }
        a.advance(TIMEOUT_MS);
        b.advance(TIMEOUT_MS);
        a.builtin(new BuiltinCommand.Timeout(TaskQueueMachine.VISIBILITY_TIMER));
        b.builtin(new BuiltinCommand.Timeout(TaskQueueMachine.VISIBILITY_TIMER));

        assertThat(a.state().ready()).as("member a").containsExactly(new Task(1, ENQUEUER, "t1", 1));
        assertThat(b.state()).as("member b").isEqualTo(a.state());
    }

    @Test
    void shouldKeepTheDefaultQueueFreeOfLimitsAndTimers()
    {
        final MachineDriver<TaskCommand, TaskQueueState> tasks = queue(0, 0);
        tasks.apply(new TaskCommand.Enqueue(ENQUEUER, "t1"));
        final List<Effect> effects = new ArrayList<>();
        for (int i = 0; i < 10; i++)
        {
            effects.addAll(tasks.apply(new TaskCommand.Grab(W1)).effects());
            tasks.builtin(new BuiltinCommand.Down(W1, DownReason.ERROR));
        }
        assertThat(effects).noneMatch(Effect.Timer.class::isInstance);
        assertThat(tasks.state()).isEqualTo(new TaskQueueState(2, List.of(new Task(1, ENQUEUER, "t1", 10)), Map.of(),
            0).withSettings(QueueSettings.NONE));
    }

    @Test
    void shouldRefuseBadSettingsAndBadTaskIdsWithClearErrors()
    {
        assertThatThrownBy(() -> new TaskQueueMachine(ReleaseCursorPolicy.defaults(), -1, Duration.ZERO))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("delivery limit must be >= 1");
        assertThatThrownBy(() -> new TaskQueueMachine(ReleaseCursorPolicy.defaults(), 0, Duration.ofMillis(-1)))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("visibility timeout must be positive");
        assertThatThrownBy(() -> new TaskQueueMachine(ReleaseCursorPolicy.defaults(), 0, Duration.ofNanos(5)))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("whole milliseconds");
        @SuppressWarnings({"unchecked", "rawtypes"})
        final List<Long> ints = (List)List.of(1);
        assertThatThrownBy(() -> new TaskCommand.RequeueDeadLetters(ints))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("task ids must be longs, got 1");
    }
}

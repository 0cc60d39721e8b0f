package dev.ra.examples.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.Effect;
import dev.ra.ProcessRef;
import dev.ra.StateMachine;
import dev.ra.examples.support.CommandNumber;
import dev.ra.examples.support.Determinism;
import dev.ra.examples.support.Input;
import dev.ra.examples.support.MachineDriver;
import dev.ra.examples.support.Outcome;
import dev.ra.examples.support.Pools;
import dev.ra.examples.support.ReleaseCursorPolicy;
import dev.ra.testkit.property.Gen;
import dev.ra.testkit.property.Property;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TaskQueueProperties
{
    @Test
    void shouldBeDeterministicAndSurviveASnapshot()
    {
        Property.forAll(300, Pools.withCut(inputs(), 60), sequence -> Determinism.check(
            () -> new TaskQueueMachine(ReleaseCursorPolicy.every(7)), TaskCommand.class, sequence.inputs(),
            sequence.cutWithin()));
    }

    @Test
    void shouldBeDeterministicAndSurviveASnapshotWithADeliveryLimitAndAVisibilityTimeout()
    {
        Property.forAll(300, Pools.withCut(inputs(), 60), sequence -> Determinism.check(
            TaskQueueProperties::limited, TaskCommand.class, sequence.inputs(), sequence.cutWithin()));
    }

    @Test
    void shouldBeDeterministicAndSurviveASnapshotAtVersionZero()
    {
        // Without the dead-letter commands: version 0's codec refuses them before the log.
        Property.forAll(200, Pools.withCut(inputs(false), 60), sequence -> Determinism.check(
            () -> limited().machineFor(0), TaskCommand.class, sequence.inputs(), sequence.cutWithin()));
    }

    @Test
    void shouldNeverLoseOrDuplicateATask()
    {
        Property.forAll(500, inputs(), inputs -> neverLosesOrDuplicatesATask(new TaskQueueMachine(), inputs));
        Property.forAll(500, inputs(), inputs -> neverLosesOrDuplicatesATask(limited(), inputs));
    }

    private static TaskQueueMachine limited()
    {
        return new TaskQueueMachine(ReleaseCursorPolicy.every(7), 2, Duration.ofMillis(1));
    }

    private static void neverLosesOrDuplicatesATask(final StateMachine<TaskCommand, TaskQueueState> machine,
        final List<Input> inputs)
    {
        final MachineDriver<TaskCommand, TaskQueueState> tasks = new MachineDriver<>(machine, TaskCommand.class);
        final Set<Long> completed = new HashSet<>();
        for (final Input input : inputs)
        {
            final Outcome<TaskQueueState> outcome = tasks.step(input);
            if (input.payload() instanceof TaskCommand.PurgeDeadLetters && outcome.reply() instanceof List<?> purged)
            {
                for (final Object id : purged)
                {
                    assertThat(completed.add((Long)id)).as("task %d ended once", id).isTrue();
                }
            }
            for (final Effect effect : outcome.effects())
            {
                if (effect instanceof Effect.SendMsg send && send.message() instanceof TaskCompleted done)
                {
                    assertThat(completed.add(done.taskId())).as("task %d completed once", done.taskId()).isTrue();
                }
            }
            // enqueued = completed + ready + in flight, each task in exactly one place.
            final TaskQueueState state = outcome.state();
            final Set<Long> seen = new HashSet<>(completed);
            for (final Task task : state.ready())
            {
                assertThat(seen.add(task.id())).as("task %d in one place", task.id()).isTrue();
            }
            for (final Task task : state.inFlight().values())
            {
                assertThat(seen.add(task.id())).as("task %d in one place", task.id()).isTrue();
            }
            for (final Task task : state.deadLetters())
            {
                assertThat(seen.add(task.id())).as("task %d in one place", task.id()).isTrue();
            }
            assertThat(state.grabbedAtMs().keySet()).as("grab times only for tasks in flight")
                .isSubsetOf(state.inFlight().keySet());
            assertThat(seen).hasSize((int)(state.nextTaskId() - 1));
        }
    }

    private static Gen<List<Input>> inputs()
    {
        return inputs(true);
    }

    private static Gen<List<Input>> inputs(final boolean deadLetterCommands)
    {
        final ProcessRef enqueuer = new ProcessRef("client", 1);
        final Gen<String> tasks = Gen.of("x", "y");
        final Gen<ProcessRef> processes = Pools.processes();
        final Gen<CommandNumber> numbers = Pools.commandNumbers();
        final Gen<Long> taskIds = Gen.longs(1, 8);
        final Gen<Object> payload = Gen.frequency(
            Gen.weight(4, tasks.map(task -> new TaskCommand.Enqueue(enqueuer, task))),
            Gen.weight(4, processes.map(TaskCommand.Grab::new)),
            Gen.weight(3, c -> new TaskCommand.Complete(processes.next(c), taskIds.next(c))),
            Gen.weight(3, Pools.builtins(Gen.of("t", TaskQueueMachine.VISIBILITY_TIMER))),
            Gen.weight(2, c -> !deadLetterCommands ? new TaskCommand.Grab(processes.next(c)) :
                c.between(0, 1) == 0 ? new TaskCommand.RequeueDeadLetters(List.of(taskIds.next(c))) :
                new TaskCommand.PurgeDeadLetters(List.of(taskIds.next(c), taskIds.next(c)))),
            Gen.weight(3, c -> !deadLetterCommands ? new TaskCommand.Grab(processes.next(c)) :
                c.between(0, 1) == 0 ? new TaskCommand.NumberedGrab(processes.next(c), numbers.next(c)) :
                new TaskCommand.NumberedComplete(processes.next(c), taskIds.next(c), numbers.next(c))),
            Gen.weight(1, Pools.roles()));
        return Pools.inputs(payload).list(0, 60);
    }
}

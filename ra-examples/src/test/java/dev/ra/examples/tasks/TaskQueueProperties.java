package dev.ra.examples.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.Effect;
import dev.ra.ProcessRef;
import dev.ra.examples.support.Determinism;
import dev.ra.examples.support.Input;
import dev.ra.examples.support.MachineDriver;
import dev.ra.examples.support.Outcome;
import dev.ra.examples.support.Pools;
import dev.ra.examples.support.ReleaseCursorPolicy;
import dev.ra.testkit.property.Gen;
import dev.ra.testkit.property.Property;
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
    void shouldNeverLoseOrDuplicateATask()
    {
        Property.forAll(500, inputs(), TaskQueueProperties::neverLosesOrDuplicatesATask);
    }

    private static void neverLosesOrDuplicatesATask(final List<Input> inputs)
    {
        final MachineDriver<TaskCommand, TaskQueueState> tasks =
            new MachineDriver<>(new TaskQueueMachine(), TaskCommand.class);
        final Set<Long> completed = new HashSet<>();
        for (final Input input : inputs)
        {
            final Outcome<TaskQueueState> outcome = tasks.step(input);
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
            assertThat(seen).hasSize((int)(state.nextTaskId() - 1));
        }
    }

    private static Gen<List<Input>> inputs()
    {
        final ProcessRef enqueuer = new ProcessRef("client", 1);
        final Gen<String> tasks = Gen.of("x", "y");
        final Gen<ProcessRef> processes = Pools.processes();
        final Gen<Long> taskIds = Gen.longs(1, 8);
        final Gen<Object> payload = Gen.frequency(
            Gen.weight(4, tasks.map(task -> new TaskCommand.Enqueue(enqueuer, task))),
            Gen.weight(4, processes.map(TaskCommand.Grab::new)),
            Gen.weight(3, c -> new TaskCommand.Complete(processes.next(c), taskIds.next(c))),
            Gen.weight(3, Pools.builtins(Gen.of("t"))),
            Gen.weight(1, Pools.roles()));
        return Pools.inputs(payload).list(0, 60);
    }
}

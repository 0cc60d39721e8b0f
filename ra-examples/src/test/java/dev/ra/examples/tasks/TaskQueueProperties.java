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
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;

class TaskQueueProperties
{
    @Property(tries = 300)
    void shouldBeDeterministicAndSurviveASnapshot(
        @ForAll("inputs") final List<Input> inputs, @ForAll @IntRange(max = 60) final int cut)
    {
        Determinism.check(() -> new TaskQueueMachine(ReleaseCursorPolicy.every(7)), TaskCommand.class, inputs,
            Math.min(cut, inputs.size()));
    }

    @Property(tries = 500)
    void shouldNeverLoseOrDuplicateATask(@ForAll("inputs") final List<Input> inputs)
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

    @Provide
    Arbitrary<List<Input>> inputs()
    {
        final Arbitrary<ProcessRef> enqueuers = Arbitraries.just(new ProcessRef("client", 1));
        final Arbitrary<Object> payload = Arbitraries.frequencyOf(
            Tuple.of(4, Combinators.combine(enqueuers, Arbitraries.of("x", "y")).as(TaskCommand.Enqueue::new)),
            Tuple.of(4, Pools.processes().map(TaskCommand.Grab::new)),
            Tuple.of(3, Combinators.combine(Pools.processes(), Arbitraries.longs().between(1, 8))
                .as(TaskCommand.Complete::new)),
            Tuple.of(3, Pools.builtins(Arbitraries.of("t"))),
            Tuple.of(1, Pools.roles()));
        return Pools.inputs(payload).list().ofMaxSize(60);
    }
}

package dev.ra.examples.latch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.BuiltinCommand;
import dev.ra.DownReason;
import dev.ra.Effect;
import dev.ra.ProcessRef;
import dev.ra.RaftRole;
import dev.ra.examples.support.Determinism;
import dev.ra.examples.support.Input;
import dev.ra.examples.support.MachineDriver;
import dev.ra.examples.support.Outcome;
import dev.ra.examples.support.Pools;
import dev.ra.examples.support.ReleaseCursorPolicy;
import dev.ra.testkit.property.Gen;
import dev.ra.testkit.property.Property;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The latch and barrier machine against {@link LatchModel}, on random operation sequences with failovers (a new
 * leader re-monitors, clients retry their last command), processes going down, and snapshots.
 */
class LatchProperties
{
    @Test
    void shouldBeDeterministicAndSurviveASnapshot()
    {
        Property.forAll(300, Pools.withCut(inputs(false), 60), sequence -> Determinism.check(
            () -> new LatchMachine(ReleaseCursorPolicy.every(7)), LatchCommand.class, sequence.inputs(),
            sequence.cutWithin()));
    }

    @Test
    void shouldBehaveLikeTheSequentialModelAcrossFailoversAndRetries()
    {
        Property.forAll(500, inputs(true), LatchProperties::behavesLikeTheModel);
    }

    private static void behavesLikeTheModel(final List<Input> inputs)
    {
        final MachineDriver<LatchCommand, LatchState> machine =
            new MachineDriver<>(new LatchMachine(ReleaseCursorPolicy.every(5)), LatchCommand.class);
        final LatchModel model = new LatchModel();
        // What the current leader monitors, from the effects: a waiter that is not monitored would never be noticed
        // when it dies, and would keep a barrier from breaking.
        final Set<ProcessRef> monitored = new HashSet<>();
        LatchCommand last = null;
        for (final Input input : inputs)
        {
            final Object payload = input.payload() instanceof Retry && null != last ? last : input.payload();
            if (payload instanceof Retry)
            {
                continue;
            }
            final Outcome<LatchState> outcome = machine.step(new Input(payload, input.advanceMs()));
            if (payload instanceof LatchCommand command)
            {
                last = command;
                assertThat(outcome.reply()).as("reply to %s", command).isEqualTo(model.apply(command));
            }
            else if (payload instanceof BuiltinCommand.Down down)
            {
                model.down(down.process());
            }
            else if (payload == RaftRole.LEADER)
            {
                monitored.clear();
            }
            assertThat(sent(outcome.effects())).as("messages after %s", payload).isEqualTo(model.drainSent());
            for (final Effect effect : outcome.effects())
            {
                if (effect instanceof Effect.Monitor monitor)
                {
                    monitored.add(monitor.process());
                }
                else if (effect instanceof Effect.Demonitor demonitor)
                {
                    monitored.remove(demonitor.process());
                }
            }
            // The sequence plays one member that is re-elected now and then (a LEADER input), dropping its monitors
            // each time; the others' role changes produce no effects.
            assertThat(monitored).as("every waiter monitored after %s", payload).containsAll(model.watched());
            for (final Latch latch : outcome.state().latches().values())
            {
                assertThat(latch.count()).isNotNegative();
                if (latch.isOpen())
                {
                    assertThat(latch.waiters()).as("an open latch keeps nobody waiting").isEmpty();
                }
            }
            for (final Barrier barrier : outcome.state().barriers().values())
            {
                assertThat(barrier.waiting().size()).isLessThan(barrier.parties());
                assertThat(barrier.recent()).hasSizeLessThanOrEqualTo(LatchMachine.ENDED_GENERATIONS_KEPT);
            }
        }
    }

    private static List<LatchModel.Sent> sent(final List<Effect> effects)
    {
        final List<LatchModel.Sent> sent = new ArrayList<>();
        for (final Effect effect : effects)
        {
            if (effect instanceof Effect.SendMsg send)
            {
                sent.add(new LatchModel.Sent(send.to(), send.message()));
            }
        }
        return sent;
    }

    /**
     * "Send the previous command again": a client retrying after a failover.
     */
    private record Retry()
    {
    }

    private static Gen<List<Input>> inputs(final boolean withRetries)
    {
        final Gen<String> names = Gen.of("a", "b");
        final Gen<ProcessRef> processes = Pools.processes();
        final Gen<String> requests = Gen.of("r1", "r2", "r3", "r4", "r5");
        final Gen<Long> counts = Gen.longs(1, 3);
        final Gen<Long> rounds = Gen.longs(0, 3);
        final Gen<Integer> parties = Gen.frequency(Gen.weight(4, Gen.ints(2, 3)), Gen.weight(1, Gen.constant(1)));
        final Gen<Object> payload = Gen.frequency(
            Gen.weight(3, c -> new LatchCommand.TrySetCount(names.next(c), counts.next(c), requests.next(c))),
            Gen.weight(5, c -> new LatchCommand.CountDown(names.next(c), rounds.next(c), requests.next(c))),
            Gen.weight(3, c -> new LatchCommand.Await(names.next(c), processes.next(c))),
            Gen.weight(1, c -> new LatchCommand.CancelAwait(names.next(c), processes.next(c))),
            Gen.weight(5, c -> new LatchCommand.BarrierAwait(names.next(c), parties.next(c), processes.next(c))),
            Gen.weight(1, c -> new LatchCommand.BarrierLeave(names.next(c), processes.next(c))),
            Gen.weight(1, c -> new LatchCommand.BarrierReset(names.next(c), requests.next(c))),
            Gen.weight(2, c -> new BuiltinCommand.Down(processes.next(c), Gen.of(DownReason.class).next(c))),
            Gen.weight(1, Pools.builtins(Gen.of("some-timer"))),
            Gen.weight(2, Pools.roles()),
            Gen.weight(2, withRetries ? Gen.constant(new Retry()) : Pools.roles()));
        return Pools.inputs(payload).list(0, 60);
    }
}

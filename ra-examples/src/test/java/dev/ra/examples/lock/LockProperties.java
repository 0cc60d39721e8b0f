package dev.ra.examples.lock;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.Effect;
import dev.ra.examples.support.Determinism;
import dev.ra.examples.support.Input;
import dev.ra.examples.support.MachineDriver;
import dev.ra.examples.support.Outcome;
import dev.ra.examples.support.Pools;
import dev.ra.examples.support.ReleaseCursorPolicy;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;

class LockProperties
{
    @Property(tries = 300)
    void shouldBeDeterministicAndSurviveASnapshot(
        @ForAll("inputs") final List<Input> inputs, @ForAll @IntRange(max = 60) final int cut)
    {
        Determinism.check(() -> new LockMachine(ReleaseCursorPolicy.every(7)), LockCommand.class, inputs,
            Math.min(cut, inputs.size()));
    }

    @Property(tries = 500)
    void shouldGiveEveryNewHolderALargerTokenAndTellExactlyTheNewHolders(@ForAll("inputs") final List<Input> inputs)
    {
        final MachineDriver<LockCommand, LockState> locks = new MachineDriver<>(new LockMachine(), LockCommand.class);
        final Map<String, Long> lastToken = new HashMap<>();
        for (final Input input : inputs)
        {
            final LockState before = locks.state();
            final Outcome<LockState> outcome = locks.step(input);
            for (final Map.Entry<String, LockEntry> e : outcome.state().locks().entrySet())
            {
                final LockEntry entry = e.getValue();
                final LockEntry previous = before.lock(e.getKey());
                final boolean newTenure = null == previous || previous.token() != entry.token();
                if (newTenure)
                {
                    assertThat(entry.token()).isGreaterThan(lastToken.getOrDefault(e.getKey(), 0L));
                    lastToken.put(e.getKey(), entry.token());
                }
                else
                {
                    assertThat(entry.holder()).isEqualTo(previous.holder());
                }
                assertThat(entry.waiters()).doesNotHaveDuplicates().doesNotContain(entry.holder());
            }
            for (final Effect effect : outcome.effects())
            {
                if (effect instanceof Effect.SendMsg send && send.message() instanceof LockGranted granted)
                {
                    final LockEntry entry = outcome.state().lock(granted.key());
                    assertThat(entry.holder()).isEqualTo(send.to());
                    assertThat(entry.token()).isEqualTo(granted.token());
                }
            }
        }
    }

    @Provide
    Arbitrary<List<Input>> inputs()
    {
        final Arbitrary<Object> payload = Arbitraries.frequencyOf(
            Tuple.of(5, Combinators.combine(Pools.keys(), Pools.processes()).as(LockCommand.Acquire::new)),
            Tuple.of(3, Combinators.combine(Pools.keys(), Pools.processes()).as(LockCommand.Release::new)),
            Tuple.of(1, Combinators.combine(Pools.keys(), Pools.processes()).as(LockCommand.Cancel::new)),
            Tuple.of(2, Pools.builtins(Arbitraries.of("t"))),
            Tuple.of(1, Pools.roles()));
        return Pools.inputs(payload).list().ofMaxSize(60);
    }
}

package dev.ra.examples.kv;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.examples.support.Determinism;
import dev.ra.examples.support.Input;
import dev.ra.examples.support.MachineDriver;
import dev.ra.examples.support.Pools;
import dev.ra.examples.support.ReleaseCursorPolicy;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

class KvProperties
{
    @Property(tries = 300)
    void shouldBeDeterministicAndSurviveASnapshot(
        @ForAll("commands") final List<KvCommand> commands, @ForAll @IntRange(max = 40) final int cut)
    {
        final List<Input> inputs = commands.stream().map(Input::of).toList();
        Determinism.check(() -> new KvMachine(ReleaseCursorPolicy.every(5)), KvCommand.class, inputs,
            Math.min(cut, inputs.size()));
    }

    @Property(tries = 300)
    void shouldBehaveLikeAMap(@ForAll("commands") final List<KvCommand> commands)
    {
        final MachineDriver<KvCommand, KvState> kv = new MachineDriver<>(new KvMachine(), KvCommand.class);
        final Map<String, String> model = new HashMap<>();
        for (final KvCommand command : commands)
        {
            final Object reply = kv.apply(command).reply();
            if (command instanceof KvCommand.Put put)
            {
                assertThat(((KvReply.Written)reply).previous()).isEqualTo(model.put(put.key(), put.value()));
            }
            else if (command instanceof KvCommand.Delete delete)
            {
                assertThat(((KvReply.Deleted)reply).previous()).isEqualTo(model.remove(delete.key()));
            }
            else if (command instanceof KvCommand.Cas cas)
            {
                final String current = model.get(cas.key());
                final boolean swap = Objects.equals(current, cas.expected());
                if (swap && null == cas.update())
                {
                    model.remove(cas.key());
                }
                else if (swap)
                {
                    model.put(cas.key(), cas.update());
                }
                assertThat(reply).isEqualTo(new KvReply.CasResult(swap, current, kv.nextIndex() - 1));
            }
            for (final String key : List.of("a", "b", "c"))
            {
                assertThat(kv.state().get(key)).isEqualTo(model.get(key));
            }
        }
    }

    @Provide
    Arbitrary<List<KvCommand>> commands()
    {
        final Arbitrary<String> values = Arbitraries.of("x", "y", "z");
        final Arbitrary<KvCommand> command = Arbitraries.oneOf(
            Combinators.combine(Pools.keys(), values).as(KvCommand.Put::new),
            Pools.keys().map(KvCommand.Delete::new),
            Combinators.combine(Pools.keys(), values.injectNull(0.3), values.injectNull(0.3)).as(KvCommand.Cas::new));
        return command.list().ofMaxSize(40);
    }
}

package dev.ra.examples.kv;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.examples.support.Determinism;
import dev.ra.examples.support.Input;
import dev.ra.examples.support.MachineDriver;
import dev.ra.examples.support.Pools;
import dev.ra.examples.support.ReleaseCursorPolicy;
import dev.ra.testkit.property.Gen;
import dev.ra.testkit.property.Property;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.Test;

class KvProperties
{
    @Test
    void shouldBeDeterministicAndSurviveASnapshot()
    {
        final Gen<List<Input>> inputs = commands().map(commands -> commands.stream().map(Input::of).toList());
        Property.forAll(300, Pools.withCut(inputs, 40), sequence -> Determinism.check(
            () -> new KvMachine(ReleaseCursorPolicy.every(5)), KvCommand.class, sequence.inputs(),
            sequence.cutWithin()));
    }

    @Test
    void shouldBehaveLikeAMap()
    {
        Property.forAll(300, commands(), KvProperties::behavesLikeAMap);
    }

    private static void behavesLikeAMap(final List<KvCommand> commands)
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

    private static Gen<List<KvCommand>> commands()
    {
        final Gen<String> keys = Pools.keys();
        final Gen<String> values = Gen.of("x", "y", "z");
        final Gen<String> optionalValues = values.orNull(0.3);
        final Gen<KvCommand> command = Gen.<KvCommand>oneOf(
            c -> new KvCommand.Put(keys.next(c), values.next(c)),
            keys.map(KvCommand.Delete::new),
            c -> new KvCommand.Cas(keys.next(c), optionalValues.next(c), optionalValues.next(c)));
        return command.list(0, 40);
    }
}

package dev.ra.examples.kv;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.examples.support.ClientSequences;
import dev.ra.examples.support.CommandNumber;
import dev.ra.examples.support.Determinism;
import dev.ra.examples.support.Input;
import dev.ra.examples.support.MachineDriver;
import dev.ra.examples.support.Pools;
import dev.ra.examples.support.ReleaseCursorPolicy;
import dev.ra.examples.support.StaleCommand;
import dev.ra.testkit.property.Gen;
import dev.ra.testkit.property.Property;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
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

    /**
     * The store against a map, and its numbered writes against a sequential model of {@link ClientSequences}: a
     * numbered write below its client's first unanswered number is stale, one applied already gets its first reply,
     * and neither changes a value; a new one is applied as the plain write is.
     */
    private static void behavesLikeAMap(final List<KvCommand> commands)
    {
        final MachineDriver<KvCommand, KvState> kv = new MachineDriver<>(new KvMachine(), KvCommand.class);
        final Map<String, String> model = new HashMap<>();
        final Map<String, Long> firstUnanswered = new HashMap<>();
        final Map<String, TreeMap<Long, Object>> replies = new HashMap<>();
        for (final KvCommand command : commands)
        {
            if (command instanceof KvCommand.Numbered numbered)
            {
                final CommandNumber number = numbered.number();
                final Long first = firstUnanswered.get(number.client());
                final TreeMap<Long, Object> remembered = replies.computeIfAbsent(number.client(), c -> new TreeMap<>());
                final Object reply = kv.apply(command).reply();
                if (null != first && number.number() < first)
                {
                    assertThat(reply).isEqualTo(new StaleCommand(number, first));
                }
                else if (remembered.containsKey(number.number()))
                {
                    assertThat(reply).isEqualTo(remembered.get(number.number()));
                }
                else
                {
                    expect(numbered.write(), reply, model, kv.nextIndex() - 1);
                    final long next = Math.max(number.firstUnanswered(), null == first ? 1 : first);
                    firstUnanswered.put(number.client(), next);
                    remembered.headMap(next).clear();
                    remembered.put(number.number(), reply);
                }
            }
            else
            {
                expect(command, kv.apply(command).reply(), model, kv.nextIndex() - 1);
            }
            for (final String key : List.of("a", "b", "c"))
            {
                assertThat(kv.state().get(key)).isEqualTo(model.get(key));
            }
        }
    }

    private static void expect(final KvCommand command, final Object reply, final Map<String, String> model,
        final long index)
    {
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
            assertThat(reply).isEqualTo(new KvReply.CasResult(swap, current, index));
        }
    }

    private static Gen<List<KvCommand>> commands()
    {
        final Gen<String> keys = Pools.keys();
        final Gen<String> values = Gen.of("x", "y", "z");
        final Gen<String> optionalValues = values.orNull(0.3);
        final Gen<KvCommand> write = Gen.<KvCommand>oneOf(
            c -> new KvCommand.Put(keys.next(c), values.next(c)),
            keys.map(KvCommand.Delete::new),
            c -> new KvCommand.Cas(keys.next(c), optionalValues.next(c), optionalValues.next(c)));
        final Gen<CommandNumber> numbers = Pools.commandNumbers();
        final Gen<KvCommand> command = Gen.<KvCommand>oneOf(write, write,
            c -> new KvCommand.Numbered(write.next(c), numbers.next(c)));
        return command.list(0, 40);
    }
}

package dev.ra.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ApplyResult;
import dev.ra.CommandMeta;
import dev.ra.InitArgs;
import dev.ra.ServerId;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * A machine applied to the same commands gives the same states, replies and effects, and its state survives the
 * snapshot codec: what every member, every replay and every snapshot install relies on.
 */
class MachineDeterminismProperties
{
    @Provide
    Arbitrary<List<SimKv.Command>> commands()
    {
        final Arbitrary<String> keys = Arbitraries.of("a", "b", "c");
        final Arbitrary<String> values = Arbitraries.strings().alpha().ofMaxLength(3);
        final Arbitrary<SimKv.Command> put = net.jqwik.api.Combinators.combine(keys, values).as(SimKv.Put::new);
        final Arbitrary<SimKv.Command> cas = net.jqwik.api.Combinators.combine(keys, values.injectNull(0.3), values)
            .as(SimKv.Cas::new);
        return Arbitraries.oneOf(put, cas).list().ofMaxSize(60);
    }

    @Property(tries = 300)
    void sameCommandsSameOutcome(@ForAll("commands") final List<SimKv.Command> commands)
    {
        assertThat(run(commands)).isEqualTo(run(commands));
    }

    @Property(tries = 300)
    void stateRoundTripsThroughItsCodec(@ForAll("commands") final List<SimKv.Command> commands)
    {
        final SimKv machine = new SimKv(5);
        final List<ApplyResult<SimKv.State>> results = run(commands);
        final SimKv.State state = results.isEmpty() ? machine.init(null) : results.get(results.size() - 1).state();
        assertThat(machine.stateCodec().fromBytes(machine.stateCodec().toBytes(state))).isEqualTo(state);
    }

    private static List<ApplyResult<SimKv.State>> run(final List<SimKv.Command> commands)
    {
        final SimKv machine = new SimKv(5);
        SimKv.State state = machine.init(new InitArgs("c", new ServerId("s1", "n1")));
        final List<ApplyResult<SimKv.State>> results = new ArrayList<>();
        long index = 1;
        for (final SimKv.Command command : commands)
        {
            final ApplyResult<SimKv.State> result = machine.apply(new CommandMeta(index, 1, 1000 + index, 0),
                command, state);
            results.add(result);
            state = result.state();
            index++;
        }
        return results;
    }
}

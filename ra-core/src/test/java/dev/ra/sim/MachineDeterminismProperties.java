package dev.ra.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ApplyResult;
import dev.ra.CommandMeta;
import dev.ra.InitArgs;
import dev.ra.ServerId;
import dev.ra.testkit.property.Gen;
import dev.ra.testkit.property.Property;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A machine applied to the same commands gives the same states, replies and effects, and its state survives the
 * snapshot codec: what every member, every replay and every snapshot install relies on.
 */
class MachineDeterminismProperties
{
    private static Gen<List<SimKv.Command>> commands()
    {
        final Gen<String> keys = Gen.of("a", "b", "c");
        final Gen<String> values = Gen.strings(Gen.alpha(), 0, 3);
        final Gen<SimKv.Command> put = c -> new SimKv.Put(keys.next(c), values.next(c));
        final Gen<String> expected = values.orNull(0.3);
        final Gen<SimKv.Command> cas = c -> new SimKv.Cas(keys.next(c), expected.next(c), values.next(c));
        return Gen.oneOf(put, cas).list(0, 60);
    }

    @Test
    void sameCommandsSameOutcome()
    {
        Property.forAll(300, commands(), commands -> assertThat(run(commands)).isEqualTo(run(commands)));
    }

    @Test
    void stateRoundTripsThroughItsCodec()
    {
        Property.forAll(300, commands(), commands ->
        {
            final SimKv machine = new SimKv(5);
            final List<ApplyResult<SimKv.State>> results = run(commands);
            final SimKv.State state = results.isEmpty() ? machine.init(null) :
                results.get(results.size() - 1).state();
            assertThat(machine.stateCodec().fromBytes(machine.stateCodec().toBytes(state))).isEqualTo(state);
        });
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

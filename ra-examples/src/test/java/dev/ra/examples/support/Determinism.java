package dev.ra.examples.support;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.BuiltinCommand;
import dev.ra.Effect;
import dev.ra.RaftRole;
import dev.ra.StateMachine;
import dev.ra.codec.Codec;
import java.util.List;
import java.util.function.Supplier;

/**
 * The determinism checks every toolbox machine must pass, for one input sequence:
 * <ol>
 *   <li>two fresh machines fed the same inputs produce equal states, replies and effects;</li>
 *   <li>every state, command, reply, message and snapshot state round-trips through the machine's codecs;</li>
 *   <li>restoring the state from its encoding half-way (a snapshot) and continuing gives the same outcomes as never
 *       stopping.</li>
 * </ol>
 */
public final class Determinism
{
    private Determinism()
    {
    }

    /**
     * Run all checks.
     *
     * @param factory     of fresh machines.
     * @param commandType of the machine.
     * @param inputs      to feed.
     * @param cut         where to take the snapshot, in [0, inputs.size()].
     * @param <C>         command type.
     * @param <S>         state type.
     */
    public static <C, S> void check(
        final Supplier<? extends StateMachine<C, S>> factory,
        final Class<C> commandType,
        final List<Input> inputs,
        final int cut)
    {
        final List<Outcome<S>> first = new MachineDriver<>(factory.get(), commandType).run(inputs);
        final List<Outcome<S>> second = new MachineDriver<>(factory.get(), commandType).run(inputs);
        assertThat(second).as("same inputs, same outcomes").isEqualTo(first);

        final StateMachine<C, S> machine = factory.get();
        for (final Input input : inputs)
        {
            if (!(input.payload() instanceof BuiltinCommand) && !(input.payload() instanceof RaftRole))
            {
                assertRoundTrip(machine.commandCodec(), commandType.cast(input.payload()));
            }
        }
        for (final Outcome<S> outcome : first)
        {
            assertRoundTrip(machine.stateCodec(), outcome.state());
            assertRoundTrip(machine.replyCodec(), outcome.reply());
            for (final Effect effect : outcome.effects())
            {
                if (effect instanceof Effect.SendMsg send)
                {
                    assertRoundTrip(machine.messageCodec(), send.message());
                }
                else if (effect instanceof Effect.ReleaseCursor cursor)
                {
                    assertThat(cursor.state()).as("cursor state is the state after the entry")
                        .isEqualTo(outcome.state());
                    @SuppressWarnings("unchecked")
                    final S cursorState = (S)cursor.state();
                    assertRoundTrip(machine.stateCodec(), cursorState);
                }
                else if (effect instanceof Effect.Append append)
                {
                    assertRoundTrip(machine.commandCodec(), commandType.cast(append.command()));
                }
            }
        }

        final MachineDriver<C, S> restored = new MachineDriver<>(factory.get(), commandType);
        restored.run(inputs.subList(0, cut));
        final Codec<S> stateCodec = machine.stateCodec();
        restored.restore(stateCodec.fromBytes(stateCodec.toBytes(restored.state())));
        assertThat(restored.run(inputs.subList(cut, inputs.size())))
            .as("restored from a snapshot after %d inputs", cut)
            .isEqualTo(first.subList(cut, first.size()));
    }

    private static <T> void assertRoundTrip(final Codec<T> codec, final T value)
    {
        assertThat(codec.fromBytes(codec.toBytes(value))).as("codec round trip of %s", value).isEqualTo(value);
    }
}

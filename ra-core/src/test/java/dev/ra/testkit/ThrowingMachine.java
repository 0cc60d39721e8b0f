package dev.ra.testkit;

import dev.ra.ApplyResult;
import dev.ra.CommandMeta;
import dev.ra.Effect;
import dev.ra.InitArgs;
import dev.ra.RaftRole;
import dev.ra.StateMachine;
import java.util.List;

/**
 * A counter driven by string commands, for tests of machines that misbehave: {@code "inc"} adds one and replies with
 * the new count; {@code "boom"} throws an {@link IllegalStateException} (deterministically: it depends only on the
 * command and the state); {@code "opaque"} adds one and replies with an object the generic codec cannot encode;
 * {@code "big-reply"} adds one and replies with a {@value #BIG_REPLY_CHARS}-character string (above a 16 MiB frame);
 * {@code "tick-boom"} and {@code "enter-boom"} add one and make every later {@code tick} and {@code stateEnter} throw.
 * Declares {@link String} as its command type. The state is the count and the armed failures.
 */
public final class ThrowingMachine implements StateMachine<String, List<Long>>
{
    /** Length of the reply to {@code "big-reply"}. */
    public static final int BIG_REPLY_CHARS = 20 * 1024 * 1024;

    /** A reply the machine's (generic) reply codec cannot encode: neither a record nor a known type. */
    public static final class Opaque
    {
        private final long count;

        Opaque(final long count)
        {
            this.count = count;
        }

        @Override
        public String toString()
        {
            return "Opaque[" + count + "]";
        }
    }

    @Override
    public List<Long> init(final InitArgs args)
    {
        return List.of(0L, 0L, 0L);
    }

    @Override
    public ApplyResult<List<Long>> apply(final CommandMeta meta, final String command, final List<Long> state)
    {
        final long count = state.get(0) + 1;
        switch (command)
        {
            case "inc":
                return ApplyResult.of(List.of(count, state.get(1), state.get(2)), count);
            case "boom":
                throw new IllegalStateException("boom at count " + state.get(0));
            case "opaque":
                return ApplyResult.of(List.of(count, state.get(1), state.get(2)), new Opaque(count));
            case "big-reply":
                return ApplyResult.of(List.of(count, state.get(1), state.get(2)), "z".repeat(BIG_REPLY_CHARS));
            case "tick-boom":
                return ApplyResult.of(List.of(count, 1L, state.get(2)), count);
            case "enter-boom":
                return ApplyResult.of(List.of(count, state.get(1), 1L), count);
            default:
                throw new IllegalArgumentException("unknown command " + command);
        }
    }

    @Override
    public List<Effect> tick(final long nowMs, final List<Long> state)
    {
        if (state.get(1) == 1L)
        {
            throw new IllegalStateException("tick fails");
        }
        return List.of();
    }

    @Override
    public List<Effect> stateEnter(final RaftRole role, final List<Long> state)
    {
        if (state.get(2) == 1L)
        {
            throw new IllegalStateException("stateEnter fails in " + role);
        }
        return List.of();
    }

    @Override
    public Class<String> commandType()
    {
        return String.class;
    }
}

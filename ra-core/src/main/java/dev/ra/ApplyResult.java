package dev.ra;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * What {@link StateMachine#apply} returns: the new state, the reply for the caller and the effects to run.
 *
 * @param state   of the machine after the command.
 * @param reply   for the caller (may be {@code null}); it reaches the caller only for commands that expect a reply.
 * @param effects to run, in order; see {@link Effect} for who runs them.
 * @param <S>     the machine state type.
 */
public record ApplyResult<S>(S state, Object reply, List<Effect> effects)
{
    /**
     * Copies the effects into an unmodifiable list; a null list or a null effect throws {@link NullPointerException}
     * naming it (the position of the null effect).
     */
    public ApplyResult
    {
        effects = List.copyOf(requireEffects(effects));
    }

    /**
     * {@code List.copyOf} refuses nulls too, but without a message: the machine's author would see a command fail
     * with a bare NullPointerException and no hint of which effect.
     */
    private static List<Effect> requireEffects(final List<Effect> effects)
    {
        Objects.requireNonNull(effects, "effects");
        int position = 0;
        for (final Effect effect : effects)
        {
            if (null == effect)
            {
                throw new NullPointerException("effect at position " + position + " of " + effects.size() +
                    " is null: an ApplyResult's effects must not be null");
            }
            position++;
        }
        return effects;
    }

    /**
     * A result with no reply and no effects.
     *
     * @param state after the command.
     * @param <S>   the machine state type.
     * @return the result.
     */
    public static <S> ApplyResult<S> of(final S state)
    {
        return new ApplyResult<>(state, null, List.of());
    }

    /**
     * A result with a reply and no effects.
     *
     * @param state after the command.
     * @param reply for the caller.
     * @param <S>   the machine state type.
     * @return the result.
     */
    public static <S> ApplyResult<S> of(final S state, final Object reply)
    {
        return new ApplyResult<>(state, reply, List.of());
    }

    /**
     * A result with a reply and effects.
     *
     * @param state   after the command.
     * @param reply   for the caller.
     * @param effects to run, in order.
     * @param <S>     the machine state type.
     * @return the result.
     */
    public static <S> ApplyResult<S> of(final S state, final Object reply, final Effect... effects)
    {
        // Not List.of: it refuses a null effect without naming it; the constructor names it. No effects, the common
        // case of every apply, costs no wrapper.
        Objects.requireNonNull(effects, "effects");
        return new ApplyResult<>(state, reply, 0 == effects.length ? List.of() : Arrays.asList(effects));
    }

    /**
     * A result with a reply and a list of effects.
     *
     * @param state   after the command.
     * @param reply   for the caller.
     * @param effects to run, in order.
     * @param <S>     the machine state type.
     * @return the result.
     */
    public static <S> ApplyResult<S> of(final S state, final Object reply, final List<Effect> effects)
    {
        return new ApplyResult<>(state, reply, Objects.requireNonNull(effects, "effects"));
    }
}

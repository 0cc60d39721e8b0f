package dev.ra.examples.support;

import dev.ra.Effect;
import java.util.List;

/**
 * What one {@link Input} produced.
 *
 * @param state   after the step.
 * @param reply   of the step ({@code null} for builtins and role changes).
 * @param effects of the step.
 * @param <S>     the state type.
 */
public record Outcome<S>(S state, Object reply, List<Effect> effects)
{
}

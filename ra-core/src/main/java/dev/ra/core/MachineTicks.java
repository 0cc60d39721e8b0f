package dev.ra.core;

import dev.ra.StateMachine;

/**
 * Which machine classes have a {@link StateMachine#tick} of their own. A class that only inherits the interface's
 * default (no effects, whatever the state) never needs a leader's tick for its machine. Answered once per class: the
 * answer depends on nothing but the class, so it is the same on every member and in every run.
 */
final class MachineTicks
{
    private static final ClassValue<Boolean> OWN_TICK = new ClassValue<>()
    {
        @Override
        protected Boolean computeValue(final Class<?> type)
        {
            try
            {
                // The class, a superclass or an interface extending StateMachine may declare it.
                return type.getMethod("tick", long.class, Object.class).getDeclaringClass() != StateMachine.class;
            }
            catch (final NoSuchMethodException | SecurityException ex)
            {
                // Cannot tell: tick it, as every machine was ticked before.
                return true;
            }
        }
    };

    private MachineTicks()
    {
    }

    /**
     * @param type of a machine.
     * @return whether its {@code tick} may return effects: it is not the default of {@link StateMachine}.
     */
    static boolean hasOwnTick(final Class<?> type)
    {
        return OWN_TICK.get(type);
    }
}

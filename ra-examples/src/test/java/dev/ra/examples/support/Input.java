package dev.ra.examples.support;

import dev.ra.BuiltinCommand;
import dev.ra.RaftRole;
import java.util.Objects;

/**
 * One step fed to a machine by {@link MachineDriver}: a user command, a builtin command, or a role change
 * ({@code stateEnter}), after advancing the leader clock.
 *
 * @param payload   a command of the machine, a {@link BuiltinCommand}, or a {@link RaftRole}.
 * @param advanceMs leader clock advance before the step.
 */
public record Input(Object payload, long advanceMs)
{
    /**
     * Rejects a null payload; a step must carry something to feed the machine.
     */
    public Input
    {
        Objects.requireNonNull(payload, "payload");
    }

    /**
     * @param payload a command, builtin or role.
     * @return the input without a clock advance.
     */
    public static Input of(final Object payload)
    {
        return new Input(payload, 0);
    }

    @Override
    public String toString()
    {
        return (advanceMs == 0 ? "" : "+" + advanceMs + "ms ") + payload;
    }
}

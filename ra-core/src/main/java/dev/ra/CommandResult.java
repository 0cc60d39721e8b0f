package dev.ra;

import java.util.Objects;

/**
 * The outcome of {@link RaSystem#processCommand}: the machine's reply once the command was committed and applied on
 * the leader.
 *
 * @param reply  from the machine's {@link StateMachine#apply}; may be null.
 * @param leader the member that applied the command as leader.
 * @param <R>    the reply type.
 */
public record CommandResult<R>(R reply, ServerId leader)
{
    /**
     * Requires the leader (not null); the reply may be null.
     */
    public CommandResult
    {
        Objects.requireNonNull(leader, "leader");
    }
}

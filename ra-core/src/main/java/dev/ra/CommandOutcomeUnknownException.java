package dev.ra;

/**
 * The leader that accepted a command lost its leadership before the command committed. The command may or may not be
 * applied by the next leader; it is NEVER retried automatically, because retrying could apply it twice. Callers that
 * need exactly-once effects make their commands idempotent (for example with a client id and sequence number) and
 * retry themselves.
 */
public final class CommandOutcomeUnknownException extends RaException
{
    private static final long serialVersionUID = 1L;

    private final transient ServerId formerLeader;

    /**
     * @param message      saying which command.
     * @param formerLeader the member that accepted the command.
     */
    public CommandOutcomeUnknownException(final String message, final ServerId formerLeader)
    {
        super(message);
        this.formerLeader = formerLeader;
    }

    /**
     * @return the member that accepted the command and then stepped down.
     */
    public ServerId formerLeader()
    {
        return formerLeader;
    }
}

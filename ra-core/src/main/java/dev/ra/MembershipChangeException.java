package dev.ra;

import dev.ra.core.CallError;

/**
 * A membership change or leadership transfer was refused by the leader, for the reason given.
 */
public final class MembershipChangeException extends RaException
{
    private static final long serialVersionUID = 1L;

    private final CallError error;

    /**
     * @param message saying which change.
     * @param error   why the leader refused it.
     */
    public MembershipChangeException(final String message, final CallError error)
    {
        super(message + ": " + error);
        this.error = error;
    }

    /**
     * @return why the leader refused the change.
     */
    public CallError error()
    {
        return error;
    }
}

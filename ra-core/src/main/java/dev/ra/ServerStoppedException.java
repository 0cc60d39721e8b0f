package dev.ra;

/**
 * The server handling a call stopped (it was stopped, deleted or removed from its cluster, or its machine threw and
 * that stopped it: see {@link ApplyFailureMode}) before the call completed. For a command the outcome is unknown.
 */
public final class ServerStoppedException extends RaException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message saying which server stopped and why.
     */
    public ServerStoppedException(final String message)
    {
        super(message);
    }

    /**
     * @param message saying which server stopped and why.
     * @param cause   of the stop, such as the machine's exception.
     */
    public ServerStoppedException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}

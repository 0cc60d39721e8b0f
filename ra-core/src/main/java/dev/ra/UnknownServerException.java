package dev.ra;

/**
 * The addressed server is not running on its node (never started, stopped, or deleted) and no other member of its
 * cluster could take the call.
 */
public final class UnknownServerException extends RaException
{
    private static final long serialVersionUID = 1L;

    private final transient ServerId server;

    /**
     * @param server  that is unknown.
     * @param message saying where it was looked for.
     */
    public UnknownServerException(final ServerId server, final String message)
    {
        super(message);
        this.server = server;
    }

    /**
     * @return the server that was addressed.
     */
    public ServerId server()
    {
        return server;
    }
}

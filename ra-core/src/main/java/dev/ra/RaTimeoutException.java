package dev.ra;

/**
 * A call did not complete within its timeout. For a command the outcome is unknown: it may still be applied later.
 */
public final class RaTimeoutException extends RaException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message saying which call timed out and after how long.
     */
    public RaTimeoutException(final String message)
    {
        super(message);
    }
}

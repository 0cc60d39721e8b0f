package dev.ra;

/**
 * The base of every infrastructure failure Ra reports: the call could not be carried out by the cluster. A machine's
 * domain outcome, including domain errors, is never an exception: it is the reply.
 */
public class RaException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message saying what failed.
     */
    public RaException(final String message)
    {
        super(message);
    }

    /**
     * @param message saying what failed.
     * @param cause   of the failure.
     */
    public RaException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}

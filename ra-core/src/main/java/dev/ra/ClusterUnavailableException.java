package dev.ra;

/**
 * The cluster could not be formed or reached: no leader was elected, or not enough members could be started.
 */
public final class ClusterUnavailableException extends RaException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message saying what was tried.
     */
    public ClusterUnavailableException(final String message)
    {
        super(message);
    }

    /**
     * @param message saying what was tried.
     * @param cause   of the failure.
     */
    public ClusterUnavailableException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}

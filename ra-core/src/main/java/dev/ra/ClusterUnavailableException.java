package dev.ra;

/**
 * The cluster could not be formed or reached: its start failed (a member could not be started, a node was not
 * reachable, or no leader was elected), or every member asked answered that it is not the leader until the call's
 * timeout, in which case the command was not applied and sending it again is safe. A
 * {@link ClusterStartFailedException} says the cluster's start failed on this node, which lasts until it is started
 * again: asking again would not change it.
 */
public class ClusterUnavailableException extends RaException
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

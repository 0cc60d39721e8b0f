package dev.ra;

/**
 * A call to a cluster whose start failed on this node (no member could be started, or no leader was elected, and
 * this node did not know the cluster before): the cluster was forgotten with the reason, and every call to any of its
 * members through this node fails so until the cluster is started or registered here again. Unlike the other
 * {@link ClusterUnavailableException}s (no leader found in time), it is not transient: a client that retries should
 * give up on it. The command was not applied.
 */
public final class ClusterStartFailedException extends ClusterUnavailableException
{
    private static final long serialVersionUID = 1L;

    private final transient ServerId server;

    /**
     * @param server  addressed by the call.
     * @param message saying why the start failed.
     */
    public ClusterStartFailedException(final ServerId server, final String message)
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

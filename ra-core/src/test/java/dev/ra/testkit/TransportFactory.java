package dev.ra.testkit;

import dev.ra.spi.Transport;

/**
 * Makes the transport of each node of an {@link InJvmCluster}, so one scenario suite runs over several transports.
 */
@FunctionalInterface
public interface TransportFactory extends AutoCloseable
{
    /**
     * @param node id of the node.
     * @return a new, not yet started transport for that node.
     */
    Transport newTransport(String node);

    /**
     * Wait until the transports made so far (and not closed) reach each other; transports that connect in the
     * background (TCP) need this before a cluster is started, the in-JVM network does not.
     *
     * @param timeout of the wait.
     */
    default void awaitConnected(final java.time.Duration timeout)
    {
    }

    /**
     * Release what the factory shares between transports; called once the cluster is closed.
     */
    @Override
    default void close()
    {
    }
}

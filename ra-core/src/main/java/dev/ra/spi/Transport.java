package dev.ra.spi;

import dev.ra.protocol.NodeMessage;

/**
 * Carries messages between the nodes ({@link dev.ra.RaSystem}s) of a deployment: Raft RPCs, client calls and replies,
 * process messages and monitors. One transport per node multiplexes every server of every cluster.
 *
 * <p>Sending never blocks and may drop messages (Raft tolerates loss); delivery between two nodes is in order while
 * a connection lasts. Node liveness is reported through {@link TransportListener#onNodeUp}/{@code onNodeDown}.
 */
public interface Transport extends AutoCloseable
{
    /**
     * Start the transport.
     *
     * @param localNode id of this node.
     * @param listener  to hand inbound messages and node events to; called from transport threads.
     */
    void start(String localNode, TransportListener listener);

    /**
     * Send a message to a node; drops it (without throwing) if the node is unknown, unreachable or back-pressured.
     *
     * @param node    id of the destination node.
     * @param message to send.
     */
    void send(String node, NodeMessage message);

    /**
     * @param node id of a node.
     * @return true if the node is currently considered reachable.
     */
    boolean isReachable(String node);

    /**
     * Stop the transport; connections are closed and peers will see this node as down.
     */
    @Override
    void close();
}

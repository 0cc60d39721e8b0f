package dev.ra.spi;

import dev.ra.protocol.NodeMessage;

/**
 * Receives what a {@link Transport} hears. Called from transport threads; must not block. Assumed non-throwing.
 */
public interface TransportListener
{
    /**
     * @param fromNode id of the sending node.
     * @param message  received.
     */
    void onMessage(String fromNode, NodeMessage message);

    /**
     * @param node that became reachable.
     */
    void onNodeUp(String node);

    /**
     * @param node that became unreachable.
     */
    void onNodeDown(String node);
}

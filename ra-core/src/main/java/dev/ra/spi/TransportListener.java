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

    /**
     * The node left in order (it said goodbye as it closed): every answer it owed this node was delivered before,
     * and it handled nothing this node sent after. So a call still awaiting its answer was never taken by a server
     * there and may be sent elsewhere, which a plain {@link #onNodeDown} does not allow (a command may have reached a
     * leader). Otherwise the node is down, as with {@code onNodeDown}, until {@link #onNodeUp}. The default treats it
     * as a plain node down.
     *
     * @param node that left.
     */
    default void onNodeLeft(final String node)
    {
        onNodeDown(node);
    }

    /**
     * Nothing has arrived from a connected node for the silence set with {@link Transport#reportSilenceAfter}; the
     * connection is still open. Not a node down: calls and monitors on it are unaffected.
     *
     * @param node that went silent.
     */
    default void onNodeSilent(final String node)
    {
    }

    /**
     * The first frame from a node reported silent has arrived.
     *
     * @param node heard from again.
     */
    default void onNodeHeard(final String node)
    {
    }
}

package dev.ra.runtime;

import dev.ra.protocol.NodeMessage;
import dev.ra.spi.TransportListener;

/**
 * A transport listener that passes every report on to another; a test extends it and overrides only what it watches.
 */
class ForwardingTransportListener implements TransportListener
{
    private final TransportListener delegate;

    /**
     * @param delegate the listener to pass reports on to.
     */
    ForwardingTransportListener(final TransportListener delegate)
    {
        this.delegate = delegate;
    }

    @Override
    public void onMessage(final String fromNode, final NodeMessage message)
    {
        delegate.onMessage(fromNode, message);
    }

    @Override
    public void onNodeUp(final String node)
    {
        delegate.onNodeUp(node);
    }

    @Override
    public void onNodeDown(final String node)
    {
        delegate.onNodeDown(node);
    }

    @Override
    public void onNodeLeft(final String node)
    {
        delegate.onNodeLeft(node);
    }

    @Override
    public void onNodeSilent(final String node)
    {
        delegate.onNodeSilent(node);
    }

    @Override
    public void onNodeHeard(final String node)
    {
        delegate.onNodeHeard(node);
    }
}

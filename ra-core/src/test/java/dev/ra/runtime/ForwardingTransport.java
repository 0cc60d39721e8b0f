package dev.ra.runtime;

import dev.ra.protocol.NodeMessage;
import dev.ra.spi.CallerReceive;
import dev.ra.spi.LoopHost;
import dev.ra.spi.PeerFeature;
import dev.ra.spi.Transport;
import dev.ra.spi.TransportListener;
import java.time.Duration;
import java.util.List;

/**
 * A transport that passes every call on to another; a test extends it and overrides only what it counts or changes.
 */
class ForwardingTransport implements Transport
{
    /** The transport every call goes to. */
    protected final Transport delegate;

    /**
     * @param delegate the transport to pass calls on to.
     */
    ForwardingTransport(final Transport delegate)
    {
        this.delegate = delegate;
    }

    @Override
    public void start(final String localNode, final TransportListener listener)
    {
        delegate.start(localNode, listener);
    }

    @Override
    public List<LoopHost> loopHosts(final String localNode, final int wanted)
    {
        return delegate.loopHosts(localNode, wanted);
    }

    @Override
    public void reportSilenceAfter(final Duration silence)
    {
        delegate.reportSilenceAfter(silence);
    }

    @Override
    public void send(final String node, final NodeMessage message)
    {
        delegate.send(node, message);
    }

    @Override
    public CallerReceive sendAndReceiveOnCaller(final String node, final NodeMessage.ServerCall call,
        final long deadlineNanos)
    {
        return delegate.sendAndReceiveOnCaller(node, call, deadlineNanos);
    }

    @Override
    public boolean isReachable(final String node)
    {
        return delegate.isReachable(node);
    }

    @Override
    public boolean supports(final String node, final PeerFeature feature)
    {
        return delegate.supports(node, feature);
    }

    @Override
    public int maxMessageBytes()
    {
        return delegate.maxMessageBytes();
    }

    @Override
    public void close()
    {
        delegate.close();
    }
}

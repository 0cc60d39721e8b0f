package dev.ra.runtime.injvm;

import dev.ra.protocol.NodeMessage;
import dev.ra.spi.PeerFeature;
import dev.ra.spi.Transport;
import dev.ra.spi.TransportListener;
import java.time.Duration;
import java.util.Objects;

/**
 * One node's attachment to an {@link InJvmNetwork}.
 */
final class InJvmTransport implements Transport
{
    private final InJvmNetwork network;
    private volatile String localNode;
    private volatile TransportListener listener;
    /** How long a node may be silent before this one is told; 0: never. */
    private volatile long silenceNanos;

    InJvmTransport(final InJvmNetwork network)
    {
        this.network = network;
    }

    @Override
    public void start(final String localNode, final TransportListener listener)
    {
        Objects.requireNonNull(localNode, "localNode");
        Objects.requireNonNull(listener, "listener");
        if (null != this.localNode)
        {
            throw new IllegalStateException("transport already started as node " + this.localNode);
        }
        this.listener = listener;
        this.localNode = localNode;
        network.attach(localNode, this);
    }

    @Override
    public void reportSilenceAfter(final Duration silence)
    {
        if (silence.isNegative() || silence.isZero())
        {
            throw new IllegalArgumentException("silence must be positive, got " + silence);
        }
        this.silenceNanos = silence.toNanos();
    }

    @Override
    public void send(final String node, final NodeMessage message)
    {
        final String from = localNode;
        if (null != from)
        {
            network.send(from, node, message);
        }
    }

    /**
     * A message is delivered on the sending node's thread, or on the network's delivery thread when its link is
     * delayed.
     */
    @Override
    public boolean onTransportThread()
    {
        return network.delivering();
    }

    @Override
    public boolean isReachable(final String node)
    {
        final String from = localNode;
        return null != from && network.isReachable(from, node);
    }

    /**
     * Every node of an in-JVM network runs this release.
     */
    @Override
    public boolean supports(final String node, final PeerFeature feature)
    {
        return true;
    }

    @Override
    public void close()
    {
        final String node = localNode;
        if (null != node)
        {
            network.detach(node, this);
        }
    }

    TransportListener listener()
    {
        return listener;
    }

    long silenceNanos()
    {
        return silenceNanos;
    }
}

package dev.ra.transport.netty;

import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;

/**
 * Decides whether a peer's handshake is accepted: the same deployment, a node id known here and not this node's own,
 * addressed to this node, not blocked by fault injection, with TLS bound to node ids a certificate naming that
 * node, and not from a second process claiming the id of a node that runs ({@link DuplicateRuns}). A refusal is a
 * sentence naming what was wrong; the connection handler sends it to the peer and logs it.
 */
final class HandshakeRefusal
{
    private final NettyTransport transport;
    private final TlsContexts tls;

    HandshakeRefusal(final NettyTransport transport, final TlsContexts tls)
    {
        this.transport = transport;
        this.tls = tls;
    }

    /**
     * Why the handshake {@code hello} arriving on {@code channel} must be refused, or null to accept it.
     */
    String refusal(final Handshake hello, final Channel channel)
    {
        if (transport.isClosed())
        {
            // Not welcomed only to be closed without a word: the other node would count this one as down, not left.
            return "node " + transport.localNode() + " is closing";
        }
        if (!transport.config.clusterId.equals(hello.clusterId()))
        {
            return "it belongs to deployment '" + hello.clusterId() + "', not '" + transport.config.clusterId + "'";
        }
        if (hello.nodeId().equals(transport.localNode()))
        {
            return "it claims this node's own id " + transport.localNode();
        }
        if (null == transport.link(hello.nodeId()))
        {
            return "node id '" + hello.nodeId() + "' is unknown here";
        }
        if (!transport.localNode().equals(hello.expectedPeer()))
        {
            return "it expected node '" + hello.expectedPeer() + "' at this address";
        }
        if (transport.faults.isBlocked(hello.nodeId()))
        {
            return "node " + hello.nodeId() + " is blocked (fault injection)";
        }
        return certificateRefusal(channel, hello.nodeId());
    }

    /**
     * Why the handshake {@code claim} arriving on {@code channel} must be refused because another process that claims
     * the same node id is connected here and running ({@link DuplicateRuns}), or null. The sender's id is known here.
     */
    String duplicateRun(final Handshake claim, final Channel channel)
    {
        final PeerLink link = transport.link(claim.nodeId());
        if (null == link || null == claim.run())
        {
            return null;
        }
        synchronized (link)
        {
            return DuplicateRuns.conflict(transport.localNode(), link, claim, channel, System.nanoTime(),
                transport.config);
        }
    }

    /** Why the peer's certificate on {@code channel} does not name {@code node}, or null if it does (or need not). */
    String certificateRefusal(final Channel channel, final String node)
    {
        if (null == tls || !transport.config.tls.bindNodeIds)
        {
            return null;
        }
        final SslHandler ssl = channel.pipeline().get(SslHandler.class);
        return null == ssl ? "no TLS session" : TlsContexts.certificateMismatch(ssl.engine().getSession(), node);
    }
}

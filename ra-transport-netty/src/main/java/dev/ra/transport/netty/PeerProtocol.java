package dev.ra.transport.netty;

/**
 * What this node knows of one other node's protocol versions ({@link ProtocolVersions}), kept in its
 * {@link PeerLink}: the version agreed on the connection in use (each connection writes in its own), why none could
 * be agreed, and whether to dial it with a handshake without a range. Written by the event loops of its connections,
 * read by anyone.
 */
final class PeerProtocol
{
    /**
     * The version agreed on the peer connection in use, or on the last one in use; 0 before the first. A caller
     * connection's handshake does not change it: it carries calls only.
     */
    private volatile int agreed;
    /** Why the nodes cannot talk (no version in common); null unless the last handshake failed for that. */
    private volatile String refusal;
    /**
     * Dial with a handshake without a range: the node closed a connection on our ranged HELLO without an answer, as
     * a node of version 1 does. Cleared when that connection closes, so the node is asked again once it restarts.
     */
    private volatile boolean withoutRange;

    int agreed()
    {
        return agreed;
    }

    String refusal()
    {
        return refusal;
    }

    boolean dialWithoutRange()
    {
        return withoutRange;
    }

    void dialWithoutRange(final boolean without)
    {
        withoutRange = without;
    }

    void agreed(final int version)
    {
        agreed = version;
        refusal = null;
    }

    /**
     * @param why the nodes cannot talk.
     * @return whether it is news (not the reason already recorded): log it once, not at every redial.
     */
    synchronized boolean refused(final String why)
    {
        final boolean news = !why.equals(refusal);
        refusal = why;
        return news;
    }
}

package dev.ra.transport.netty;

import dev.ra.codec.BufferReader;
import dev.ra.codec.BufferWriter;
import dev.ra.codec.CodecException;

/**
 * The body of a HELLO (dialer to acceptor) or WELCOME (acceptor to dialer) frame: who is talking, for which
 * deployment, whom it expects to talk to, and which protocol versions it speaks ({@link ProtocolVersions}).
 *
 * <pre>
 *   string "ra-node" | string clusterId | string nodeId | string expectedPeer | [varint oldest | varint newest]
 * </pre>
 *
 * The range is left out towards a node that does not know it (a node of version 1 closes on any byte after the
 * expected peer); one read without it means version 1 only. Bytes after the range are ignored: fields a later
 * version may add there.
 *
 * @param clusterId    identity of the deployment; both sides must agree.
 * @param nodeId       of the sender.
 * @param expectedPeer the node id the sender believes it is connected to.
 * @param oldest       the oldest protocol version the sender speaks.
 * @param newest       the newest protocol version the sender speaks.
 * @param ranged       whether the range is (to be) written in the frame; false for a node of version 1.
 */
record Handshake(String clusterId, String nodeId, String expectedPeer, int oldest, int newest, boolean ranged)
{
    /**
     * @return a handshake of this release: with its version range.
     */
    static Handshake of(final String clusterId, final String nodeId, final String expectedPeer)
    {
        return of(clusterId, nodeId, expectedPeer, ProtocolVersions.NEWEST);
    }

    /**
     * @param newest the newest version the node claims ({@link NettyTransportConfig#newestProtocol}).
     * @return a handshake of this release, with its version range up to {@code newest}.
     */
    static Handshake of(final String clusterId, final String nodeId, final String expectedPeer, final int newest)
    {
        return new Handshake(clusterId, nodeId, expectedPeer, ProtocolVersions.OLDEST, newest, true);
    }

    /**
     * @return the same handshake as a node of version 1 writes it: without the range.
     */
    Handshake withoutRange()
    {
        return new Handshake(clusterId, nodeId, expectedPeer, ProtocolVersions.WITHOUT_RANGE,
            ProtocolVersions.WITHOUT_RANGE, false);
    }

    void encode(final BufferWriter out)
    {
        out.writeString(FrameFormat.MAGIC).writeString(clusterId).writeString(nodeId).writeString(expectedPeer);
        if (ranged)
        {
            out.writeVarLong(oldest).writeVarLong(newest);
        }
    }

    static Handshake decode(final BufferReader in)
    {
        final String magic = in.readString();
        if (!FrameFormat.MAGIC.equals(magic))
        {
            throw new CodecException("not a ra handshake");
        }
        final String clusterId = in.readString();
        final String nodeId = in.readString();
        final String expectedPeer = in.readString();
        if (in.remaining() == 0)
        {
            return new Handshake(clusterId, nodeId, expectedPeer, ProtocolVersions.WITHOUT_RANGE,
                ProtocolVersions.WITHOUT_RANGE, false);
        }
        final long oldest = in.readVarLong();
        final long newest = in.readVarLong();
        if (oldest < 1 || newest < oldest || newest > Integer.MAX_VALUE)
        {
            throw new CodecException("invalid protocol version range " + oldest + " to " + newest);
        }
        return new Handshake(clusterId, nodeId, expectedPeer, (int)oldest, (int)newest, true);
    }
}

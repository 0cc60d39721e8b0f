package dev.ra.transport.netty;

import dev.ra.codec.BufferReader;
import dev.ra.codec.BufferWriter;
import dev.ra.codec.CodecException;

/**
 * The body of a HELLO (dialer to acceptor) or WELCOME (acceptor to dialer) frame: who is talking, for which
 * deployment, and whom it expects to talk to.
 *
 * @param clusterId    identity of the deployment; both sides must agree.
 * @param nodeId       of the sender.
 * @param expectedPeer the node id the sender believes it is connected to.
 */
record Handshake(String clusterId, String nodeId, String expectedPeer)
{
    void encode(final BufferWriter out)
    {
        out.writeString(FrameFormat.MAGIC).writeString(clusterId).writeString(nodeId).writeString(expectedPeer);
    }

    static Handshake decode(final BufferReader in)
    {
        final String magic = in.readString();
        if (!FrameFormat.MAGIC.equals(magic))
        {
            throw new CodecException("not a ra handshake");
        }
        final Handshake handshake = new Handshake(in.readString(), in.readString(), in.readString());
        if (in.remaining() != 0)
        {
            throw new CodecException(in.remaining() + " trailing bytes after the handshake");
        }
        return handshake;
    }
}

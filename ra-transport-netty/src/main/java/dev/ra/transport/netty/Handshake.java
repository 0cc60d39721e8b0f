package dev.ra.transport.netty;

import dev.ra.codec.BufferReader;
import dev.ra.codec.BufferWriter;
import dev.ra.codec.CodecException;

/**
 * The body of a HELLO (dialer to acceptor) or WELCOME (acceptor to dialer) frame: who is talking, for which
 * deployment, whom it expects to talk to, which protocol versions it speaks ({@link ProtocolVersions}), and from
 * version 9 on which run of the node this is, where it listens and how often it heartbeats.
 *
 * <pre>
 *   string "ra-node" | string clusterId | string nodeId | string expectedPeer
 *     | [varint oldest | varint newest | [string run | string listensOn | [varint heartbeatMillis]]]
 * </pre>
 *
 * The range is left out towards a node that does not know it (a node of version 1 closes on any byte after the
 * expected peer); one read without it means version 1 only. Bytes after the range are ignored by the nodes of
 * versions 2 to 8, so the run, the address and the heartbeat interval follow it in the handshake of a node whose
 * newest version is 9 or later, and are read only from such a node's; bytes after them are ignored in turn: fields a
 * later version may add.
 *
 * @param clusterId    identity of the deployment; both sides must agree.
 * @param nodeId       of the sender.
 * @param expectedPeer the node id the sender believes it is connected to.
 * @param oldest       the oldest protocol version the sender speaks.
 * @param newest       the newest protocol version the sender speaks.
 * @param ranged       whether the range is (to be) written in the frame; false for a node of version 1.
 * @param run          the sender's run: drawn at random when its transport is made, so that two processes claiming
 *                     one node id, or two runs of one node, are told apart ({@link DuplicateRuns}); null if not
 *                     known (a node of version 8 or older, or a handshake without the range).
 * @param listensOn    where the sender listens, as configured ({@code host:port}; empty for a client node), for the
 *                     errors that name two processes claiming one id; null if not known.
 * @param heartbeatMillis how often the sender heartbeats a connection that carries nothing else (rounded up to a
 *                     millisecond), so that the receiver does not take a node that heartbeats less often than itself
 *                     for gone between two heartbeats ({@link DuplicateRuns#aliveNanos}); 0 if not said.
 */
record Handshake(String clusterId, String nodeId, String expectedPeer, int oldest, int newest, boolean ranged,
    String run, String listensOn, long heartbeatMillis)
{
    /** The longest run id read: this release draws 16 hex digits. */
    static final int MAX_RUN_CHARS = 64;
    /** The longest listen address read: a host name (at most 253 characters) and a port. */
    static final int MAX_LISTENS_ON_CHARS = 320;
    /** The longest heartbeat interval read: a day (no setting comes near; a larger one is garbage). */
    static final long MAX_HEARTBEAT_MILLIS = 24L * 3_600_000;

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
        return of(clusterId, nodeId, expectedPeer, newest, null, null, 0);
    }

    /**
     * @param newest    the newest version the node claims ({@link NettyTransportConfig#newestProtocol}).
     * @param run       the sender's run; written only if {@code newest} has it ({@link ProtocolVersions#RUN_ID}).
     * @param listensOn where the sender listens; written with the run.
     * @param heartbeatMillis how often the sender heartbeats; written with the run.
     * @return a handshake of this release, with its version range up to {@code newest}.
     */
    static Handshake of(final String clusterId, final String nodeId, final String expectedPeer, final int newest,
        final String run, final String listensOn, final long heartbeatMillis)
    {
        final boolean withRun = null != run && newest >= ProtocolVersions.RUN_ID;
        return new Handshake(clusterId, nodeId, expectedPeer, ProtocolVersions.OLDEST, newest, true,
            withRun ? run : null, withRun ? listensOn : null, withRun ? heartbeatMillis : 0);
    }

    /**
     * @return the same handshake as a node of version 1 writes it: without the range.
     */
    Handshake withoutRange()
    {
        return new Handshake(clusterId, nodeId, expectedPeer, ProtocolVersions.WITHOUT_RANGE,
            ProtocolVersions.WITHOUT_RANGE, false, null, null, 0);
    }

    void encode(final BufferWriter out)
    {
        out.writeString(FrameFormat.MAGIC).writeString(clusterId).writeString(nodeId).writeString(expectedPeer);
        if (ranged)
        {
            out.writeVarLong(oldest).writeVarLong(newest);
            if (null != run)
            {
                out.writeString(run).writeString(null == listensOn ? "" : listensOn).writeVarLong(heartbeatMillis);
            }
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
                ProtocolVersions.WITHOUT_RANGE, false, null, null, 0);
        }
        final long oldest = in.readVarLong();
        final long newest = in.readVarLong();
        if (oldest < 1 || newest < oldest || newest > Integer.MAX_VALUE)
        {
            throw new CodecException("invalid protocol version range " + oldest + " to " + newest);
        }
        if (newest < ProtocolVersions.RUN_ID || in.remaining() == 0)
        {
            return new Handshake(clusterId, nodeId, expectedPeer, (int)oldest, (int)newest, true, null, null, 0);
        }
        final String run = in.readString();
        final String listensOn = in.readString();
        if (run.isEmpty() || run.length() > MAX_RUN_CHARS)
        {
            throw new CodecException("a run id of " + run.length() + " characters (1 to " + MAX_RUN_CHARS + ")");
        }
        if (listensOn.length() > MAX_LISTENS_ON_CHARS)
        {
            // Copied into the errors and refusals that name two processes claiming one id: a peer's garbage must
            // not make those unreadable (a refusal the other side cannot read) or flood the log.
            throw new CodecException("a listen address of " + listensOn.length() + " characters (at most " +
                MAX_LISTENS_ON_CHARS + ")");
        }
        final long heartbeatMillis = in.remaining() == 0 ? 0 : in.readVarLong();
        if (heartbeatMillis < 0 || heartbeatMillis > MAX_HEARTBEAT_MILLIS)
        {
            throw new CodecException("invalid heartbeat interval " + heartbeatMillis + " ms");
        }
        return new Handshake(clusterId, nodeId, expectedPeer, (int)oldest, (int)newest, true, run, listensOn,
            heartbeatMillis);
    }
}

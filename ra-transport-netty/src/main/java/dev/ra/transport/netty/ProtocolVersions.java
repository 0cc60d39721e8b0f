package dev.ra.transport.netty;

import dev.ra.spi.PeerFeature;

/**
 * The versions of the node-to-node protocol this release speaks, and how two nodes agree on one (see
 * docs/UPGRADES.md).
 *
 * <p>The handshake carries the sender's range, oldest to newest; both ends then speak the newest version both have.
 * Version 1 is the protocol of the releases whose handshake carries no range: a handshake without one is read as
 * "version 1 only", and is answered in kind, so that such a node (which closes on a handshake with bytes it does not
 * know) still connects. A node that has no version in common with the other refuses the connection, naming both
 * ranges; a newer node keeps that refusal in its {@link PeerStats}.
 *
 * <ul>
 *   <li>1: frames as described in {@link FrameFormat}; handshake without a range.</li>
 *   <li>2: the handshake carries the range ({@link Handshake}); an AppendEntries reply may end with the follower's
 *       machine version (omitted when 0, see docs/UPGRADES.md "Machine versions"). To a node of version 1 replies
 *       go without it (it would refuse the frame), so such a node reads as machine version 0 and holds the switch
 *       back. A later change to the frames is a version 3, which the range lets both ends agree on.</li>
 *   <li>3: a new server request, {@link dev.ra.protocol.ServerRequest.ConfirmedNamedQuery} (a linearizable named
 *       query in one call). A node of version 2 or older would close the connection on it, so the transport tells
 *       the runtime which nodes take it ({@link #supports}) and the runtime makes the two calls of a read index and
 *       a named query elsewhere.</li>
 *   <li>4: a request to start a server may end with the point a member added to a running cluster joins at
 *       ({@link dev.ra.protocol.JoinPoint}). A node of version 3 or older would reject the trailing bytes, so it is
 *       not sent to one, which starts the member without it, as that release does.</li>
 *   <li>5: a new message, {@link dev.ra.protocol.NodeMessage.FailedNotice}, which tells a process of its pipelined
 *       commands that failed (the machine's {@code apply} threw, or the leader refused the command). A node of
 *       version 4 or older would close the connection on a message type it does not know, so the transport tells the
 *       runtime which nodes take it ({@link #supports}) and the runtime sends such a node no notice of those
 *       commands (logged), as that release does.</li>
 *   <li>6: a leader refuses a command it is too loaded to take ({@link dev.ra.core.CallError#OVERLOADED} in a call's
 *       reply, {@link dev.ra.protocol.FailedCommand.Kind#OVERLOADED} in a failed notice). A node of version 5 or
 *       older would close the connection on the value it does not know, so such a node is sent what it knows, with
 *       the same message: {@code NOT_PERMITTED} and {@code REFUSED}.</li>
 *   <li>7: FENCE and FENCE_READ frames ({@link FrameFormat}): a node that switches the connection it sends on while
 *       the first stays open waits until the peer has read what it wrote on the first, so that messages arrive in
 *       the order sent. With a node of version 6 or older it switches at once, as that release does (a node that old
 *       would close the connection on an unknown frame type).</li>
 *   <li>8: a removed member's retirement names the configuration that removed it, and a node says when a server
 *       applied its cluster's deletion; a node of version 7 or older is sent the plain forced delete and server
 *       down.</li>
 *   <li>9: the handshake carries the sender's run, where it listens and how often it heartbeats, after the range
 *       ({@link Handshake}), so that a second process claiming the id of a node that runs is refused rather than
 *       taken for it ({@link DuplicateRuns}). The nodes of versions 2 to 8 ignore bytes after the range; a node
 *       that does not send a run is checked as before, by id alone. The frames after the handshake are those of
 *       version 8.</li>
 *   <li>10: a node's "deleted with its cluster" and a removed member's retirement end with a term (the one the
 *       deleted server ended in; the one of the configuration that removed the member), so that a member of a
 *       cluster created again under the same ids, whose log begins in a later term, ignores a late one about the
 *       cluster before. A node of version 9 or older would reject the trailing bytes, so it is sent them without
 *       the term, and a notice without one is taken as before.</li>
 *   <li>11: an InstallSnapshot ends with the servers removed from the cluster up to the snapshot, so that a follower
 *       that installed it, once leader, still recognises a member removed while its node was down; left out towards
 *       a node of version 10 or older, and a chunk without them names none.</li>
 * </ul>
 */
final class ProtocolVersions
{
    /** What a handshake without a range speaks. */
    static final int WITHOUT_RANGE = 1;
    /** The oldest version this release speaks. */
    static final int OLDEST = 1;
    /** The newest version this release speaks. */
    static final int NEWEST = 11;
    /** The first version whose AppendEntries replies may carry the follower's machine version. */
    static final int MACHINE_VERSION_IN_REPLIES = 2;
    /** The first version with {@link dev.ra.protocol.ServerRequest.ConfirmedNamedQuery}. */
    static final int CONFIRMED_NAMED_QUERY = 3;
    /** The first version whose requests to start a server may carry a {@link dev.ra.protocol.JoinPoint}. */
    static final int JOIN_POINT = 4;
    /** The first version with {@link dev.ra.protocol.NodeMessage.FailedNotice}. */
    static final int FAILED_NOTICE = 5;
    /** The first version with {@code OVERLOADED} in call replies and failed notices. */
    static final int OVERLOADED = 6;
    /** The first version with the FENCE and FENCE_READ frames. */
    static final int SWITCH_FENCE = 7;
    /**
     * The first version whose forced deletes may name the configuration that removed the member (a retirement), and
     * whose ServerDown may say that the server applied its cluster's deletion.
     */
    static final int RETIREMENT_INDEX = 8;
    /** The first version whose handshake carries the sender's run and listen address. */
    static final int RUN_ID = 9;
    /** The first version whose "deleted with its cluster" and retirements may end with a term. */
    static final int DELETION_TERM = 10;
    /**
     * The first version whose InstallSnapshot may end with the servers removed from the cluster up to the snapshot
     * ({@link dev.ra.protocol.SnapshotMeta#removed}), so that a follower that installed it, once leader, still
     * recognises a member removed while its node was down.
     */
    static final int SNAPSHOT_REMOVED = 11;

    private ProtocolVersions()
    {
    }

    /**
     * @param peerOldest the other node's oldest version.
     * @param peerNewest the other node's newest version.
     * @return the newest version both speak, or 0 if there is none.
     */
    static int agree(final int peerOldest, final int peerNewest)
    {
        return agree(peerOldest, peerNewest, NEWEST);
    }

    /**
     * @param peerOldest the other node's oldest version.
     * @param peerNewest the other node's newest version.
     * @param ownNewest  the newest version this node claims ({@link NettyTransportConfig#newestProtocol}).
     * @return the newest version both speak, or 0 if there is none.
     */
    static int agree(final int peerOldest, final int peerNewest, final int ownNewest)
    {
        final int newest = Math.min(ownNewest, peerNewest);
        return newest >= Math.max(OLDEST, peerOldest) ? newest : 0;
    }

    /**
     * @param agreed  the version agreed with a node on the last connection to it; 0 if none yet.
     * @param feature a message would use.
     * @return whether that node takes it.
     */
    static boolean supports(final int agreed, final PeerFeature feature)
    {
        return switch (feature)
        {
            case CONFIRMED_NAMED_QUERY -> agreed >= CONFIRMED_NAMED_QUERY;
            case FAILED_COMMAND_NOTICE -> agreed >= FAILED_NOTICE;
        };
    }

    /**
     * @param localNode  this node.
     * @param peer       the other node.
     * @param peerOldest its oldest version.
     * @param peerNewest its newest version.
     * @return why the two cannot talk, for the logs of both ends and the peer's stats.
     */
    static String noCommonVersion(final String localNode, final String peer, final int peerOldest,
        final int peerNewest)
    {
        return "no protocol version in common: node " + peer + " speaks " + range(peerOldest, peerNewest) +
            ", node " + localNode + " speaks " + range(OLDEST, NEWEST) + " (upgrade the older node; see UPGRADES.md)";
    }

    private static String range(final int oldest, final int newest)
    {
        return oldest == newest ? "version " + oldest : "versions " + oldest + " to " + newest;
    }
}

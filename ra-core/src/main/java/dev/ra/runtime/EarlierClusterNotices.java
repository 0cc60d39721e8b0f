package dev.ra.runtime;

import dev.ra.core.ServerCore;
import dev.ra.protocol.ServerRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells a deletion notice about a cluster that ran under the same ids before this member's cluster was created again.
 *
 * <p>A node says that a server applied its cluster's deletion ({@code ServerDown} with {@code clusterDeleted}), and a
 * leader retires a removed member ({@code ForceDelete} naming the configuration without it): both name server ids
 * only, and a cluster created again under the same ids has the same ids. Such a notice may arrive late (held up on its
 * way, or a retirement retried until the default timeout) at the new cluster's member of the id, which took it as its
 * own and deleted itself: a healthy member, and its data, lost. So the notices carry a term: the one the deleted
 * server ended in, or the one of the configuration that removed the member. A new server of an id that applied its
 * cluster's deletion on its node starts in the term it ended in ({@link DeletedServers}), and the cluster created
 * again elects its leaders, and writes its entries, in later terms. A notice whose term is below the first term of
 * the receiving member's log (that of its first entry or snapshot) is about a cluster before its own, and is
 * ignored; so is any notice with a term to a member that holds no entry yet (a member just created again, catching
 * up, which started in the term the one before ended in, or in term 0 when that one was retired alone). A notice
 * about the member's own cluster has a term at or above that: its log begins with entries of the cluster the notice
 * is about. A notice without a term (from a node of an older protocol version) is taken as before.
 */
final class EarlierClusterNotices
{
    private static final Logger LOG = LoggerFactory.getLogger(EarlierClusterNotices.class);

    private EarlierClusterNotices()
    {
    }

    /**
     * @param server       that received the notice, on its loop.
     * @param notice       what the notice is, for the log.
     * @param noticeInTerm the term the notice names; 0 if none.
     * @return whether the notice is about a cluster before the server's own (logged at debug).
     */
    static boolean aboutEarlierCluster(final ServerProcess server, final String notice, final long noticeInTerm)
    {
        if (noticeInTerm <= 0)
        {
            return false;
        }
        if (server.core.lastIndex() <= 0)
        {
            // It holds no entry: a member that missed its cluster's deletion, or the one removed, holds some. Its
            // cluster may have been created again a moment ago (this member catching up), and the term it started in
            // tells nothing then (0 for an id retired alone; the very term of the deletion otherwise).
            LOG.debug("{}: ignored {} in term {}: this member holds no entry yet, so the notice is about a cluster " +
                "that ran under the same ids before cluster {} was created again", server.id, notice, noticeInTerm,
                server.cluster.clusterName);
            return true;
        }
        final long firstTerm = firstTerm(server.core, server.environment.clusters().termAtDeletion(server.id));
        if (noticeInTerm >= firstTerm)
        {
            return false;
        }
        LOG.debug("{}: ignored {} in term {}: this member's log begins in term {}, so the notice is about a cluster " +
            "that ran under the same ids before cluster {} was created again", server.id, notice, noticeInTerm,
            firstTerm, server.cluster.clusterName);
        return true;
    }

    /**
     * @param core      of the leader whose removal of a member committed.
     * @param removedAt index of the committed configuration without the member.
     * @return the request that retires the member, naming that configuration and its term (0 if no longer held).
     */
    static ServerRequest.ForceDelete retirement(final ServerCore core, final long removedAt)
    {
        return new ServerRequest.ForceDelete(removedAt, Math.max(0, core.termAt(removedAt)));
    }

    /**
     * @param core      of the member.
     * @param startTerm the term a new server of its id started in on this node (0 if none is remembered).
     * @return the first term of its log: that of its snapshot, else of its first entry; with neither, or when that
     *     term is not held, the term it started in.
     */
    static long firstTerm(final ServerCore core, final long startTerm)
    {
        final long first = core.snapshotIndex() > 0 ? core.snapshotIndex() : 1;
        final long term = core.lastIndex() >= first ? core.termAt(first) : 0;
        return Math.max(term, startTerm);
    }
}

package dev.ra.runtime;

import dev.ra.ServerId;
import dev.ra.spi.Storage;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finishes, when a node starts, a deletion that a crash interrupted: a server that applied its cluster's deletion is
 * recorded in the storage ({@link Storage#rememberDeletion}) before its data is deleted, so a crash in between leaves
 * both. Its data restarted as it was would run a deleted cluster again (replaying its log does not apply the
 * deletion again, and with every node of the cluster crashed so, the members elect a leader). The storage tells that
 * data from the data of a server created again under the id ({@link Storage#unfinishedDeletions}: the record names
 * the data stored when it was made), exactly and without reading any log: where the cluster's deletion sits in the
 * log (a snapshot, entries after it) does not matter, and a node holding many servers created again under deleted
 * ids reads none of their logs at start. Data that cannot be deleted now stays, and is never restarted
 * ({@link ClusterDirectory#unfinishedDeletion}).
 */
final class InterruptedDeletions
{
    private static final Logger LOG = LoggerFactory.getLogger(InterruptedDeletions.class);

    private InterruptedDeletions()
    {
    }

    /**
     * @param storage of the node.
     * @param nodeId  of the node, for the log.
     * @return the recorded servers whose data the storage holds as it was when their deletion was recorded; none if
     *     the storage cannot tell (warned).
     */
    static Set<ServerId> unfinished(final Storage storage, final String nodeId)
    {
        try
        {
            return Set.copyOf(storage.unfinishedDeletions());
        }
        catch (final RuntimeException ex)
        {
            LOG.warn("{}: cannot tell which deletions its storage did not finish; data left by one is restarted as " +
                "any other", nodeId, ex);
            return Set.of();
        }
    }

    /**
     * Delete the data a deletion left.
     *
     * @param storage of the node.
     * @param server  whose cluster's deletion it applied before the node stopped, its data not yet deleted.
     * @param nodeId  of the node, for the log.
     * @param first   whether this is the node's start (else a restart of the server was asked for), for the log.
     * @return null once the data is gone, else why it could not be deleted.
     */
    static RuntimeException finish(final Storage storage, final ServerId server, final String nodeId,
        final boolean first)
    {
        if (first)
        {
            LOG.warn("{}: applied its cluster's deletion before node {} stopped, which stopped before its data was " +
                "deleted; deleting it now", server, nodeId);
        }
        try
        {
            storage.delete(server);
            return null;
        }
        catch (final RuntimeException ex)
        {
            LOG.warn("{}: could not delete the data its cluster's deletion left on node {}; it is not restarted " +
                "(a restart tries the deletion again)", server, nodeId, ex);
            return ex;
        }
    }
}

package dev.ra.runtime;

import dev.ra.ServerId;
import dev.ra.protocol.EntryPayload;
import dev.ra.protocol.LogEntry;
import dev.ra.spi.LogListener;
import dev.ra.spi.LogStore;
import dev.ra.spi.ServerStorage;
import dev.ra.spi.Storage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finishes, when a node starts, a deletion that a crash interrupted: a server that applied its cluster's deletion is
 * recorded in the storage ({@link Storage#rememberDeletion}) before its data is deleted, so a crash in between leaves
 * both. Its data restarted as it was would run a deleted cluster again (replaying its log does not apply the
 * deletion again, and with every node of the cluster crashed so, the members elect a leader). Such data is told from
 * that of a server created again under the id by its log, which ends with the cluster's deletion (the server ended
 * once it applied it), and its term, at most the one recorded; a server created again holds no deletion (or one of
 * the cluster created again, whose data may go too).
 */
final class InterruptedDeletions
{
    private static final Logger LOG = LoggerFactory.getLogger(InterruptedDeletions.class);

    /** How far back from the end of a log its cluster's deletion is looked for: it ended the server that applied it. */
    static final int DELETION_SEARCH_ENTRIES = 1024;

    /** Nothing is appended to a storage opened only to be read. */
    private static final LogListener NO_LISTENER = new LogListener()
    {
        @Override
        public void onWritten(final long index, final long term)
        {
        }

        @Override
        public void onFailure(final Throwable cause)
        {
        }
    };

    private InterruptedDeletions()
    {
    }

    /**
     * @param storage of the node.
     * @param server  recorded as deleted with its cluster, ending in {@code term}.
     * @param nodeId  of the node, for the log.
     * @return whether the server's data is gone: none was stored, or it was the deleted server's, now deleted.
     */
    static boolean finish(final Storage storage, final ServerId server, final long term, final String nodeId)
    {
        if (!storage.exists(server))
        {
            return true;
        }
        final long storedTerm;
        final long deletionIndex;
        final ServerStorage stored = storage.open(server, NO_LISTENER);
        try
        {
            storedTerm = stored.meta().currentTerm();
            deletionIndex = storedTerm > term ? 0 : deletionEntry(stored.log());
        }
        finally
        {
            stored.close();
        }
        if (0 == deletionIndex)
        {
            // A server created again under the id: a later term, or no deletion in its log.
            return false;
        }
        LOG.warn("{}: applied its cluster's deletion (index {}) before node {} stopped, which stopped before its " +
            "data was deleted; deleting it now", server, deletionIndex, nodeId);
        storage.delete(server);
        return true;
    }

    /**
     * @return the index of the cluster's deletion among the last entries of the log, else 0.
     */
    private static long deletionEntry(final LogStore log)
    {
        final long last = log.lastIndex();
        final long first = Math.max(log.firstIndex(), last - DELETION_SEARCH_ENTRIES + 1);
        for (long index = last; index >= first && index > 0; index--)
        {
            final LogEntry entry = log.entry(index);
            if (null != entry && entry.payload() instanceof EntryPayload.DeleteCluster)
            {
                return index;
            }
        }
        return 0;
    }
}

package dev.ra.spi;

import dev.ra.ServerId;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A node's storage, shared by all the servers of one {@link dev.ra.RaSystem} (for example one write-ahead log for
 * them all). Thread-safe.
 */
public interface Storage extends AutoCloseable
{
    /** How many servers {@link #rememberDeletion} keeps at most: the newest records (as many as the runtime keeps). */
    int REMEMBERED_DELETIONS = 16_384;

    /**
     * Open (creating if needed) a server's storage.
     *
     * @param id       of the server.
     * @param listener to receive the log's durability reports.
     * @return the server's storage.
     * @throws IllegalStateException if the server's storage is already open, or cannot be recovered (with the reason).
     */
    ServerStorage open(ServerId id, LogListener listener);

    /**
     * @param id of a server.
     * @return true if the server has stored state (it was started before).
     */
    boolean exists(ServerId id);

    /**
     * @return ids of every server with stored state on this node.
     */
    List<ServerId> servers();

    /**
     * Delete a server's storage; it must not be open.
     *
     * @param id of the server.
     */
    void delete(ServerId id);

    /**
     * The node's record of the servers that applied their cluster's deletion here, with the term each ended in (see
     * docs/RUNTIME.md, "Deletion"): what tells a member that missed the deletion, and the term a new server of such an
     * id starts in, once the node restarted. Read once, when the node starts. Never fails for a damaged record: the
     * storage warns, naming what it could not read, and returns what it could read, or nothing. A storage that keeps
     * no such record (or one written by a release before it existed) remembers none.
     *
     * @return the term each server ended in, by server, oldest record first.
     */
    default Map<ServerId, Long> rememberedDeletions()
    {
        return Map.of();
    }

    /**
     * Record, durably, that a server applied its cluster's deletion here, ending in {@code term}, as the newest record
     * (replacing an older one of the same server); past {@link #REMEMBERED_DELETIONS} the oldest records go. Returns
     * once the record is durable; called before the server's storage is deleted, so that a crash in between leaves the
     * server or the record. The record also names the data stored for the server when it is made (its incarnation, or
     * none), so that once the node restarts the storage tells that data from the data of a server created again under
     * the id since ({@link #unfinishedDeletions}). Rare (a deletion each), never on the path of commands.
     *
     * @param server that applied its cluster's deletion.
     * @param term   its current term when it ended.
     * @throws java.io.UncheckedIOException if the record could not be written (it is then as before).
     */
    default void rememberDeletion(final ServerId server, final long term)
    {
    }

    /**
     * Of the servers {@link #rememberedDeletions} names, those whose data this storage still holds as it was when the
     * deletion was recorded: the node stopped between {@link #rememberDeletion} and {@link #delete}. That data is the
     * deleted server's, which must never run again: the node deletes it when it starts, before it restarts its
     * servers. Data stored under such an id since (a server created again) is not the deleted server's, whatever its
     * log holds. Read once, when the node starts; it costs no read of any server's log. A storage that does not tie its
     * records to the data returns none (the default): such data is then restarted as any other.
     *
     * @return those servers.
     */
    default Set<ServerId> unfinishedDeletions()
    {
        return Set.of();
    }

    /**
     * Close every open server storage and the shared resources.
     */
    @Override
    void close();
}

package dev.ra.spi;

import dev.ra.ServerId;
import java.util.List;

/**
 * A node's storage, shared by all the servers of one {@link dev.ra.RaSystem} (for example one write-ahead log for
 * them all). Thread-safe.
 */
public interface Storage extends AutoCloseable
{
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
     * Close every open server storage and the shared resources.
     */
    @Override
    void close();
}

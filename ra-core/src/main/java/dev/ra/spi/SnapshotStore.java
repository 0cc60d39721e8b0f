package dev.ra.spi;

import dev.ra.codec.Bytes;
import dev.ra.protocol.SnapshotMeta;

/**
 * A server's snapshots: the newest valid one is what it restarts from and what it sends to lagging followers.
 *
 * <p>{@link #write} may be called from a background thread; the other methods from any thread. Implementations
 * write to a temporary file, sync it, rename it into place and sync the directory, so a crash leaves either the old
 * or the new snapshot, never a torn one.
 */
public interface SnapshotStore extends SnapshotReader
{
    /**
     * Durably store a snapshot, replacing older ones; returns AFTER it is synced.
     *
     * @param meta  of the snapshot.
     * @param state encoded machine state.
     */
    void write(SnapshotMeta meta, Bytes state);
}

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
public interface SnapshotStore
{
    /**
     * @return metadata of the newest valid snapshot, or null if there is none.
     */
    SnapshotMeta latest();

    /**
     * @param meta of a snapshot returned by {@link #latest()}.
     * @return its encoded machine state.
     * @throws java.io.UncheckedIOException if it cannot be read.
     */
    Bytes read(SnapshotMeta meta);

    /**
     * Read part of a snapshot's encoded state, for sending it in chunks.
     *
     * @param meta     of the snapshot.
     * @param offset   of the first byte.
     * @param maxBytes most bytes to return.
     * @return the chunk; shorter than {@code maxBytes} only at the end.
     */
    default Bytes readChunk(final SnapshotMeta meta, final long offset, final int maxBytes)
    {
        final Bytes all = read(meta);
        final int from = (int)Math.min(offset, all.length());
        return all.slice(from, Math.min(maxBytes, all.length() - from));
    }

    /**
     * @param meta of a snapshot.
     * @return the size of its encoded state.
     */
    default long size(final SnapshotMeta meta)
    {
        return read(meta).length();
    }

    /**
     * Durably store a snapshot, replacing older ones; returns AFTER it is synced.
     *
     * @param meta  of the snapshot.
     * @param state encoded machine state.
     */
    void write(SnapshotMeta meta, Bytes state);
}

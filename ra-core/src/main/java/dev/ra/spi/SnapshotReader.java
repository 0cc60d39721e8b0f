package dev.ra.spi;

import dev.ra.codec.Bytes;
import dev.ra.protocol.SnapshotMeta;

/**
 * The read side of a {@link SnapshotStore}: what the pure Raft core may look at when it sends a snapshot in chunks.
 */
public interface SnapshotReader
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
}

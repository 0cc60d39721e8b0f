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

    /**
     * Begin receiving a snapshot in chunks. The default collects the chunks in memory and calls {@link #write} on
     * completion; file-backed stores stream them to disk instead.
     *
     * @param meta of the snapshot being received.
     * @return the sink to append chunks to.
     * @since 0.1
     */
    default SnapshotSink accept(final SnapshotMeta meta)
    {
        return new SnapshotSink()
        {
            private final java.io.ByteArrayOutputStream received = new java.io.ByteArrayOutputStream();

            @Override
            public void append(final Bytes chunk)
            {
                received.write(chunk.unsafeArray(), 0, chunk.length());
            }

            @Override
            public void complete()
            {
                write(meta, Bytes.wrap(received.toByteArray()));
            }

            @Override
            public void abort()
            {
                received.reset();
            }
        };
    }
}

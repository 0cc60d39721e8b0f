package dev.ra.spi;

import dev.ra.codec.Bytes;

/**
 * A snapshot being received in chunks from a leader (Raft §7, InstallSnapshot). Obtained from
 * {@link SnapshotStore#accept}; used by one thread.
 *
 * @since 0.1
 */
public interface SnapshotSink
{
    /**
     * Append the next chunk of the encoded state, in order.
     *
     * @param chunk of the state.
     * @throws java.io.UncheckedIOException if it cannot be stored.
     */
    void append(Bytes chunk);

    /**
     * All chunks were appended: store the snapshot durably; returns AFTER it is synced and it is the newest one.
     *
     * @throws java.io.UncheckedIOException if it cannot be stored.
     */
    void complete();

    /**
     * Give up (the leader changed, or the transfer failed): discard what was received.
     */
    void abort();
}

package dev.ra.log;

import dev.ra.codec.Bytes;
import dev.ra.protocol.SnapshotMeta;
import dev.ra.spi.SnapshotSink;
import dev.ra.spi.SnapshotStore;

/**
 * One open server's handle on its {@link FileSnapshotStore}, which outlives it (a re-open gets the same store).
 *
 * <p>The runtime writes snapshots on a background thread that may finish after its server was closed. Such a write
 * must not land: after a re-open in another storage on the same data directory it would write a file that store
 * never listed and delete, by the closed store's retention, a snapshot the new one still lists; after the server was
 * deleted and created anew it would put an earlier incarnation's state into the new one's directory. So every write
 * (and the completion of a received snapshot) is refused once {@link #close} has run: the check is made under the
 * store's lock just before the written file is renamed into place, and {@link #close} takes that lock, so once it
 * returns nothing more lands through this handle, without waiting for a whole snapshot to be written (the server's
 * close may run on a thread other servers share). Reads stay allowed.
 */
final class ServerSnapshots implements SnapshotStore
{
    private final FileSnapshotStore store;
    private final String owner;
    private volatile boolean closed;

    ServerSnapshots(final FileSnapshotStore store, final String owner)
    {
        this.store = store;
        this.owner = owner;
    }

    /**
     * Refuse every later write; returns once a write past its last check has been installed.
     */
    void close()
    {
        store.runLocked(() -> closed = true);
    }

    private void checkOpen(final SnapshotMeta meta)
    {
        if (closed)
        {
            throw new IllegalStateException("cannot write snapshot " + meta.term() + "/" + meta.index() + " of " +
                owner + ": its server storage is closed");
        }
    }

    @Override
    public SnapshotMeta latest()
    {
        return store.latest();
    }

    @Override
    public Bytes read(final SnapshotMeta meta)
    {
        return store.read(meta);
    }

    @Override
    public Bytes readChunk(final SnapshotMeta meta, final long offset, final int maxBytes)
    {
        return store.readChunk(meta, offset, maxBytes);
    }

    @Override
    public long size(final SnapshotMeta meta)
    {
        return store.size(meta);
    }

    @Override
    public void write(final SnapshotMeta meta, final Bytes state)
    {
        checkOpen(meta);
        store.write(meta, state, () -> checkOpen(meta));
    }

    @Override
    public SnapshotSink accept(final SnapshotMeta meta)
    {
        checkOpen(meta);
        return store.accept(meta, () -> checkOpen(meta));
    }
}

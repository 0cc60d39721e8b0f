package dev.ra.log;

import dev.ra.codec.Bytes;
import dev.ra.protocol.SnapshotMeta;
import dev.ra.spi.SnapshotSink;
import dev.ra.spi.SnapshotStore;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

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
 *
 * <p>The close also aborts the receives ({@link #accept}) still under way: one that is never completed nor aborted (its
 * leader went away mid-transfer) would otherwise keep its temporary file, as large as the snapshot, and its descriptor
 * until the next start.
 */
final class ServerSnapshots implements SnapshotStore
{
    private final FileSnapshotStore store;
    private final String owner;
    private final Set<Receive> receiving = ConcurrentHashMap.newKeySet();
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
        for (final Receive receive : List.copyOf(receiving))
        {
            receive.abort();
        }
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
        final Receive receive = new Receive(meta, store.accept(meta, () -> checkOpen(meta)));
        receiving.add(receive);
        if (closed)
        {
            // Closed since the check, maybe after the close aborted the receives it saw.
            receive.abort();
            checkOpen(meta);
        }
        return receive;
    }

    /** A receive under way, known to the handle until it ends. */
    private final class Receive implements SnapshotSink
    {
        private final SnapshotMeta meta;
        private final SnapshotSink sink;

        Receive(final SnapshotMeta meta, final SnapshotSink sink)
        {
            this.meta = meta;
            this.sink = sink;
        }

        @Override
        public void append(final Bytes chunk)
        {
            // After the close: say so rather than "already aborted".
            endIfClosed();
            sink.append(chunk);
        }

        @Override
        public void complete()
        {
            try
            {
                endIfClosed();
                sink.complete();
            }
            finally
            {
                receiving.remove(this);
            }
        }

        private void endIfClosed()
        {
            if (closed)
            {
                abort();
                checkOpen(meta);
            }
        }

        @Override
        public void abort()
        {
            try
            {
                sink.abort();
            }
            finally
            {
                receiving.remove(this);
            }
        }
    }
}

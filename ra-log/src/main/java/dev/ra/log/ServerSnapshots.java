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
 * (and the completion of a received snapshot) is refused once {@link #close} has run, and {@link #close} waits for
 * a write in progress: once it returns, nothing more is written through this handle. Reads stay allowed.
 */
final class ServerSnapshots implements SnapshotStore
{
    private final FileSnapshotStore store;
    private final String owner;
    private boolean closed;

    ServerSnapshots(final FileSnapshotStore store, final String owner)
    {
        this.store = store;
        this.owner = owner;
    }

    /**
     * Refuse every later write; returns once a write in progress has ended.
     */
    synchronized void close()
    {
        closed = true;
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
    public synchronized void write(final SnapshotMeta meta, final Bytes state)
    {
        checkOpen(meta);
        store.write(meta, state);
    }

    @Override
    public synchronized SnapshotSink accept(final SnapshotMeta meta)
    {
        checkOpen(meta);
        final SnapshotSink sink = store.accept(meta);
        return new SnapshotSink()
        {
            @Override
            public void append(final Bytes chunk)
            {
                sink.append(chunk);
            }

            @Override
            public void complete()
            {
                synchronized (ServerSnapshots.this)
                {
                    if (closed)
                    {
                        sink.abort();
                    }
                    checkOpen(meta);
                    sink.complete();
                }
            }

            @Override
            public void abort()
            {
                sink.abort();
            }
        };
    }
}

package dev.ra.runtime.memory;

import dev.ra.codec.Bytes;
import dev.ra.protocol.SnapshotMeta;
import dev.ra.spi.SnapshotStore;
import java.util.Objects;

/**
 * The snapshot store of {@link InMemoryStorage}: keeps the two newest snapshots, as FileStorage does, so that a leader
 * sending the one before the newest (its chunks are read over several steps, while the next snapshot is written in the
 * background) can go on reading it.
 */
final class InMemorySnapshots implements SnapshotStore
{
    private final ServerData data;

    InMemorySnapshots(final ServerData data)
    {
        this.data = data;
    }

    @Override
    public SnapshotMeta latest()
    {
        synchronized (data)
        {
            return data.snapshotMeta;
        }
    }

    @Override
    public Bytes read(final SnapshotMeta meta)
    {
        synchronized (data)
        {
            if (Objects.equals(meta, data.snapshotMeta))
            {
                return data.snapshotState;
            }
            if (Objects.equals(meta, data.previousSnapshotMeta))
            {
                return data.previousSnapshotState;
            }
            throw new IllegalStateException("snapshot " + meta + " is no longer kept (the latest is " +
                data.snapshotMeta + ")");
        }
    }

    @Override
    public void write(final SnapshotMeta meta, final Bytes state)
    {
        Objects.requireNonNull(meta, "meta");
        Objects.requireNonNull(state, "state");
        synchronized (data)
        {
            if (null == data.snapshotMeta || meta.index() >= data.snapshotMeta.index())
            {
                if (null != data.snapshotMeta && meta.index() > data.snapshotMeta.index())
                {
                    data.previousSnapshotMeta = data.snapshotMeta;
                    data.previousSnapshotState = data.snapshotState;
                }
                data.snapshotMeta = meta;
                data.snapshotState = state;
            }
        }
    }
}

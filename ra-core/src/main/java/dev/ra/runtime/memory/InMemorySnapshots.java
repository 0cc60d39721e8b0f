package dev.ra.runtime.memory;

import dev.ra.codec.Bytes;
import dev.ra.protocol.SnapshotMeta;
import dev.ra.spi.SnapshotStore;
import java.util.Objects;

/**
 * The snapshot store of {@link InMemoryStorage}: keeps only the newest snapshot.
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
            if (!Objects.equals(meta, data.snapshotMeta))
            {
                throw new IllegalStateException("snapshot " + meta + " is no longer the latest (" +
                    data.snapshotMeta + ")");
            }
            return data.snapshotState;
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
                data.snapshotMeta = meta;
                data.snapshotState = state;
            }
        }
    }
}

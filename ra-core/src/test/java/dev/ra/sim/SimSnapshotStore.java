package dev.ra.sim;

import dev.ra.codec.Bytes;
import dev.ra.protocol.SnapshotMeta;
import dev.ra.spi.SnapshotStore;

/**
 * A durable in-memory snapshot store holding the newest snapshot only.
 */
final class SimSnapshotStore implements SnapshotStore
{
    private SnapshotMeta meta;
    private Bytes data;

    @Override
    public SnapshotMeta latest()
    {
        return meta;
    }

    @Override
    public Bytes read(final SnapshotMeta wanted)
    {
        if (null == meta || meta.index() != wanted.index())
        {
            throw new IllegalStateException("snapshot " + wanted + " is gone");
        }
        return data;
    }

    @Override
    public void write(final SnapshotMeta newMeta, final Bytes state)
    {
        if (null == meta || newMeta.index() > meta.index())
        {
            meta = newMeta;
            data = state;
        }
    }
}

package dev.ra.runtime;

import dev.ra.spi.LogStore;
import dev.ra.spi.MetaStore;
import dev.ra.spi.ServerStorage;
import dev.ra.spi.SnapshotStore;

/**
 * A server's storage with its meta store replaced (by a test's {@link ForwardingMetaStore}); log, snapshots and close
 * go to the server's own.
 *
 * @param inner the server's storage.
 * @param meta  the meta store to use instead of its own.
 */
record ServerStorageWithMeta(ServerStorage inner, MetaStore meta) implements ServerStorage
{
    @Override
    public LogStore log()
    {
        return inner.log();
    }

    @Override
    public SnapshotStore snapshots()
    {
        return inner.snapshots();
    }

    @Override
    public void close()
    {
        inner.close();
    }
}

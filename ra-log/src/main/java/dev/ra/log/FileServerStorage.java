package dev.ra.log;

import dev.ra.spi.LogStore;
import dev.ra.spi.MetaStore;
import dev.ra.spi.ServerStorage;
import dev.ra.spi.SnapshotStore;

/**
 * One open server's view of a {@link FileStorage}: its log, meta store and snapshot store.
 */
final class FileServerStorage implements ServerStorage
{
    private final FileStorage storage;
    private final ServerLog log;
    private final ServerLogHandle logHandle;
    private final FileMetaStore meta;
    private final ServerSnapshots snapshots;
    private volatile boolean closed;

    FileServerStorage(final FileStorage storage, final ServerLog log, final FileMetaStore meta)
    {
        this.storage = storage;
        this.log = log;
        this.logHandle = new ServerLogHandle(log);
        this.meta = meta;
        this.snapshots = new ServerSnapshots(log.snapshots(), log.directory().id().toString());
    }

    @Override
    public LogStore log()
    {
        return logHandle;
    }

    @Override
    public MetaStore meta()
    {
        return meta;
    }

    @Override
    public SnapshotStore snapshots()
    {
        return snapshots;
    }

    FileMetaStore fileMeta()
    {
        return meta;
    }

    ServerLog serverLog()
    {
        return log;
    }

    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            // First: a re-open may start once the storage hears of the close, and must find no write landing.
            snapshots.close();
            logHandle.close();
            storage.onServerClosed(log.directory().id(), this);
            meta.close();
        }
    }
}

package dev.ra.runtime.memory;

import dev.ra.ServerId;
import dev.ra.spi.LogListener;
import dev.ra.spi.LogStore;
import dev.ra.spi.MetaStore;
import dev.ra.spi.ServerStorage;
import dev.ra.spi.SnapshotStore;

/**
 * One server's view of an {@link InMemoryStorage}.
 */
final class InMemoryServerStorage implements ServerStorage
{
    private final InMemoryStorage owner;
    private final ServerId id;
    private final InMemoryLog log;
    private final InMemoryMeta meta;
    private final InMemorySnapshots snapshots;
    private boolean closed;

    InMemoryServerStorage(final InMemoryStorage owner, final ServerId id, final ServerData data,
        final LogListener listener)
    {
        this.owner = owner;
        this.id = id;
        this.log = new InMemoryLog(data, listener, owner.syncDelayNanos(), owner::syncer);
        this.meta = new InMemoryMeta(data);
        this.snapshots = new InMemorySnapshots(data);
    }

    @Override
    public LogStore log()
    {
        return log;
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

    @Override
    public synchronized void close()
    {
        if (!closed)
        {
            closed = true;
            log.close();
            owner.closed(id, this);
        }
    }
}

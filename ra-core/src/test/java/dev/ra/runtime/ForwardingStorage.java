package dev.ra.runtime;

import dev.ra.ServerId;
import dev.ra.spi.LogListener;
import dev.ra.spi.ServerStorage;
import dev.ra.spi.Storage;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A storage that passes every call on to another; a test extends it and overrides only what it sees, holds up or
 * changes.
 */
class ForwardingStorage implements Storage
{
    /** The storage every call goes to. */
    protected final Storage inner;

    /**
     * @param inner the storage to pass calls on to.
     */
    ForwardingStorage(final Storage inner)
    {
        this.inner = inner;
    }

    @Override
    public ServerStorage open(final ServerId id, final LogListener listener)
    {
        return inner.open(id, listener);
    }

    @Override
    public boolean exists(final ServerId id)
    {
        return inner.exists(id);
    }

    @Override
    public List<ServerId> servers()
    {
        return inner.servers();
    }

    @Override
    public void delete(final ServerId id)
    {
        inner.delete(id);
    }

    @Override
    public Map<ServerId, Long> rememberedDeletions()
    {
        return inner.rememberedDeletions();
    }

    @Override
    public void rememberDeletion(final ServerId server, final long term)
    {
        inner.rememberDeletion(server, term);
    }

    @Override
    public Set<ServerId> unfinishedDeletions()
    {
        return inner.unfinishedDeletions();
    }

    @Override
    public void close()
    {
        inner.close();
    }
}

package dev.ra.runtime.memory;

import dev.ra.ServerId;
import dev.ra.spi.MetaStore;

/**
 * The meta store of {@link InMemoryStorage}: every store is "durable" at once.
 */
final class InMemoryMeta implements MetaStore
{
    private final ServerData data;

    InMemoryMeta(final ServerData data)
    {
        this.data = data;
    }

    @Override
    public long currentTerm()
    {
        synchronized (data)
        {
            return data.currentTerm;
        }
    }

    @Override
    public ServerId votedFor()
    {
        synchronized (data)
        {
            return data.votedFor;
        }
    }

    @Override
    public long lastApplied()
    {
        synchronized (data)
        {
            return data.lastApplied;
        }
    }

    @Override
    public void storeTermAndVote(final long term, final ServerId votedFor)
    {
        synchronized (data)
        {
            data.currentTerm = term;
            data.votedFor = votedFor;
        }
    }

    @Override
    public void storeLastApplied(final long index)
    {
        synchronized (data)
        {
            data.lastApplied = index;
        }
    }

    @Override
    public byte[] serverConfig()
    {
        synchronized (data)
        {
            return null == data.serverConfig ? null : data.serverConfig.clone();
        }
    }

    @Override
    public void storeServerConfig(final byte[] config)
    {
        synchronized (data)
        {
            data.serverConfig = config.clone();
        }
    }
}

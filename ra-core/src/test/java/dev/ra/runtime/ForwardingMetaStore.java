package dev.ra.runtime;

import dev.ra.ServerId;
import dev.ra.spi.MetaStore;

/**
 * A meta store that passes every call on to another; a test extends it and overrides only what it sees, holds up or
 * changes.
 */
class ForwardingMetaStore implements MetaStore
{
    /** The meta store every call goes to. */
    protected final MetaStore inner;

    /**
     * @param inner the meta store to pass calls on to.
     */
    ForwardingMetaStore(final MetaStore inner)
    {
        this.inner = inner;
    }

    @Override
    public long currentTerm()
    {
        return inner.currentTerm();
    }

    @Override
    public ServerId votedFor()
    {
        return inner.votedFor();
    }

    @Override
    public long lastApplied()
    {
        return inner.lastApplied();
    }

    @Override
    public void storeTermAndVote(final long term, final ServerId votedFor)
    {
        inner.storeTermAndVote(term, votedFor);
    }

    @Override
    public void storeLastApplied(final long index)
    {
        inner.storeLastApplied(index);
    }

    @Override
    public long damagedAcknowledgedIndex()
    {
        return inner.damagedAcknowledgedIndex();
    }

    @Override
    public boolean termAndVoteLost()
    {
        return inner.termAndVoteLost();
    }

    @Override
    public void clearDamage()
    {
        inner.clearDamage();
    }

    @Override
    public byte[] serverConfig()
    {
        return inner.serverConfig();
    }

    @Override
    public void storeServerConfig(final byte[] config)
    {
        inner.storeServerConfig(config);
    }
}

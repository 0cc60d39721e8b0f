package dev.ra.runtime;

import dev.ra.ServerId;
import dev.ra.spi.LogListener;
import dev.ra.spi.LogStore;
import dev.ra.spi.MetaStore;
import dev.ra.spi.ServerStorage;
import dev.ra.spi.SnapshotStore;
import dev.ra.spi.Storage;

/**
 * Storage that lets a test see (and hold up) every term and vote write of its servers before it reaches the wrapped
 * storage; everything else passes through unchanged.
 */
final class TermAndVoteInterceptingStorage extends ForwardingStorage
{
    /** Called on the writing thread before each term and vote write. */
    interface Hook
    {
        /**
         * @param server   whose write it is.
         * @param term     being written.
         * @param votedFor being written, or null.
         */
        void beforeWrite(ServerId server, long term, ServerId votedFor);
    }

    private final Hook hook;

    TermAndVoteInterceptingStorage(final Storage inner, final Hook hook)
    {
        super(inner);
        this.hook = hook;
    }

    @Override
    public ServerStorage open(final ServerId id, final LogListener listener)
    {
        final ServerStorage server = inner.open(id, listener);
        final MetaStore meta = server.meta();
        final MetaStore intercepted = new MetaStore()
        {
            @Override
            public long currentTerm()
            {
                return meta.currentTerm();
            }

            @Override
            public ServerId votedFor()
            {
                return meta.votedFor();
            }

            @Override
            public long lastApplied()
            {
                return meta.lastApplied();
            }

            @Override
            public void storeTermAndVote(final long term, final ServerId votedFor)
            {
                hook.beforeWrite(id, term, votedFor);
                meta.storeTermAndVote(term, votedFor);
            }

            @Override
            public void storeLastApplied(final long index)
            {
                meta.storeLastApplied(index);
            }

            @Override
            public byte[] serverConfig()
            {
                return meta.serverConfig();
            }

            @Override
            public void storeServerConfig(final byte[] config)
            {
                meta.storeServerConfig(config);
            }
        };
        return new ServerStorage()
        {
            @Override
            public LogStore log()
            {
                return server.log();
            }

            @Override
            public MetaStore meta()
            {
                return intercepted;
            }

            @Override
            public SnapshotStore snapshots()
            {
                return server.snapshots();
            }

            @Override
            public void close()
            {
                server.close();
            }
        };
    }
}

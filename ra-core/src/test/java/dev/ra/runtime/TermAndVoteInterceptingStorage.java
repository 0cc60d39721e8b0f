package dev.ra.runtime;

import dev.ra.ServerId;
import dev.ra.spi.LogListener;
import dev.ra.spi.ServerStorage;
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
        return new ServerStorageWithMeta(server, new ForwardingMetaStore(server.meta())
        {
            @Override
            public void storeTermAndVote(final long term, final ServerId votedFor)
            {
                hook.beforeWrite(id, term, votedFor);
                inner.storeTermAndVote(term, votedFor);
            }
        });
    }
}

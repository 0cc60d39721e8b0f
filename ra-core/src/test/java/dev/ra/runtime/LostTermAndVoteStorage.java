package dev.ra.runtime;

import dev.ra.ServerId;
import dev.ra.runtime.memory.InMemoryStorage;
import dev.ra.spi.LogListener;
import dev.ra.spi.ServerStorage;

/** In-memory storage whose servers report their term and vote lost, as ra-log does when both meta files are. */
final class LostTermAndVoteStorage extends ForwardingStorage
{
    LostTermAndVoteStorage()
    {
        super(new InMemoryStorage());
    }

    @Override
    public ServerStorage open(final ServerId id, final LogListener listener)
    {
        final ServerStorage server = inner.open(id, listener);
        return new ServerStorageWithMeta(server, new ForwardingMetaStore(server.meta())
        {
            @Override
            public boolean termAndVoteLost()
            {
                return true;
            }
        });
    }
}

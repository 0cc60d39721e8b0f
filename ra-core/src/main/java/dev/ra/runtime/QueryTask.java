package dev.ra.runtime;

import dev.ra.ServerId;
import dev.ra.ServerStoppedException;
import java.util.function.Function;

/**
 * A query to run on a server of this node once it has applied {@code minIndex}.
 *
 * @param query    to run against the machine state.
 * @param minIndex that must be applied first (0 for none).
 * @param minTerm  the entry at {@code minIndex} must have, or 0 for any.
 * @param call     to complete with the result.
 * @param mustWait run when the server has not applied {@code minIndex} yet (see {@link ServerProcess#localQuery}).
 */
record QueryTask(Function<Object, Object> query, long minIndex, long minTerm, ClientCall call, Runnable mustWait)
    implements ServerTask
{
    @Override
    public void run(final ServerProcess server)
    {
        server.localQuery(query, minIndex, minTerm, call, mustWait);
    }

    @Override
    public void rejected(final ServerId server)
    {
        call.future.completeExceptionally(new ServerStoppedException("server " + server + " is stopped"));
    }
}

package dev.ra.runtime;

import dev.ra.ServerId;
import dev.ra.protocol.ServerRequest;

/**
 * A call waiting in a server's mailbox.
 *
 * @param request what is asked.
 * @param origin  where the answer goes.
 */
record CallTask(ServerRequest request, CallOrigin origin) implements ServerTask
{
    @Override
    public void run(final ServerProcess server)
    {
        server.call(request, origin);
    }

    @Override
    public void rejected(final ServerId server)
    {
        origin.noServer(server);
    }
}

package dev.ra.runtime;

import dev.ra.ServerId;
import dev.ra.protocol.ServerRequest;

/**
 * A call waiting in a server's mailbox.
 *
 * @param request what is asked.
 * @param origin  where the answer goes.
 * @param counted what the server's {@link QueuedCommands} counted for the command it carries, uncounted as the loop
 *                takes it (0 for a call that carries none).
 */
record CallTask(ServerRequest request, CallOrigin origin, long counted) implements ServerTask
{
    @Override
    public void run(final ServerProcess server)
    {
        server.takenFromMailbox(counted);
        server.call(request, origin);
    }

    @Override
    public void rejected(final ServerId server)
    {
        origin.noServer(server);
    }
}

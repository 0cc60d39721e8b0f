package dev.ra.runtime;

import dev.ra.ServerId;

/**
 * Work for a server that is not a Raft event (a client call, a query, a stop), run on its event loop in mailbox order.
 */
interface ServerTask
{
    /**
     * @param server the server, on its event loop.
     */
    void run(ServerProcess server);

    /**
     * The server stopped before it could run this: a task someone waits for answers at once, instead of leaving it to
     * a timeout. Any thread.
     *
     * @param server that stopped.
     */
    default void rejected(final ServerId server)
    {
    }

    /**
     * @param queued what was left in a stopped server's mailbox: a task is {@linkplain #rejected rejected}, an event
     *               dropped.
     * @param server that stopped.
     */
    static void reject(final Object queued, final ServerId server)
    {
        if (queued instanceof ServerTask task)
        {
            task.rejected(server);
        }
    }
}

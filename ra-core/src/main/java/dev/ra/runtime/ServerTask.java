package dev.ra.runtime;

/**
 * Work for a server that is not a Raft event (a client call, a query, a stop), run on its event loop in mailbox order.
 */
interface ServerTask
{
    /**
     * @param server the server, on its event loop.
     */
    void run(ServerProcess server);
}

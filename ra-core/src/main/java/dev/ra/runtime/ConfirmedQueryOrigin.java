package dev.ra.runtime;

import dev.ra.ServerId;
import dev.ra.core.CallError;
import dev.ra.core.MachineFailure;
import dev.ra.protocol.ServerRequest;

/**
 * The read index of a {@link ServerRequest.ConfirmedNamedQuery}, registered in the server's ledger as a
 * {@link ServerRequest.ReadIndex} with {@code confirmLeadership} is: when the core has confirmed the leadership with
 * a heartbeat round sent after the query arrived and reports the read index, the query runs on this server once it has
 * applied that index ({@link ParkedQueries}), and its answer goes to the caller as a {@link ServerRequest.NamedQuery}'s
 * does. Anything else (a redirect when the server does not lead or loses its leadership, a stop) goes to the caller
 * as it would for a read index. Called on the server's event loop.
 */
final class ConfirmedQueryOrigin implements CallOrigin
{
    private final ServerProcess server;
    private final ServerRequest.ConfirmedNamedQuery query;
    private final CallOrigin caller;

    /**
     * @param server that takes the query.
     * @param query  to run once the read index is known.
     * @param caller where the answer goes.
     */
    ConfirmedQueryOrigin(final ServerProcess server, final ServerRequest.ConfirmedNamedQuery query,
        final CallOrigin caller)
    {
        this.server = server;
        this.query = query;
        this.caller = caller;
    }

    /**
     * @param value the read index: the leader's applied index once its leadership was confirmed.
     */
    @Override
    public void ok(final Object value, final ServerId leader)
    {
        server.queries.namedQuery(server.core, server.core.effectiveMachine(),
            new ServerRequest.NamedQuery(query.name(), query.argument(), (Long)value), caller);
    }

    @Override
    public void redirect(final ServerId leaderHint)
    {
        caller.redirect(leaderHint);
    }

    @Override
    public void failed(final CallError error, final ServerId leaderHint, final String detail)
    {
        caller.failed(error, leaderHint, detail);
    }

    @Override
    public void commandFailed(final MachineFailure failure, final ServerId leader)
    {
        caller.commandFailed(failure, leader);
    }

    @Override
    public void noServer(final ServerId server)
    {
        caller.noServer(server);
    }

    @Override
    public void stopped(final ServerId server, final Throwable cause)
    {
        caller.stopped(server, cause);
    }
}

package dev.ra.runtime;

import dev.ra.ServerId;
import dev.ra.protocol.ServerRequest;

/**
 * The read index of a {@link ServerRequest.ConfirmedNamedQuery}, registered in the server's ledger as a
 * {@link ServerRequest.ReadIndex} with {@code confirmLeadership} is: when the core has confirmed the leadership with
 * a heartbeat round sent after the query arrived and reports the read index, the query runs on this server once it has
 * applied that index ({@link ParkedQueries}), and its answer goes to the caller as a {@link ServerRequest.NamedQuery}'s
 * does. Anything else (a redirect when the server does not lead or loses its leadership, a stop) goes to the caller
 * as it would for a read index. Called on the server's event loop.
 */
final class ConfirmedQueryOrigin extends ForwardingCallOrigin
{
    private final ServerProcess server;
    private final ServerRequest.ConfirmedNamedQuery query;

    /**
     * @param server that takes the query.
     * @param query  to run once the read index is known.
     * @param caller where the answer goes.
     */
    ConfirmedQueryOrigin(final ServerProcess server, final ServerRequest.ConfirmedNamedQuery query,
        final CallOrigin caller)
    {
        super(caller);
        this.server = server;
        this.query = query;
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
}

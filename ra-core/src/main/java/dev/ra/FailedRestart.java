package dev.ra;

import java.util.Objects;

/**
 * A server stored on this node that does not run because its restart failed: when the node started (see
 * {@link RaSystemBuilder#restartStoredServers}) or by {@link RaSystem#restartServer}. Its machine may not be
 * registered here, its storage may be damaged, its machine's {@code init} may have thrown: its cluster runs without
 * it until it is restarted ({@link RaSystem#restartServer}) or deleted ({@link RaSystem#forceDeleteServer}).
 *
 * @param server the server, hosted by this node.
 * @param reason why it could not be restarted: the message of the failure, naming what and where.
 */
public record FailedRestart(ServerId server, String reason)
{
    /**
     * Requires both (not null).
     */
    public FailedRestart
    {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(reason, "reason");
    }
}

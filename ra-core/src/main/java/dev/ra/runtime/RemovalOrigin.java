package dev.ra.runtime;

import dev.ra.ServerId;
import dev.ra.core.CallError;
import dev.ra.core.MachineFailure;
import java.util.function.Consumer;

/**
 * The origin of a remove-member call on the leader: once the removal is committed (the call succeeds), the removed
 * member is retired. A removed member hears nothing more from the leader, so without being told it would run on as a
 * follower of the old configuration, and come back as one whenever its node restarts its stored servers.
 */
final class RemovalOrigin implements CallOrigin
{
    private final CallOrigin origin;
    private final ServerId removed;
    private final Consumer<ServerId> retire;

    /**
     * @param origin  of the call, answered first.
     * @param removed the member being removed.
     * @param retire  stops the removed member and deletes its data.
     */
    RemovalOrigin(final CallOrigin origin, final ServerId removed, final Consumer<ServerId> retire)
    {
        this.origin = origin;
        this.removed = removed;
        this.retire = retire;
    }

    @Override
    public void ok(final Object value, final ServerId leader)
    {
        origin.ok(value, leader);
        retire.accept(removed);
    }

    @Override
    public void redirect(final ServerId leaderHint)
    {
        origin.redirect(leaderHint);
    }

    @Override
    public void failed(final CallError error, final ServerId leaderHint, final String detail)
    {
        origin.failed(error, leaderHint, detail);
    }

    @Override
    public void commandFailed(final MachineFailure failure, final ServerId leader)
    {
        origin.commandFailed(failure, leader);
    }

    @Override
    public void noServer(final ServerId server)
    {
        origin.noServer(server);
    }

    @Override
    public void stopped(final ServerId server, final Throwable cause)
    {
        origin.stopped(server, cause);
    }
}

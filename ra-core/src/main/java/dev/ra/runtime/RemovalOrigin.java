package dev.ra.runtime;

import dev.ra.ServerId;
import java.util.function.Consumer;

/**
 * The origin of a remove-member call on the leader: once the removal is committed (the call succeeds), the removed
 * member is retired. A removed member hears nothing more from the leader, so without being told it would run on as a
 * follower of the old configuration, and come back as one whenever its node restarts its stored servers.
 */
final class RemovalOrigin extends ForwardingCallOrigin
{
    private final ServerId removed;
    private final Consumer<ServerId> retire;

    /**
     * @param origin  of the call, answered first.
     * @param removed the member being removed.
     * @param retire  stops the removed member and deletes its data.
     */
    RemovalOrigin(final CallOrigin origin, final ServerId removed, final Consumer<ServerId> retire)
    {
        super(origin);
        this.removed = removed;
        this.retire = retire;
    }

    @Override
    public void ok(final Object value, final ServerId leader)
    {
        caller.ok(value, leader);
        retire.accept(removed);
    }
}

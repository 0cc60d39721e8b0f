package dev.ra.runtime;

import dev.ra.ServerId;
import dev.ra.codec.Codec;
import dev.ra.core.CallError;
import dev.ra.core.MachineFailure;

/**
 * A call's origin that passes every answer on to the origin it wraps; a subclass changes only what it adds to (such as
 * what happens on success), so that no answer is lost on the way.
 */
abstract class ForwardingCallOrigin implements CallOrigin
{
    /** Where every answer the subclass does not take goes. */
    protected final CallOrigin caller;

    /**
     * @param caller the origin to pass answers on to.
     */
    ForwardingCallOrigin(final CallOrigin caller)
    {
        this.caller = caller;
    }

    @Override
    public void ok(final Object value, final ServerId leader)
    {
        caller.ok(value, leader);
    }

    @Override
    public void applied(final Object reply, final Codec<Object> replyCodec, final ServerId leader)
    {
        caller.applied(reply, replyCodec, leader);
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
    public void deleted(final ServerId server, final String reason, final ServerId memberAfter)
    {
        caller.deleted(server, reason, memberAfter);
    }

    @Override
    public void stopped(final ServerId server, final Throwable cause)
    {
        caller.stopped(server, cause);
    }
}

package dev.ra.runtime;

import dev.ra.ServerId;
import dev.ra.codec.Bytes;
import dev.ra.codec.Codec;
import dev.ra.core.CallError;
import dev.ra.protocol.NodeMessage;
import dev.ra.protocol.NodeMessage.CallReply;
import dev.ra.protocol.NodeMessage.CallStatus;

/**
 * The caller of a {@link NodeMessage.ServerCall} lives on another node: answers go back as {@link CallReply}s.
 */
final class RemoteOrigin implements CallOrigin
{
    private final RaRuntime runtime;
    private final String node;
    private final long callId;
    private final Codec<Object> valueCodec;

    RemoteOrigin(final RaRuntime runtime, final String node, final long callId, final Codec<Object> valueCodec)
    {
        this.runtime = runtime;
        this.node = node;
        this.callId = callId;
        this.valueCodec = valueCodec;
    }

    @Override
    public void ok(final Object value, final ServerId leader)
    {
        reply(CallStatus.OK, Bytes.wrap(valueCodec.toBytes(value)), leader, null, "");
    }

    @Override
    public void redirect(final ServerId leaderHint)
    {
        reply(CallStatus.REDIRECT, Bytes.EMPTY, leaderHint, null, "");
    }

    @Override
    public void failed(final CallError error, final ServerId leaderHint)
    {
        reply(CallStatus.FAILED, Bytes.EMPTY, leaderHint, error, "");
    }

    @Override
    public void noServer(final ServerId server)
    {
        reply(CallStatus.NO_SERVER, Bytes.EMPTY, null, null, "no server " + server + " runs on " + runtime.nodeId());
    }

    @Override
    public void stopped(final ServerId server, final Throwable cause)
    {
        reply(CallStatus.STOPPED, Bytes.EMPTY, null, null, "server " + server + " stopped" +
            (null == cause ? "" : ": " + cause));
    }

    private void reply(final CallStatus status, final Bytes value, final ServerId leader, final CallError error,
        final String message)
    {
        runtime.transport().send(node, new CallReply(callId, status, value, leader, error, message));
    }
}

package dev.ra.runtime;

import dev.ra.ServerId;
import dev.ra.codec.BufferWriter;
import dev.ra.codec.Bytes;
import dev.ra.codec.Codec;
import dev.ra.codec.CodecException;
import dev.ra.codec.Codecs;
import dev.ra.core.CallError;
import dev.ra.core.MachineFailure;
import dev.ra.protocol.NodeMessage;
import dev.ra.protocol.NodeMessage.CallReply;
import dev.ra.protocol.NodeMessage.CallStatus;
import dev.ra.spi.Transport;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The caller of a {@link NodeMessage.ServerCall} lives on another node: answers go back as {@link CallReply}s.
 */
final class RemoteOrigin implements CallOrigin
{
    private static final Logger LOG = LoggerFactory.getLogger(RemoteOrigin.class);
    /** Room left in a message for a reply's envelope (call id, status, leader, message). */
    private static final int REPLY_ENVELOPE_BYTES = 64 * 1024;
    /**
     * The codec of the values of the runtime's own replies (members, indexes, a machine's failure, named query
     * results, all plain values): bytes from another node naming any enum or record class fail as undecodable before
     * the class is loaded.
     */
    static final Codec<Object> PLAIN_VALUES = Codecs.generic(new Class<?>[0]);

    private final Transport transport;
    private final String localNode;
    private final String node;
    private final long callId;

    RemoteOrigin(final Transport transport, final String localNode, final String node, final long callId)
    {
        this.transport = transport;
        this.localNode = localNode;
        this.node = node;
        this.callId = callId;
    }

    /**
     * @return the caller's node.
     */
    String node()
    {
        return node;
    }

    @Override
    public void ok(final Object value, final ServerId leader)
    {
        send(value, PLAIN_VALUES, leader);
    }

    @Override
    public void applied(final Object reply, final Codec<Object> replyCodec, final ServerId leader)
    {
        send(reply, replyCodec, leader);
    }

    private void send(final Object value, final Codec<Object> valueCodec, final ServerId leader)
    {
        final byte[] encoded;
        try
        {
            encoded = valueCodec.toBytes(value);
        }
        catch (final RuntimeException ex)
        {
            // The machine's reply codec cannot encode this reply: only this caller is affected. The command is applied,
            // so it is told so (and not left to time out).
            LOG.warn("{}: the reply to call {} from node {} cannot be encoded: {}", localNode, callId, node,
                ex.toString());
            reply(CallStatus.FAILED, Bytes.EMPTY, leader, CallError.REPLY_NOT_ENCODABLE, "the reply (a " +
                (null == value ? "null" : value.getClass().getName()) + ") cannot be encoded by the machine's " +
                "reply codec: " + ex);
            return;
        }
        final int limit = transport.maxMessageBytes();
        if (encoded.length > limit - REPLY_ENVELOPE_BYTES)
        {
            // The transport would drop it, leaving the caller to its timeout.
            LOG.warn("{}: the reply to call {} from node {} is too large to send: {} bytes", localNode, callId,
                node, encoded.length);
            reply(CallStatus.FAILED, Bytes.EMPTY, leader, CallError.REPLY_NOT_ENCODABLE, "the reply of " +
                encoded.length + " bytes (encoded) exceeds the transport's message limit of " + limit + " bytes");
            return;
        }
        reply(CallStatus.OK, Bytes.wrap(encoded), leader, null, "");
    }

    @Override
    public void redirect(final ServerId leaderHint)
    {
        reply(CallStatus.REDIRECT, Bytes.EMPTY, leaderHint, null, "");
    }

    @Override
    public void failed(final CallError error, final ServerId leaderHint, final String detail)
    {
        reply(CallStatus.FAILED, Bytes.EMPTY, leaderHint, error, detail);
    }

    @Override
    public void commandFailed(final MachineFailure failure, final ServerId leader)
    {
        reply(CallStatus.FAILED, encodeFailure(failure), leader, CallError.COMMAND_FAILED, String.valueOf(
            failure.message()));
    }

    /**
     * The failure travels in the reply's value, encoded with the generic codec: index, exception class, and the
     * message as a list of zero or one string (it may be null).
     */
    static Bytes encodeFailure(final MachineFailure failure)
    {
        // The machine's message may quote anything: made encodable, since this runs on the server's loop.
        return Bytes.wrap(PLAIN_VALUES.toBytes(Arrays.asList(failure.index(), failure.exceptionClass(),
            null == failure.message() ? List.of() : List.of(BufferWriter.wellFormed(failure.message())))));
    }

    /**
     * @param value encoded by {@link #encodeFailure}.
     * @return the failure.
     */
    @SuppressWarnings("unchecked")
    static MachineFailure decodeFailure(final Bytes value)
    {
        final Object decoded = PLAIN_VALUES.fromBytes(value.unsafeArray());
        try
        {
            final List<Object> fields = (List<Object>)decoded;
            final List<Object> message = (List<Object>)fields.get(2);
            return new MachineFailure("apply", ((Number)fields.get(0)).longValue(), (String)fields.get(1),
                message.isEmpty() ? null : (String)message.get(0));
        }
        catch (final ClassCastException | IndexOutOfBoundsException | NullPointerException ex)
        {
            throw new CodecException("a machine's failure is not in its form (index, class, message): " + decoded, ex);
        }
    }

    @Override
    public void noServer(final ServerId server)
    {
        reply(CallStatus.NO_SERVER, Bytes.EMPTY, null, null, "no server " + server + " runs on " + localNode);
    }

    /**
     * Sent as {@link CallStatus#NO_SERVER} with the error {@link CallError#NOT_MEMBER}, and the member to ask instead
     * in the reply's leader field (which that status left unused): a node of an older release ignores both and takes
     * it as any server that does not run, so no protocol version is needed.
     */
    @Override
    public void deleted(final ServerId server, final String reason, final ServerId memberAfter)
    {
        reply(CallStatus.NO_SERVER, Bytes.EMPTY, memberAfter, CallError.NOT_MEMBER, reason);
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
        transport.send(node, new CallReply(callId, status, value, leader, error, message));
    }
}

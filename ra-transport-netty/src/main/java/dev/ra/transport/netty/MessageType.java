package dev.ra.transport.netty;

import dev.ra.codec.CodecException;

/**
 * The wire code of each kind of {@link dev.ra.protocol.NodeMessage} and {@link dev.ra.protocol.RaftRpc}. Codes are part
 * of the protocol: never renumber one, only add. Each code is checked against the declaration order at class load, so
 * a code cannot be duplicated by accident.
 */
enum MessageType
{
    APPEND_ENTRIES_RPC(1),
    APPEND_ENTRIES_REPLY(2),
    PRE_VOTE_RPC(3),
    PRE_VOTE_REPLY(4),
    REQUEST_VOTE_RPC(5),
    REQUEST_VOTE_REPLY(6),
    HEARTBEAT_RPC(7),
    HEARTBEAT_REPLY(8),
    INSTALL_SNAPSHOT_RPC(9),
    INSTALL_SNAPSHOT_REPLY(10),
    TIMEOUT_NOW_RPC(11),
    SERVER_CALL(12),
    CALL_REPLY(13),
    COMMAND_CAST(14),
    PROCESS_MESSAGE(15),
    APPLIED_NOTICE(16),
    REJECTED_NOTICE(17),
    MONITOR_PROCESS(18),
    DEMONITOR_PROCESS(19),
    PROCESS_DOWN(20),
    SERVER_DOWN(21),
    START_SERVER(22),
    FAILED_NOTICE(23),
    SERVER_DELETED(24);

    private static final MessageType[] BY_CODE = new MessageType[values().length + 1];

    static
    {
        for (final MessageType type : values())
        {
            if (type.code != type.ordinal() + 1)
            {
                throw new IllegalStateException("code of " + type + " must be " + (type.ordinal() + 1));
            }
            BY_CODE[type.code] = type;
        }
    }

    final int code;

    MessageType(final int code)
    {
        this.code = code;
    }

    static MessageType of(final int code)
    {
        if (code <= 0 || code >= BY_CODE.length)
        {
            throw new CodecException("unknown message type " + code);
        }
        return BY_CODE[code];
    }
}

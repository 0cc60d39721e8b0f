package dev.ra.spi;

/**
 * How {@link Transport#sendAndReceiveOnCaller} ended.
 */
public enum CallerReceive
{
    /**
     * Nothing was sent (the transport cannot carry this call on the caller's thread right now): send it the usual
     * way.
     */
    NOT_SENT,

    /**
     * The reply arrived and was handed to the {@link TransportListener} on the calling thread.
     */
    ANSWERED,

    /**
     * The call was sent, then its connection failed before a reply arrived: the node may or may not have acted on it.
     */
    CONNECTION_LOST,

    /**
     * The call was sent, then the node left in order ({@link TransportListener#onNodeLeft}) before answering: it did
     * not act on the call, which may be sent elsewhere.
     */
    NODE_LEFT,

    /**
     * The call was sent and no reply arrived by its deadline; the caller's own timeout reports it.
     */
    DEADLINE_PASSED
}

package dev.ra.transport.netty;

/**
 * A snapshot of a {@link NettyTransport}'s counters since it started.
 *
 * @param messagesSent        messages written to a connection.
 * @param messagesDropped     messages dropped: no connection, queue full, or too big for a frame.
 * @param messagesReceived    messages decoded and handed to the runtime.
 * @param bytesWritten        bytes written to sockets (frames, including heartbeats and handshakes).
 * @param bytesRead           bytes read from sockets.
 * @param flushes             flushes of a connection; each is one gathering write system call (or a few when the
 *                            socket buffer fills), so this approximates write syscalls.
 * @param heartbeatsSent      heartbeat frames written.
 * @param connectionsRefused  connections closed during the handshake (unknown node, wrong deployment, bad TLS, ...).
 * @param framesRejected      connections closed for a malformed, oversized or out-of-protocol frame.
 * @param connectionsOpened   connections that completed the handshake.
 * @param connectionsReplaced established connections closed because another to the same node superseded them: a
 *                            duplicate from a simultaneous dial once quiet, or an older connection its dialer
 *                            abandoned by dialing again.
 * @param callerConnectionsOpened caller connections that completed the handshake, dialed or accepted
 *                            ({@link NettyTransport#sendAndReceiveOnCaller}).
 * @param callsAnsweredOnCaller calls whose answer the calling thread read itself over a caller connection.
 */
public record TransportStats(long messagesSent, long messagesDropped, long messagesReceived, long bytesWritten,
    long bytesRead, long flushes, long heartbeatsSent, long connectionsRefused, long framesRejected,
    long connectionsOpened, long connectionsReplaced, long callerConnectionsOpened, long callsAnsweredOnCaller)
{
}

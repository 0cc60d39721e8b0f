package dev.ra.transport.netty;

/**
 * A snapshot of what a {@link NettyTransport} exchanged with one other node since it started, for monitoring. The
 * totals over every node are in {@link TransportStats}.
 *
 * @param node              the other node's id.
 * @param messagesSent      messages written to its connection.
 * @param bytesWritten      bytes written to its connections, heartbeats and handshakes included.
 * @param messagesReceived  messages read from it and handed to the runtime (peer and caller connections).
 * @param bytesRead         bytes read from its connections, handshakes and heartbeats included.
 * @param messagesDropped   messages to it dropped: no connection, queue full, or not encodable in a frame.
 * @param connectionsOpened connections to it that completed the handshake: the first one and every reconnect.
 * @param queued            messages waiting in its outbound queue now.
 * @param up                whether the node is up now (connected; reported to the runtime as up).
 * @param protocolVersion   the protocol version agreed with it on the connection in use (or last in use); 0 before
 *                          the first (see docs/UPGRADES.md).
 * @param versionRefusal    why no connection to it can be made (the two nodes have no protocol version in common,
 *                          both ranges named), or null.
 * @param duplicateRefusal  the last refusal, within the last minute, of a connection because two running processes
 *                          claim this node id (the node's or this one's: node id, runs and both addresses named), or
 *                          null.
 */
public record PeerStats(String node, long messagesSent, long bytesWritten, long messagesReceived, long bytesRead,
    long messagesDropped, long connectionsOpened, int queued, boolean up, int protocolVersion, String versionRefusal,
    String duplicateRefusal)
{
}

package dev.ra.transport.netty;

import dev.ra.ServerId;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Immutable settings of a {@link NettyTransport}; built with {@link #builder()}, validated in
 * {@link Builder#build()}.
 *
 * <p>Who may connect: the nodes in {@link Builder#peer peers} (whose addresses this node dials) and the node ids in
 * {@link Builder#allowNode allowed nodes} (clients that dial in, e.g. a node hosting no member). A handshake from any
 * other node id, or for another deployment ({@link Builder#clusterId}), is refused.
 */
public final class NettyTransportConfig
{
    /**
     * The largest {@link Builder#maxFrameBytes} taken: larger, the limit plus the frame's header overflowed an int, and
     * a node so configured refused every frame as too long, its handshakes first.
     */
    static final int MAX_FRAME_BYTES = 1 << 30;

    final String clusterId;
    final InetSocketAddress listenAddress;
    final Map<String, InetSocketAddress> peers;
    final Set<String> allowedNodes;
    final Duration heartbeatInterval;
    final Duration failureTimeout;
    final Duration connectTimeout;
    final Duration handshakeTimeout;
    final Duration reconnectBackoffMin;
    final Duration reconnectBackoffMax;
    final int maxFrameBytes;
    final int maxQueuedMessagesPerPeer;
    final int ioThreads;
    final boolean preferNativeTransport;
    final boolean callerConnections;
    final TlsConfig tls;
    /** The newest protocol version this node claims: {@link ProtocolVersions#NEWEST} but in tests. */
    final int newestProtocol;

    private NettyTransportConfig(final Builder b)
    {
        clusterId = b.clusterId;
        listenAddress = b.listenAddress;
        peers = Map.copyOf(b.peers);
        allowedNodes = Set.copyOf(b.allowedNodes);
        heartbeatInterval = b.heartbeatInterval;
        failureTimeout = b.failureTimeout;
        connectTimeout = b.connectTimeout;
        handshakeTimeout = b.handshakeTimeout;
        reconnectBackoffMin = b.reconnectBackoffMin;
        reconnectBackoffMax = b.reconnectBackoffMax;
        maxFrameBytes = b.maxFrameBytes;
        maxQueuedMessagesPerPeer = b.maxQueuedMessagesPerPeer;
        ioThreads = b.ioThreads;
        preferNativeTransport = b.preferNativeTransport;
        callerConnections = b.callerConnections;
        tls = b.tls;
        newestProtocol = b.newestProtocol;
    }

    /**
     * @return a builder with production defaults: heartbeat every 500 ms, failure after 5 s of silence, 16 MiB frames,
     *         16384 queued messages per peer, reconnect backoff from 100 ms to 2 s, no TLS.
     */
    public static Builder builder()
    {
        return new Builder();
    }

    /**
     * @return identity of the deployment, checked in every handshake.
     */
    public String clusterId()
    {
        return clusterId;
    }

    /**
     * @return the address to listen on (port 0 picks a free port).
     */
    public InetSocketAddress listenAddress()
    {
        return listenAddress;
    }

    /**
     * @return the peers this node dials, by node id.
     */
    public Map<String, InetSocketAddress> peers()
    {
        return peers;
    }

    /**
     * Builds a {@link NettyTransportConfig}. Not thread safe.
     */
    public static final class Builder
    {
        private String clusterId = "ra";
        private InetSocketAddress listenAddress = new InetSocketAddress("127.0.0.1", 0);
        private final Map<String, InetSocketAddress> peers = new LinkedHashMap<>();
        private final Set<String> allowedNodes = new LinkedHashSet<>();
        private Duration heartbeatInterval = Duration.ofMillis(500);
        private Duration failureTimeout = Duration.ofSeconds(5);
        private Duration connectTimeout = Duration.ofSeconds(2);
        private Duration handshakeTimeout = Duration.ofSeconds(5);
        private Duration reconnectBackoffMin = Duration.ofMillis(100);
        private Duration reconnectBackoffMax = Duration.ofSeconds(2);
        private int maxFrameBytes = 16 * 1024 * 1024;
        private int maxQueuedMessagesPerPeer = 16_384;
        private int ioThreads = 2;
        private boolean preferNativeTransport = true;
        private boolean callerConnections = true;
        private TlsConfig tls;
        private int newestProtocol = ProtocolVersions.NEWEST;

        private Builder()
        {
        }

        /**
         * @param clusterId identity of the deployment; nodes of another deployment are refused.
         * @return this builder.
         */
        public Builder clusterId(final String clusterId)
        {
            this.clusterId = Objects.requireNonNull(clusterId, "clusterId");
            return this;
        }

        /**
         * @param address to listen on; port 0 picks a free port ({@link NettyTransport#localAddress()}).
         * @return this builder.
         */
        public Builder listenAddress(final InetSocketAddress address)
        {
            this.listenAddress = Objects.requireNonNull(address, "address");
            return this;
        }

        /**
         * A node this node connects to (and accepts connections from).
         *
         * @param nodeId  of the peer.
         * @param address where it listens; one made from a host name has the name looked up again at each dial, so
         *                that a node replaced at another address under the same name is found there.
         * @return this builder.
         * @throws IllegalArgumentException for port 0, where no node can be dialled.
         */
        public Builder peer(final String nodeId, final InetSocketAddress address)
        {
            Objects.requireNonNull(nodeId, "nodeId");
            if (0 == Objects.requireNonNull(address, "address").getPort())
            {
                // Port 0 is "any free port" to a listener: the peer would be dialled there for ever, in vain.
                throw new IllegalArgumentException("peer " + nodeId + ": port 0 cannot be dialled, give the port " +
                    "it listens on (" + address + ")");
            }
            peers.put(requireNodeId(nodeId, "peer '" + nodeId + "' at " + address), address);
            return this;
        }

        /**
         * A node id allowed to connect without an address known here (a client node hosting no member).
         *
         * @param nodeId allowed.
         * @return this builder.
         */
        public Builder allowNode(final String nodeId)
        {
            Objects.requireNonNull(nodeId, "nodeId");
            allowedNodes.add(requireNodeId(nodeId, "allowed node '" + nodeId + "'"));
            return this;
        }

        /**
         * @param interval between heartbeats on a connection that has sent nothing else meanwhile.
         * @return this builder.
         */
        public Builder heartbeatInterval(final Duration interval)
        {
            this.heartbeatInterval = positive(interval, "heartbeatInterval");
            return this;
        }

        /**
         * @param timeout of silence after which a connection is closed and its node reported down.
         * @return this builder.
         */
        public Builder failureTimeout(final Duration timeout)
        {
            this.failureTimeout = positive(timeout, "failureTimeout");
            return this;
        }

        /**
         * @param timeout of a TCP connect.
         * @return this builder.
         */
        public Builder connectTimeout(final Duration timeout)
        {
            this.connectTimeout = positive(timeout, "connectTimeout");
            return this;
        }

        /**
         * @param timeout for the TLS and node handshakes of a new connection.
         * @return this builder.
         */
        public Builder handshakeTimeout(final Duration timeout)
        {
            this.handshakeTimeout = positive(timeout, "handshakeTimeout");
            return this;
        }

        /**
         * @param min first delay before reconnecting.
         * @param max largest delay (it doubles, with jitter, after each failure).
         * @return this builder.
         */
        public Builder reconnectBackoff(final Duration min, final Duration max)
        {
            this.reconnectBackoffMin = positive(min, "min");
            this.reconnectBackoffMax = positive(max, "max");
            return this;
        }

        /**
         * @param bytes largest frame accepted or sent; a bigger one closes the connection (inbound) or is dropped
         *              (outbound). From 1024 to 1 GiB: a frame, with its header and length prefix, must fit in one
         *              array and one buffer, whose sizes are ints.
         * @return this builder.
         */
        public Builder maxFrameBytes(final int bytes)
        {
            if (bytes < 1024 || bytes > MAX_FRAME_BYTES)
            {
                throw new IllegalArgumentException("maxFrameBytes must be from 1024 to " + MAX_FRAME_BYTES +
                    " (1 GiB), got " + bytes);
            }
            this.maxFrameBytes = bytes;
            return this;
        }

        /**
         * @param messages queued per peer before new ones are dropped (and counted).
         * @return this builder.
         */
        public Builder maxQueuedMessagesPerPeer(final int messages)
        {
            if (messages < 1)
            {
                throw new IllegalArgumentException("maxQueuedMessagesPerPeer must be positive");
            }
            this.maxQueuedMessagesPerPeer = messages;
            return this;
        }

        /**
         * @param threads of the I/O event loop group (default 2). Unless the node is built with
         *                {@code useTransportThreads(false)}, its event loops, and so its servers, run on these threads
         *                too (see {@link dev.ra.spi.LoopHost}); a node with one event loop then wants one I/O thread,
         *                so that every connection is served by the thread its servers run on.
         * @return this builder.
         */
        public Builder ioThreads(final int threads)
        {
            if (threads < 1)
            {
                throw new IllegalArgumentException("ioThreads must be positive");
            }
            this.ioThreads = threads;
            return this;
        }

        /**
         * @param prefer whether to use native epoll when available (NIO otherwise).
         * @return this builder.
         */
        public Builder preferNativeTransport(final boolean prefer)
        {
            this.preferNativeTransport = prefer;
            return this;
        }

        /**
         * @param enabled whether a thread that waits for a call's answer (a synchronous {@code processCommand}) sends
         *                the call and reads the answer itself over a connection of its own, a plain blocking socket
         *                (see {@link NettyTransport#sendAndReceiveOnCaller}); on by default, ignored with TLS.
         * @return this builder.
         */
        public Builder callerConnections(final boolean enabled)
        {
            this.callerConnections = enabled;
            return this;
        }

        /**
         * Test hook, not visible outside this package: the node claims no protocol version newer than this one in
         * its handshakes, as a node of an older release does, so that tests can mix versions in one JVM.
         *
         * @param newest version, from {@link ProtocolVersions#OLDEST} to {@link ProtocolVersions#NEWEST}.
         * @return this builder.
         */
        Builder newestProtocolForTests(final int newest)
        {
            if (newest < ProtocolVersions.OLDEST || newest > ProtocolVersions.NEWEST)
            {
                throw new IllegalArgumentException("protocol version " + newest + " is not spoken by this release");
            }
            this.newestProtocol = newest;
            return this;
        }

        /**
         * @param tls mutual TLS settings, or null for plaintext.
         * @return this builder.
         */
        public Builder tls(final TlsConfig tls)
        {
            this.tls = tls;
            return this;
        }

        /**
         * @return the validated configuration.
         */
        public NettyTransportConfig build()
        {
            if (failureTimeout.compareTo(heartbeatInterval.multipliedBy(2)) < 0)
            {
                throw new IllegalArgumentException("failureTimeout " + failureTimeout +
                    " must be at least twice the heartbeat interval " + heartbeatInterval);
            }
            if (reconnectBackoffMax.compareTo(reconnectBackoffMin) < 0)
            {
                throw new IllegalArgumentException("reconnect backoff max below min");
            }
            return new NettyTransportConfig(this);
        }

        /**
         * A node id no node can have (a blank left at the end of a line of a settings file, an {@code @}) would be
         * kept and never match the node that connects: refused with the rules every node id follows, which are the
         * ones a {@link ServerId} checks.
         */
        private static String requireNodeId(final String nodeId, final String what)
        {
            try
            {
                return new ServerId("peer", nodeId).node();
            }
            catch (final IllegalArgumentException ex)
            {
                throw new IllegalArgumentException(what + ": " + ex.getMessage(), ex);
            }
        }

        private static Duration positive(final Duration d, final String what)
        {
            Objects.requireNonNull(d, what);
            if (d.isNegative() || d.isZero())
            {
                throw new IllegalArgumentException(what + " must be positive, got " + d);
            }
            return d;
        }
    }
}

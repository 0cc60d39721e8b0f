package dev.ra.transport.netty;

import dev.ra.RaException;
import dev.ra.protocol.NodeMessage;
import dev.ra.spi.CallerReceive;
import dev.ra.spi.LoopHost;
import dev.ra.spi.PeerFeature;
import dev.ra.spi.RateLimitedWarnings;
import dev.ra.spi.Transport;
import dev.ra.spi.TransportListener;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetSocketAddress;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Transport} between the nodes of a deployment over TCP (Netty; native epoll when available, NIO
 * otherwise).
 *
 * <p><b>Connections.</b> One connection per pair of nodes carries every server of every cluster. Both nodes dial a
 * peer whose address they know (the one with the larger id a little later); when two connections between the same
 * pair complete anyway, both ends send on the one dialed by the node with the smaller id, so the pair agrees without
 * further coordination. The other is not torn down at once, since the peer may still be sending on it: it is closed
 * once nothing has arrived on it for the failure timeout ({@link PeerConnections}). A node is up while any connection
 * to it is open. A lost connection is re-dialed with exponential backoff and jitter.
 *
 * <p><b>Liveness.</b> A connection that has written nothing for a heartbeat interval writes a heartbeat frame; one
 * that has read nothing for the failure timeout is closed. A node is reported up when a connection to it completes the
 * handshake and down when its last connection closes (a peer process killed on the same host is noticed at once
 * through the reset; a silent one after the failure timeout).
 *
 * <p><b>Sending.</b> {@link #send} never blocks: the message joins the peer's bounded queue and the connection's event
 * loop drains the queue, encoding every queued message into one buffer and flushing once, so a burst of Raft messages
 * costs one system call. A full queue, an unwritable socket that stays so until the queue fills, or no connection at
 * all drops the message and counts it; Raft retries.
 *
 * <p><b>Safety.</b> Frames are length-prefixed and capped; a malformed, oversized or out-of-protocol frame closes that
 * connection with a logged reason and never reaches the runtime. Handshakes state the deployment and node ids; unknown
 * nodes are refused; with {@link TlsConfig} both sides authenticate with certificates bound to their node ids. A
 * second process claiming the id of a running node is refused, told apart by the run in its handshake
 * ({@link DuplicateRuns}).
 *
 * <p>Thread-safe.
 */
public final class NettyTransport implements Transport
{
    private static final Logger LOG = LoggerFactory.getLogger(NettyTransport.class);

    final NettyTransportConfig config;
    final TransportCounters counters = new TransportCounters();
    final RateLimitedWarnings warnings = new RateLimitedWarnings(LOG);
    /** Drains the links' queues into their connections. */
    final LinkWriter writer = new LinkWriter(this);
    private final Map<String, PeerLink> links = new ConcurrentHashMap<>();
    final LinkFaults faults = new LinkFaults(this);
    /** The caller connections other nodes dialed here. */
    final IncomingCallerConnections incomingCallers = new IncomingCallerConnections(links, faults,
        this::isClosed);
    /** Keeps a thread's calls on its caller connections behind what it sent over the peer links. */
    private final CallerOrder callerOrder = new CallerOrder();
    /** The calling threads' own connections ({@link #sendAndReceiveOnCaller}). */
    private final CallerConnectionPool callerConnections = new CallerConnectionPool(this);
    private final TlsContexts tls;
    private final boolean nativeTransport;
    private volatile String localNode;
    private volatile TransportListener listener;
    private volatile boolean closed;
    /** Reports silent nodes, if the runtime asked for it. */
    private volatile SilenceDetector silence;
    private EventLoopGroup group;
    private Channel serverChannel;
    /** Looks up the names peers are given by, at each dial. */
    private final PeerNames peerNames = new PeerNames(() -> localNode);
    /** Dials the peers whose address this node knows, and dials again after a loss. */
    final PeerDialer dialer = new PeerDialer(this, peerNames);
    /** Decides whether a peer's handshake is accepted. */
    final HandshakeRefusal refusals;
    /** This transport's run, sent in its handshakes: tells it from another process claiming its node id. */
    final String run = DuplicateRuns.newRun();
    /** Where this node listens ({@code host:port}, the port bound), sent in its handshakes; set by start. */
    private volatile String listensOn = "";

    /**
     * @param config of the transport.
     */
    public NettyTransport(final NettyTransportConfig config)
    {
        this.config = Objects.requireNonNull(config, "config");
        this.tls = null == config.tls ? null : new TlsContexts(config.tls);
        this.refusals = new HandshakeRefusal(this, tls);
        this.nativeTransport = config.preferNativeTransport && Epoll.isAvailable();
        for (final Map.Entry<String, InetSocketAddress> peer : config.peers.entrySet())
        {
            links.put(peer.getKey(), new PeerLink(peer.getKey(), peer.getValue()));
        }
        for (final String node : config.allowedNodes)
        {
            links.putIfAbsent(node, new PeerLink(node, null));
        }
    }

    /**
     * The I/O threads, lent to the runtime's event loops: a server then runs right after the read that delivered its
     * message and writes its replies without waking another thread.
     */
    @Override
    public synchronized List<LoopHost> loopHosts(final String localNode, final int wanted)
    {
        createGroup(localNode);
        final List<LoopHost> hosts = new ArrayList<>();
        for (final EventExecutor executor : group)
        {
            hosts.add(new IoThreadHost(executor));
        }
        return hosts;
    }

    private synchronized void createGroup(final String localNode)
    {
        if (closed)
        {
            // Threads started now would never be stopped: close() has run, and runs once.
            throw new IllegalStateException("the transport of node " + localNode +
                " was closed: it cannot start again");
        }
        if (null == group)
        {
            final IoHandlerFactory io = nativeTransport ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
            group = new MultiThreadIoEventLoopGroup(config.ioThreads,
                new NamedThreadFactory("ra-" + localNode + "-net"), io);
        }
    }

    /** One I/O thread, as lent to an event loop. */
    private record IoThreadHost(EventExecutor executor) implements LoopHost
    {
        @Override
        public boolean inLoop()
        {
            return executor.inEventLoop();
        }

        @Override
        public void execute(final Runnable task)
        {
            executor.execute(task);
        }

        @Override
        public void schedule(final Runnable task, final long delayNanos)
        {
            executor.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void reportSilenceAfter(final Duration after)
    {
        if (after.isNegative() || after.isZero())
        {
            throw new IllegalArgumentException("silence must be positive, got " + after);
        }
        silence = new SilenceDetector(after.toNanos());
    }

    /** @return the interval at which a connection that wrote nothing else writes a heartbeat. */
    long heartbeatIntervalNanos()
    {
        final SilenceDetector detector = silence;
        final long configured = config.heartbeatInterval.toNanos();
        return null == detector ? configured : detector.heartbeatIntervalNanos(configured);
    }

    /** @return {@link #heartbeatIntervalNanos()} in milliseconds rounded up, as the handshake says it. */
    long heartbeatIntervalMillis()
    {
        return TimeUnit.NANOSECONDS.toMillis(heartbeatIntervalNanos() + TimeUnit.MILLISECONDS.toNanos(1) - 1);
    }

    /**
     * A frame arrived from a node over an established peer connection (on its event loop).
     */
    void heard(final String node, final long nowNanos)
    {
        final PeerLink link = null == silence ? null : links.get(node);
        if (null != link)
        {
            SilenceDetector.heard(link, nowNanos, listener);
        }
    }

    @Override
    public void start(final String localNode, final TransportListener listener)
    {
        this.localNode = Objects.requireNonNull(localNode, "localNode");
        this.listener = Objects.requireNonNull(listener, "listener");
        links.remove(localNode);
        createGroup(localNode);
        final Class<? extends ServerChannel> serverType =
            nativeTransport ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        final Class<? extends SocketChannel> clientType =
            nativeTransport ? EpollSocketChannel.class : NioSocketChannel.class;
        final WriteBufferWaterMark waterMark = new WriteBufferWaterMark(1024 * 1024, 4 * 1024 * 1024);
        final ServerBootstrap server = new ServerBootstrap().group(group).channel(serverType)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, waterMark)
            .childHandler(new ChannelInitializer<SocketChannel>()
            {
                @Override
                protected void initChannel(final SocketChannel ch)
                {
                    initPipeline(ch, new ConnectionHandler(NettyTransport.this, true, null), null);
                }
            });
        final Bootstrap bootstrap = new Bootstrap().group(group).channel(clientType)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.WRITE_BUFFER_WATER_MARK, waterMark)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int)config.connectTimeout.toMillis());
        dialer.start(group, bootstrap);
        try
        {
            serverChannel = server.bind(config.listenAddress).sync().channel();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted binding " + config.listenAddress, ex);
        }
        catch (final Exception ex)
        {
            // Netty rethrows the bind's checked IOException undeclared; the caller gets a RaException naming what
            // failed and where, and no I/O thread of this transport is left running.
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
            group = null;
            // An unresolvable host fails with an UnresolvedAddressException, which has no message.
            final String why = ex instanceof UnresolvedAddressException ? "the host could not be resolved" :
                String.valueOf(ex.getMessage());
            throw new RaException("node " + localNode + " cannot listen on " +
                config.listenAddress.getHostString() + ":" + config.listenAddress.getPort() + ": " + why, ex);
        }
        listensOn = config.listenAddress.getHostString() + ":" + localAddress().getPort();
        LOG.info("{}: listening on {} ({}, {})", localNode, serverChannel.localAddress(),
            nativeTransport ? "epoll" : "nio", null == tls ? "plaintext" : "mutual TLS");
        for (final PeerLink link : links.values())
        {
            if (null != link.address)
            {
                // The larger id waits a little, so that usually only the smaller id's dial happens.
                dialer.schedule(link, localNode.compareTo(link.node) < 0 ? 0 : config.reconnectBackoffMin.toMillis());
            }
        }
        final SilenceDetector detector = silence;
        if (null != detector)
        {
            detector.start(group.next(), links.values(), listener);
        }
        if (config.callerConnections && null == tls)
        {
            final long interval = config.heartbeatInterval.toNanos();
            group.next().scheduleAtFixedRate(callerConnections::reapIdle, interval, interval,
                TimeUnit.NANOSECONDS);
        }
    }

    void initPipeline(final SocketChannel ch, final ConnectionHandler handler, final PeerLink target)
    {
        final boolean dialedHere = null != target;
        final ChannelPipeline pipeline = ch.pipeline();
        if (null != tls)
        {
            final SslHandler ssl = dialedHere ?
                tls.client.newHandler(ch.alloc(), target.address.getHostString(), target.address.getPort()) :
                tls.server.newHandler(ch.alloc());
            ssl.setHandshakeTimeoutMillis(config.handshakeTimeout.toMillis());
            pipeline.addLast("tls", ssl);
        }
        pipeline.addLast("frames", new FrameDecoder(config.maxFrameBytes));
        pipeline.addLast("connection", handler);
    }

    /**
     * @return the address this node listens on (useful with port 0).
     */
    public InetSocketAddress localAddress()
    {
        return (InetSocketAddress)serverChannel.localAddress();
    }

    /**
     * @return whether native epoll is used (else NIO).
     */
    public boolean usesNativeTransport()
    {
        return nativeTransport;
    }

    /**
     * @return the counters since start.
     */
    public TransportStats stats()
    {
        return counters.snapshot();
    }

    /** @return per other node, by node id: what was exchanged with it since start, its queue, whether it is up. */
    public Map<String, PeerStats> peerStats()
    {
        return PeerCounters.snapshot(links.values());
    }

    String localNode()
    {
        return localNode;
    }

    /** @return where this node listens, as configured with the port bound ({@code host:port}). */
    String listensOn()
    {
        return listensOn;
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Sending

    @Override
    public void send(final String node, final NodeMessage message)
    {
        final PeerLink link = links.get(node);
        if (null != link && message instanceof NodeMessage.CallReply reply && !link.callerChannels.isEmpty())
        {
            final Channel caller = link.callerChannels.remove(reply.callId());
            if (null != caller)
            {
                CallerReplies.write(this, caller, reply, node);
                return;
            }
        }
        if (null == link)
        {
            counters.messagesDropped.increment();
            return;
        }
        // The queue is read before the connection: if the node goes down in between, the message lands in the queue
        // that down discarded, and is dropped below instead of waiting there for the next connection.
        final OutboundQueue queue = link.outbound;
        if (null == link.active || closed)
        {
            counters.messagesDropped.increment();
            link.counters.messagesDropped.increment();
            return;
        }
        if (queue.size.incrementAndGet() > config.maxQueuedMessagesPerPeer)
        {
            queue.size.decrementAndGet();
            counters.messagesDropped.increment();
            link.counters.messagesDropped.increment();
            return;
        }
        queue.messages.add(message);
        if (queue != link.outbound)
        {
            // The node went down since the queue was read: what was queued for it then is dropped, this too.
            writer.discard(link, queue);
            return;
        }
        if (config.callerConnections && null == tls)
        {
            callerOrder.sentOnPeerLink(node, message);
        }
        writer.scheduleDrain(link);
    }

    /**
     * Count a message to a node dropped, in the totals and in that node's own statistics.
     */
    void countDropped(final String node)
    {
        counters.messagesDropped.increment();
        final PeerLink link = links.get(node);
        if (null != link)
        {
            link.counters.messagesDropped.increment();
        }
    }

    /**
     * Hand the listener a message as if from the node (an answer the transport gives in the node's place).
     */
    void deliverLocally(final String node, final NodeMessage message)
    {
        final TransportListener current = listener;
        if (null != current && !closed)
        {
            current.onMessage(node, message);
        }
    }

    /** The socket accepts writes again: resume draining. */
    void onWritable(final String node)
    {
        final PeerLink link = links.get(node);
        if (null != link)
        {
            writer.scheduleDrain(link);
        }
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Caller connections

    /**
     * Send the call over this thread's own connection to the node (dialed on first use, a plain blocking socket) and
     * read the answer on this thread. Nothing crosses to an I/O thread on this node: the calling thread writes the
     * request and is the one woken by the answer, as with a blocking client. The node's peer link is untouched.
     * Falls back ({@link CallerReceive#NOT_SENT}) with TLS, when disabled, when the node is not reachable over its
     * peer link, and when the node cannot be dialed or refuses (then for a while).
     */
    @Override
    public CallerReceive sendAndReceiveOnCaller(final String node, final NodeMessage.ServerCall call,
        final long deadlineNanos)
    {
        final PeerLink link = links.get(node);
        if (!config.callerConnections || null != tls || closed || null == link || null == link.address ||
            null == link.active || faults.isBlocked(node) ||
            link.callerConnectionsRefusedUntilNanos - System.nanoTime() > 0 ||
            callerOrder.mustFollowPeerLink(node))
        {
            return CallerReceive.NOT_SENT;
        }
        return callerConnections.call(link, call, deadlineNanos);
    }

    /** @return caller connections this node has open (tests). */
    int openCallerConnectionCount()
    {
        return callerConnections.openCount();
    }

    /**
     * The frame limit ({@link NettyTransportConfig.Builder#maxFrameBytes}): the runtime keeps commands under half of it
     * and AppendEntries messages under it, so that no replication message is ever dropped for its size.
     */
    @Override
    public int maxMessageBytes()
    {
        return config.maxFrameBytes;
    }

    @Override
    public boolean isReachable(final String node)
    {
        final PeerLink link = links.get(node);
        return null != link && null != link.active;
    }

    /** From the protocol version agreed on the connection in use to the node ({@link ProtocolVersions#supports}). */
    @Override
    public boolean supports(final String node, final PeerFeature feature)
    {
        final PeerLink link = links.get(node);
        return null != link && ProtocolVersions.supports(link.protocol.agreed(), feature);
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Connections

    /**
     * A connection completed its handshake with {@code node}: it becomes the active one unless the preferred one is
     * open (then it is a standby), and closes an older one dialed by the same node (see {@link PeerConnections}).
     * The first one reports the node up; one that replaces an older one reports it down and up again.
     *
     * @param claim the handshake the node sent on it (its run: a connection to another run of the node is closed if
     *              silent, and this one refused if not, see {@link DuplicateRuns}).
     * @return true if the connection was kept; false if this transport is closed, the node blocked, or another run
     *         of it connected and heard from.
     */
    boolean attach(final String node, final Channel channel, final boolean dialedByLocal, final Handshake claim)
    {
        final PeerLink link = links.get(node);
        if (null == link)
        {
            return false;
        }
        final boolean dialedBySmaller = dialedByLocal == (localNode.compareTo(node) < 0);
        final List<Channel> abandoned;
        Channel fence = null;
        synchronized (link)
        {
            // Under the monitor close() and block() take to find the connections to close (each after changing its
            // state): a connection is either found there or refused here, never kept unseen by a closed transport or
            // open to a blocked node.
            if (closed || faults.isBlocked(node))
            {
                return false;
            }
            // Checked at the handshake already, again here where connections are added: two runs whose handshakes
            // crossed must not both be kept.
            final String duplicate = DuplicateRuns.conflict(localNode, link, claim, channel, System.nanoTime(),
                config);
            if (null != duplicate)
            {
                counters.connectionsRefused.increment();
                link.duplicates.log(localNode, duplicate, claim.run());
                return false;
            }
            final Channel previous = link.active;
            // A connection to another run of the node, silent (else refused above): that run is gone.
            abandoned = link.connections.add(channel, dialedBySmaller,
                older -> DuplicateRuns.ofAnotherRun(older, claim.run()), System.nanoTime());
            link.left = false;
            link.active = link.connections.active();
            link.protocol.agreed(ConnectionHandler.protocolOf(link.active));
            if (abandoned.contains(link.fenced))
            {
                link.fenced = null;
            }
            if (null != previous && previous != link.active && !abandoned.contains(previous) &&
                ConnectionHandler.protocolOf(previous) >= ProtocolVersions.SWITCH_FENCE)
            {
                // What was written on the previous one may still be unread there: nothing goes on the new one until
                // the node has read up to the FENCE (none on a connection of an older version, which has no FENCE).
                fence = previous;
                link.fenced = previous;
            }
            link.backoffMs = 0;
            link.attached(System.nanoTime());
            counters.connectionsOpened.increment();
            link.counters.connectionsOpened.increment();
            if (link.connections.size() == 1)
            {
                LOG.info("{}: connected to {} ({})", localNode, node, channel.remoteAddress());
            }
            else
            {
                LOG.info("{}: {} connections to {} (both dialed); sending on the one dialed by {}, the other closes " +
                    "once quiet", localNode, link.connections.size(), node,
                    localNode.compareTo(node) < 0 ? localNode : node);
            }
            if (!abandoned.isEmpty())
            {
                // Its dialer dialed again, which it does only once it has lost every connection to this node (or it
                // restarted): whatever was in flight on the older one is lost with it. Reported once the new one is
                // the active one, so that what the runtime sends on hearing of it goes there.
                connectionLost(link);
            }
            if (!link.reportedUp)
            {
                link.reportedUp = true;
                // Reported under the monitor, so that the runtime sees up and down in the order they happened.
                listener.onNodeUp(node);
            }
        }
        for (final Channel older : abandoned)
        {
            counters.connectionsReplaced.increment();
            LOG.info("{}: closing the older connection {} to {}: its dialer started a new one, or {} restarted",
                localNode, older.remoteAddress(), node, node);
            older.close();
        }
        if (null != fence)
        {
            ConnectionHandler.writeFence(fence);
        }
        writer.scheduleDrain(link);
        return true;
    }

    /** The node answered the FENCE written on {@code channel}: what was queued meanwhile goes on the active one. */
    void fenceRead(final String node, final Channel channel)
    {
        final PeerLink link = links.get(node);
        if (null == link)
        {
            return;
        }
        synchronized (link)
        {
            if (link.fenced != channel)
            {
                return;
            }
            link.fenced = null;
        }
        writer.scheduleDrain(link);
    }

    /**
     * A connection closed. If it was the active one a standby takes over; if it was the last one the node is down
     * until another completes its handshake.
     */
    void detach(final String node, final Channel channel)
    {
        final PeerLink link = null == node ? null : links.get(node);
        if (null == link)
        {
            return;
        }
        final PeerConnections.Removal removal;
        boolean unfenced = false;
        synchronized (link)
        {
            removal = link.connections.remove(channel);
            link.active = link.left ? null : link.connections.active();
            if (null != link.active)
            {
                link.protocol.agreed(ConnectionHandler.protocolOf(link.active));
            }
            if (null != link.fenced && (link.fenced == channel || link.fenced == link.active || null == link.active))
            {
                link.fenced = null;
                if (removal == PeerConnections.Removal.STANDBY)
                {
                    // Closed before the node read up to its FENCE: what was written there may be lost.
                    connectionLost(link);
                    unfenced = true;
                }
            }
            if (removal == PeerConnections.Removal.HANDED_OVER)
            {
                connectionLost(link);
            }
            else if (removal == PeerConnections.Removal.LAST)
            {
                link.downs++;
                writer.discardQueue(link);
                // Down supersedes silent; the next connection starts heard.
                link.silent = false;
                if (link.reportedUp && !closed)
                {
                    link.reportedUp = false;
                    listener.onNodeDown(node);
                }
            }
        }
        if (removal == PeerConnections.Removal.HANDED_OVER || unfenced)
        {
            LOG.info("{}: a connection to {} closed; carrying on over the other one", localNode, node);
            writer.scheduleDrain(link);
        }
        else if (removal == PeerConnections.Removal.LAST && !closed)
        {
            LOG.info("{}: lost the connection to {}", localNode, node);
            dialer.schedule(link, config.reconnectBackoffMin.toMillis());
        }
    }

    /**
     * Under the link's monitor: a connection this node sent on (or its dialer abandoned) is gone, with whatever was in
     * flight on it, while another connection to the node is open. The node is reported down and at once up again, as
     * if its last connection had closed and another had opened: the runtime then fails the calls that awaited an
     * answer sent on it (instead of letting them wait for their timeout), and monitors learn that messages may have
     * been lost. What is still queued is dropped, as at any down: the other connection may reach a restarted run of
     * the node (one that dialed again while a half-open connection to its old run was still open here), which must
     * not get messages meant for the previous one.
     */
    private void connectionLost(final PeerLink link)
    {
        if (closed)
        {
            return;
        }
        writer.discardQueue(link);
        if (!link.reportedUp)
        {
            return;
        }
        link.downs++;
        link.silent = false;
        listener.onNodeDown(link.node);
        listener.onNodeUp(link.node);
    }

    /**
     * The node said GOODBYE: it is down from now on, reported as having left, and its connections are closed.
     */
    void peerLeft(final String node)
    {
        final PeerLink link = links.get(node);
        if (null == link)
        {
            return;
        }
        final List<Channel> open;
        synchronized (link)
        {
            link.left = true;
            link.active = null;
            link.fenced = null;
            link.downs++;
            link.silent = false;
            writer.discardQueue(link);
            if (link.reportedUp && !closed)
            {
                link.reportedUp = false;
                listener.onNodeLeft(node);
            }
            open = link.connections.all();
        }
        LOG.info("{}: {} left", localNode, node);
        for (final Channel channel : open)
        {
            channel.close();
        }
    }

    /**
     * Whether an established connection is a standby that has been quiet long enough to close (runs on its event
     * loop at every heartbeat tick).
     */
    boolean isRetirable(final String node, final Channel channel, final long lastMessageNanos, final long nowNanos)
    {
        final PeerLink link = links.get(node);
        if (null == link)
        {
            return false;
        }
        synchronized (link)
        {
            // Not while this node waits there for the node to read up to its FENCE.
            return channel != link.fenced && link.connections.isRetirable(channel, lastMessageNanos, nowNanos,
                config.failureTimeout.toNanos());
        }
    }

    boolean hostsMembers(final String node)
    {
        final PeerLink link = links.get(node);
        return null != link && null != link.address;
    }

    PeerLink link(final String node)
    {
        return links.get(node);
    }

    /** @return whether a peer connection to the node is established (a closing transport says GOODBYE there). */
    boolean hasPeerConnection(final String node)
    {
        final PeerLink link = links.get(node);
        return null != link && !connectionsTo(link).isEmpty();
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Fault injection (tests)

    /**
     * Fault injection for tests: cut this node off from {@code node} in both directions, as a refused connection
     * would. The connection is closed, no new one is dialed or accepted, messages to it are dropped; both sides see
     * each other down. Only this node needs to be told.
     *
     * @param node to cut off.
     */
    public void block(final String node)
    {
        faults.block(node);
    }

    /**
     * Undo {@link #block} for one node; the connection is re-established.
     *
     * @param node to reconnect.
     */
    public void unblock(final String node)
    {
        faults.unblock(node);
    }

    /**
     * Fault injection for tests: drop, unread, every frame arriving from {@code node} once connected, heartbeats
     * included, as a network silently losing packets; connections stay up. Mute on both sides to cut both ways.
     *
     * @param node whose frames to drop.
     */
    public void mute(final String node)
    {
        faults.mute(node);
    }

    /**
     * Undo {@link #mute} for one node.
     *
     * @param node whose frames to read again.
     */
    public void unmute(final String node)
    {
        faults.unmute(node);
    }

    static List<Channel> connectionsTo(final PeerLink link)
    {
        synchronized (link)
        {
            return link.connections.all();
        }
    }

    /**
     * @return whether {@link #close()} was called.
     */
    public boolean isClosed()
    {
        return closed;
    }

    TransportListener listener()
    {
        return listener;
    }

    /**
     * The I/O threads: a callback of a call runs there when the system was built with
     * {@code useTransportThreads(false)}.
     */
    @Override
    public boolean onTransportThread()
    {
        return OrderlyLeave.onIoThread(group);
    }

    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        // Called on one of its own I/O threads (from a callback, or a server hosted there), the transport must not
        // wait for what that very thread has to do (unbind, say goodbye, end): it starts all that and returns.
        final boolean onIoThread = OrderlyLeave.onIoThread(group);
        if (null != serverChannel)
        {
            final ChannelFuture unbound = serverChannel.close();
            if (!onIoThread)
            {
                unbound.awaitUninterruptibly(1, TimeUnit.SECONDS);
            }
        }
        final List<Channel> leaving = OrderlyLeave.leave(this, links.values(), group);
        callerConnections.closeAll();
        peerNames.close();
        if (null != group && onIoThread)
        {
            OrderlyLeave.shutDownOnceClosed(leaving, group);
        }
        else if (null != group)
        {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }
}

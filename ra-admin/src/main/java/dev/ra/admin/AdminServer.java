package dev.ra.admin;

import dev.ra.RaSystem;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.FastThreadLocalThread;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin endpoint of a node: a small HTTP/1.1 server (Netty, no servlet container) with
 * <ul>
 *   <li>{@code GET /metrics}: the Prometheus text exposition of a {@link PrometheusMeterRegistry};</li>
 *   <li>{@code GET /status}: JSON of every server running on the node and of each of its clusters as the node sees
 *       them;</li>
 *   <li>{@code GET /health}: {@code 200 {"ready":true}} once every local server knows a leader and every server
 *       stored here runs, else 503 (with {@code "failedRestarts":N} when N stored servers did not restart);</li>
 *   <li>{@code GET /}: the live view, one page (with its script and style sheet, all in this jar) that polls
 *       {@code /status} twice a second.</li>
 * </ul>
 *
 * <p>It listens on the loopback interface unless told otherwise; binding to any other address requires TLS or a
 * bearer token (or both), and {@link #start()} refuses without. With a token, {@code /metrics}, {@code /status} and
 * {@code /health} answer 401 unless the request carries {@code Authorization: Bearer <token>}; the page and its assets
 * hold no data and are served to anyone (the page reads the token from its URL's fragment, {@code #token=...}).
 *
 * <p>On a loopback address it answers only requests whose {@code Host} is {@code localhost}, a loopback address, the
 * host it binds or a name given with {@link Builder#allowedHosts} (others get 403 saying why): a page of another site
 * open in the operator's browser could otherwise rebind its own name to 127.0.0.1 and read the data (DNS rebinding).
 *
 * <p>Bad requests get a short text answer and never a stack trace: 404 for an unknown path, 405 for a method other
 * than GET or HEAD, 400 for a malformed request, 413 for a body over {@value #MAX_REQUEST_BODY} bytes. Connections
 * idle for {@value #IDLE_SECONDS} s are closed. Status is taken on one thread of its own, at most every
 * {@value #STATUS_CACHE_MILLIS} ms whatever the number of clients, so no client can load the node's servers.
 *
 * <pre>
 * AdminServer admin = AdminServer.builder().system(system).port(9090).build();
 * InetSocketAddress bound = admin.start();
 * ...
 * admin.close();
 * </pre>
 */
public final class AdminServer implements AutoCloseable
{
    static final int MAX_REQUEST_BODY = 16 * 1024;
    static final int IDLE_SECONDS = 60;
    static final long STATUS_CACHE_MILLIS = 200;
    private static final int MAX_INITIAL_LINE = 4096;
    private static final int MAX_HEADERS = 8192;
    private static final int STATUS_QUEUE = 64;
    /**
     * Connections open at once, at most: each holds a file descriptor of the node's process, which its WAL, segments
     * and transport need too.
     */
    static final int MAX_CONNECTIONS = 128;
    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);

    private final RaSystem system;
    private final String host;
    private final int port;
    private final String token;
    private final SslContext tls;
    private final PrometheusMeterRegistry registry;
    private final Predicate<String> reachable;
    private final PeerStatuses peers;
    private final Set<String> allowedHosts;
    private EventLoopGroup group;
    private Channel serverChannel;
    private ThreadPoolExecutor statusThread;
    private StatusSource status;
    private boolean closed;
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicBoolean refusing = new AtomicBoolean();

    private AdminServer(final Builder builder)
    {
        this.system = Objects.requireNonNull(builder.system, "system");
        this.host = builder.host;
        this.port = builder.port;
        this.token = builder.token;
        this.tls = builder.tls;
        this.registry = null != builder.registry ? builder.registry :
            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        this.reachable = builder.reachable;
        this.allowedHosts = Set.copyOf(builder.allowedHosts);
        this.peers = new PeerStatuses(builder.peers, builder.token, builder.peerTimeout, builder.peerTrust);
    }

    /**
     * @return a builder; {@link Builder#system} is required.
     */
    public static Builder builder()
    {
        return new Builder();
    }

    /**
     * The registry whose scrape {@code GET /metrics} serves: the one given to the builder, or one of the server's own
     * to bind meters to.
     *
     * @return the registry.
     */
    public PrometheusMeterRegistry meterRegistry()
    {
        return registry;
    }

    /**
     * Bind and serve.
     *
     * @return the address bound (with the port chosen when the port was 0).
     * @throws IllegalStateException if already started or closed, if the host is not a loopback address and
     *                               neither TLS nor a token is set, or if the address cannot be bound (in use, not
     *                               local), naming host and port.
     * @throws IllegalArgumentException if the host cannot be resolved.
     */
    public synchronized InetSocketAddress start()
    {
        if (null != serverChannel)
        {
            throw new IllegalStateException("the admin endpoint already listens on " + serverChannel.localAddress());
        }
        if (closed)
        {
            throw new IllegalStateException("the admin endpoint was closed; build another one");
        }
        final InetAddress address;
        try
        {
            address = InetAddress.getByName(host);
        }
        catch (final UnknownHostException ex)
        {
            throw new IllegalArgumentException("admin endpoint host '" + host + "' cannot be resolved", ex);
        }
        if (!address.isLoopbackAddress() && null == tls && null == token)
        {
            throw new IllegalStateException("the admin endpoint refuses to listen on " + host + ":" + port +
                ", which is not a loopback address, without TLS or a token: set AdminServer.builder().tls(...) " +
                "or .token(...), or bind to 127.0.0.1");
        }
        statusThread = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(STATUS_QUEUE),
            daemonThreads("ra-admin-status"), new ThreadPoolExecutor.AbortPolicy());
        status = new StatusSource(system, reachable, peers, STATUS_CACHE_MILLIS);
        final AdminHandler.Routes routes = new AdminHandler.Routes(token, HostCheck.of(address, host, allowedHosts),
            status, statusThread, registry, StaticAssets.load());
        group = new MultiThreadIoEventLoopGroup(1, daemonThreads("ra-admin-io"), NioIoHandler.newFactory());
        final ServerBootstrap bootstrap = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(new ChannelInitializer<SocketChannel>()
            {
                @Override
                protected void initChannel(final SocketChannel ch)
                {
                    if (!admitted(ch))
                    {
                        return;
                    }
                    if (null != tls)
                    {
                        ch.pipeline().addLast(tls.newHandler(ch.alloc()));
                    }
                    ch.pipeline().addLast(new IdleStateHandler(0, 0, IDLE_SECONDS, TimeUnit.SECONDS))
                        .addLast(new HttpServerCodec(MAX_INITIAL_LINE, MAX_HEADERS, MAX_HEADERS))
                        .addLast(new HttpObjectAggregator(MAX_REQUEST_BODY))
                        .addLast(new AdminHandler(routes));
                }
            });
        try
        {
            serverChannel = bootstrap.bind(new InetSocketAddress(address, port)).sync().channel();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            releaseThreads();
            throw new IllegalStateException("interrupted binding the admin endpoint to " + host + ":" + port, ex);
        }
        catch (final Exception ex)
        {
            // Netty rethrows the bind's checked IOException undeclared.
            releaseThreads();
            throw new IllegalStateException("the admin endpoint cannot listen on " + host + ":" + port + ": " +
                ex.getMessage(), ex);
        }
        return (InetSocketAddress)serverChannel.localAddress();
    }

    /**
     * @return the URL of the live view, e.g. {@code http://127.0.0.1:9090/}, once started.
     */
    public synchronized String url()
    {
        if (null == serverChannel)
        {
            throw new IllegalStateException("the admin endpoint is not started");
        }
        final InetSocketAddress bound = (InetSocketAddress)serverChannel.localAddress();
        final String hostText = bound.getAddress() instanceof Inet6Address ?
            "[" + bound.getAddress().getHostAddress() + "]" : bound.getAddress().getHostAddress();
        return (null == tls ? "http" : "https") + "://" + hostText + ":" + bound.getPort() + "/";
    }

    /**
     * Stop listening, close every connection and release the port. Idempotent; a closed endpoint cannot be started
     * again.
     */
    @Override
    public synchronized void close()
    {
        closed = true;
        if (null != serverChannel)
        {
            serverChannel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
            serverChannel = null;
        }
        releaseThreads();
        peers.close();
    }

    /**
     * @return whether a new connection is served; past {@link #MAX_CONNECTIONS} it is closed at once, so that clients
     *         opening connections without end cannot take the node's file descriptors.
     */
    private boolean admitted(final SocketChannel ch)
    {
        if (connections.incrementAndGet() > MAX_CONNECTIONS)
        {
            connections.decrementAndGet();
            if (!refusing.getAndSet(true))
            {
                LOG.warn("admin endpoint: {} connections are open, the most it serves at once; closing new ones " +
                    "(from {} first) until some close", MAX_CONNECTIONS, ch.remoteAddress());
            }
            ch.close();
            return false;
        }
        refusing.set(false);
        ch.closeFuture().addListener(closed -> connections.decrementAndGet());
        return true;
    }

    private void releaseThreads()
    {
        if (null != group)
        {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
            group = null;
        }
        if (null != statusThread)
        {
            statusThread.shutdownNow();
            statusThread = null;
        }
        if (null != status)
        {
            status.close();
            status = null;
        }
    }

    private static ThreadFactory daemonThreads(final String prefix)
    {
        final AtomicInteger next = new AtomicInteger();
        return task ->
        {
            final Thread thread = new FastThreadLocalThread(task,
                prefix + "-" + next.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /**
     * Settings of an {@link AdminServer}.
     */
    public static final class Builder
    {
        /**
         * The keys {@link #settings} reads: a program that reads a node's settings and serves this endpoint names them
         * as its own to {@code NodeConfig.fromArgs(ownKeys, args)}.
         */
        public static final List<String> SETTINGS = List.of("admin.host", "admin.port", "admin.token",
            "admin.peers", "admin.tls", "admin.hosts");

        private RaSystem system;
        private String host = "127.0.0.1";
        private int port;
        private String token;
        private SslContext tls;
        private PrometheusMeterRegistry registry;
        private Predicate<String> reachable = node -> true;
        private final Map<String, URI> peers = new LinkedHashMap<>();
        private Duration peerTimeout = Duration.ofMillis(800);
        private SSLContext peerTrust;
        private final Set<String> allowedHosts = new LinkedHashSet<>();

        private Builder()
        {
        }

        /**
         * @param system the node whose servers are reported (required).
         * @return this builder.
         */
        public Builder system(final RaSystem system)
        {
            this.system = Objects.requireNonNull(system, "system");
            return this;
        }

        /**
         * @param host to bind: a name or address; default {@code 127.0.0.1}. Anything but a loopback address needs
         *             {@link #tls} or {@link #token}.
         * @return this builder.
         */
        public Builder host(final String host)
        {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /**
         * @param port to bind, 0 (the default) for any free port.
         * @return this builder.
         */
        public Builder port(final int port)
        {
            if (port < 0 || port > 65535)
            {
                throw new IllegalArgumentException("admin port must be 0 to 65535, got " + port);
            }
            this.port = port;
            return this;
        }

        /**
         * @param token the bearer token that {@code /metrics}, {@code /status} and {@code /health} require; also sent
         *              to {@link #peer peers}.
         * @return this builder.
         */
        public Builder token(final String token)
        {
            Objects.requireNonNull(token, "token");
            if (token.isEmpty() || !token.chars().allMatch(c -> c > ' ' && c < 0x7f))
            {
                throw new IllegalArgumentException("admin token must be printable ASCII without spaces");
            }
            this.token = token;
            return this;
        }

        /**
         * @param tls a server TLS context (see {@link AdminTls}) to serve HTTPS.
         * @return this builder.
         */
        public Builder tls(final SslContext tls)
        {
            if (!Objects.requireNonNull(tls, "tls").isServer())
            {
                throw new IllegalArgumentException("the admin endpoint needs a server TLS context");
            }
            this.tls = tls;
            return this;
        }

        /**
         * Names the endpoint answers besides its own, in the {@code Host} header of requests (against DNS rebinding,
         * see the class description): e.g. the name a reverse proxy forwards, or a name of the machine by which an
         * operator opens the live view. On a loopback address the endpoint answers only {@code localhost}, the
         * loopback addresses, the host it binds and these names; on another address, any name unless names are given
         * here. {@code *} answers any name.
         *
         * @param names host names or addresses, without port.
         * @return this builder.
         */
        public Builder allowedHosts(final String... names)
        {
            for (final String name : names)
            {
                if (null == name || name.isEmpty() || !name.chars().allMatch(c -> c > ' ' && c < 0x7f && c != ','))
                {
                    throw new IllegalArgumentException("an allowed host must be a name or address without blanks " +
                        "or commas, got '" + name + "'");
                }
                // The Host header is compared without its port: a name given with one would never match. One colon
                // is a port (an IPv6 address has more, and takes its port after brackets).
                final int colon = name.indexOf(':');
                if ((colon >= 0 && colon == name.lastIndexOf(':')) || (name.startsWith("[") && name.contains("]:")))
                {
                    throw new IllegalArgumentException("an allowed host is a name or address without its port, " +
                        "got '" + name + "'");
                }
                allowedHosts.add(name);
            }
            return this;
        }

        /**
         * @param registry whose scrape {@code GET /metrics} serves; by default one of the server's own.
         * @return this builder.
         */
        public Builder meterRegistry(final PrometheusMeterRegistry registry)
        {
            this.registry = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /**
         * @param reachable whether the transport reaches a node (e.g. {@code NettyTransport::isReachable}): members on
         *                  unreachable nodes are shown as down. By default every node counts as reachable.
         * @return this builder.
         */
        public Builder reachability(final Predicate<String> reachable)
        {
            this.reachable = Objects.requireNonNull(reachable, "reachable");
            return this;
        }

        /**
         * Another node's admin endpoint, asked (in the background, with the timeout of {@link #peerTimeout}) for the
         * numbers of that node's members, which this node cannot see otherwise.
         *
         * @param node    id of the other node.
         * @param baseUrl of its admin endpoint, e.g. {@code http://127.0.0.1:9091/}, or its address behind a reverse
         *                proxy, path included, e.g. {@code https://ops.example/ra/n2/}.
         * @return this builder.
         */
        public Builder peer(final String node, final String baseUrl)
        {
            final URI uri = URI.create(Objects.requireNonNull(baseUrl, "baseUrl"));
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()))
            {
                throw new IllegalArgumentException("peer admin URL must be http or https, got " + baseUrl);
            }
            // http:/host:port/ (one slash short) parses, with no host: no request could ever be made to it.
            if (null == uri.getHost())
            {
                throw new IllegalArgumentException("peer admin URL must name a host (http://host:port/), got " +
                    baseUrl);
            }
            // Under the URL's path, not the root: an endpoint behind a reverse proxy at https://ops.example/ra/n2/
            // (or given without the last slash) is asked at .../ra/n2/status.
            final String path = null == uri.getRawPath() ? "" : uri.getRawPath();
            final URI base = uri.resolve(path.endsWith("/") ? path : path + "/");
            peers.put(Objects.requireNonNull(node, "node"), base.resolve("status?scope=peer"));
            return this;
        }

        /**
         * @param trust what this endpoint trusts when it asks {@link #peer peers} that serve HTTPS (see
         *              {@link AdminTls#peerTrustFromKeyStore}): the deployment's own certificate authority, as the
         *              transport's trust store holds; by default the JDK's, which does not know it.
         * @return this builder.
         */
        public Builder peerTrust(final SSLContext trust)
        {
            this.peerTrust = Objects.requireNonNull(trust, "trust");
            return this;
        }

        /**
         * @param timeout of each request to a peer's admin endpoint (default 800 ms).
         * @return this builder.
         */
        public Builder peerTimeout(final Duration timeout)
        {
            if (timeout.isNegative() || timeout.isZero())
            {
                throw new IllegalArgumentException("peer timeout must be positive, got " + timeout);
            }
            this.peerTimeout = timeout;
            return this;
        }

        /**
         * Apply a node's settings, with the key names of {@code dev.ra.node.NodeConfig}: those of the endpoint,
         *
         * <pre>
         * admin.host=127.0.0.1                          address to bind (default 127.0.0.1)
         * admin.port=9090                               port to bind (default 0: any free port)
         * admin.token=...                               bearer token required for data
         * admin.peers=n2=http://10.0.0.2:9090/,...      other nodes' admin endpoints
         * admin.hosts=ra1.example,...                   names answered besides its own (see allowedHosts)
         * admin.tls=true                                serve HTTPS with the node's own TLS material:
         * </pre>
         *
         * and, with {@code admin.tls=true}, the transport's {@code tls.keystore} and {@code tls.keystore.password}, or
         * {@code tls.cert} and {@code tls.key}. {@code admin.tls} takes {@code true} or {@code false} only; another
         * key starting with {@code admin.} is refused (a misspelled {@code admin.tls} must not serve plain HTTP); keys
         * without that prefix are the node's and are ignored here.
         *
         * @param settings by key.
         * @return this builder.
         * @throws IllegalArgumentException naming the key of a bad value.
         */
        public Builder settings(final Map<String, String> settings)
        {
            for (final String key : settings.keySet())
            {
                if (key.startsWith("admin.") && !SETTINGS.contains(key))
                {
                    throw new IllegalArgumentException("unknown setting " + key + " (the admin endpoint's are " +
                        String.join(", ", SETTINGS) + ")");
                }
            }
            if (settings.containsKey("admin.host"))
            {
                host(settings.get("admin.host").trim());
            }
            if (settings.containsKey("admin.port"))
            {
                try
                {
                    port(Integer.parseInt(settings.get("admin.port").trim()));
                }
                catch (final IllegalArgumentException ex)
                {
                    throw new IllegalArgumentException("admin.port: expected a port from 0 to 65535, got '" +
                        settings.get("admin.port") + "'", ex);
                }
            }
            if (settings.containsKey("admin.token"))
            {
                try
                {
                    token(settings.get("admin.token").trim());
                }
                catch (final IllegalArgumentException ex)
                {
                    throw new IllegalArgumentException("admin.token: " + ex.getMessage(), ex);
                }
            }
            final String peerList = settings.getOrDefault("admin.peers", "").trim();
            for (final String entry : peerList.isEmpty() ? new String[0] : peerList.split(","))
            {
                final int eq = entry.indexOf('=');
                if (eq <= 0)
                {
                    throw new IllegalArgumentException("admin.peers: expected node=url, got '" + entry + "'");
                }
                final String node = entry.substring(0, eq).trim();
                if (peers.containsKey(node))
                {
                    throw new IllegalArgumentException("admin.peers: node " + node + " is named twice");
                }
                try
                {
                    peer(node, entry.substring(eq + 1).trim());
                }
                catch (final IllegalArgumentException ex)
                {
                    throw new IllegalArgumentException("admin.peers: " + ex.getMessage(), ex);
                }
            }
            final String hostList = settings.getOrDefault("admin.hosts", "").strip();
            for (final String name : hostList.isEmpty() ? new String[0] : hostList.split(","))
            {
                try
                {
                    allowedHosts(name.strip());
                }
                catch (final IllegalArgumentException ex)
                {
                    throw new IllegalArgumentException("admin.hosts: " + ex.getMessage(), ex);
                }
            }
            final String tlsSwitch = settings.getOrDefault("admin.tls", "false").trim();
            if (!"true".equalsIgnoreCase(tlsSwitch) && !"false".equalsIgnoreCase(tlsSwitch))
            {
                throw new IllegalArgumentException("admin.tls: expected true or false, got '" + tlsSwitch + "'");
            }
            if (Boolean.parseBoolean(tlsSwitch))
            {
                if (settings.containsKey("tls.keystore"))
                {
                    tls(AdminTls.fromKeyStore(Path.of(stripped(settings, "tls.keystore")),
                        stripped(settings, "tls.keystore.password").toCharArray()));
                }
                else if (settings.containsKey("tls.cert") && settings.containsKey("tls.key"))
                {
                    tls(AdminTls.fromPemFiles(Path.of(stripped(settings, "tls.cert")),
                        Path.of(stripped(settings, "tls.key"))));
                }
                else
                {
                    throw new IllegalArgumentException("admin.tls=true needs the node's TLS material: tls.keystore " +
                        "(with tls.keystore.password), or tls.cert and tls.key");
                }
                // Peers serve HTTPS with the same deployment's certificates: trust what the transport trusts.
                if (settings.containsKey("tls.truststore"))
                {
                    peerTrust(AdminTls.peerTrustFromKeyStore(Path.of(stripped(settings, "tls.truststore")),
                        stripped(settings, "tls.truststore.password").toCharArray()));
                }
                else if (settings.containsKey("tls.trust"))
                {
                    peerTrust(AdminTls.peerTrustFromPem(Path.of(stripped(settings, "tls.trust"))));
                }
            }
            return this;
        }

        /**
         * @return the value of a node setting without the blanks around it, as NodeConfig reads it (a properties file
         *         keeps those after a value), or empty if absent.
         */
        private static String stripped(final Map<String, String> settings, final String key)
        {
            return settings.getOrDefault(key, "").strip();
        }

        /**
         * @return the server, not started.
         */
        public AdminServer build()
        {
            return new AdminServer(this);
        }
    }
}

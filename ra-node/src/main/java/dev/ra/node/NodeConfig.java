package dev.ra.node;

import dev.ra.RaSystem;
import dev.ra.RaSystemBuilder;
import dev.ra.ServerId;
import dev.ra.log.FileStorage;
import dev.ra.log.SyncMethod;
import dev.ra.runtime.memory.InMemoryStorage;
import dev.ra.spi.Storage;
import dev.ra.spi.Transport;
import dev.ra.transport.netty.NettyTransportConfig;
import dev.ra.transport.netty.TlsConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;

/**
 * What {@link NodeLauncher} needs to start one node, read from a properties file and/or {@code key=value} arguments
 * (arguments win). A key not listed below (nor named by the caller as its own: a program that also serves the admin
 * endpoint from the same settings names its keys) is refused, as is a malformed value, naming its key; switches take
 * {@code true} or {@code false} only. Keys:
 *
 * <pre>
 * node.id=n1                                   required; this node's id
 * listen=127.0.0.1:7001                        required; where to listen (host:port)
 * peers=n2=127.0.0.1:7002,n3=127.0.0.1:7003    other nodes hosting members (id=host:port, comma-separated)
 * clients=c1,c2                                node ids allowed to dial in without an address (client nodes)
 * cluster.id=ra                                deployment identity, the same on every node (default "ra")
 * data.dir=/var/lib/ra/n1                      data directory (ra-log FileStorage); absent: in-memory storage
 * fsync=true                                   sync the write-ahead log before acknowledging (default true)
 * machines=kv=com.example.KvMachine            machines by name (name=class with a public no-arg constructor)
 * election.timeout.ms=300-600                  election timeout range (default 300-600)
 * tick.ms=200                                  server tick (default 200)
 * heartbeat.ms=500                             transport heartbeat interval (default 500)
 * failure.timeout.ms=5000                      transport failure detector timeout (default 5000)
 * control=stdin                                read control commands from standard input (tests, operators)
 * tls.keystore=/etc/ra/n1.p12                  mutual TLS from key stores (with the three keys below) ...
 * tls.keystore.password=...
 * tls.truststore=/etc/ra/ca.p12
 * tls.truststore.password=...
 * tls.cert=/etc/ra/n1.pem                      ... or from PEM files (with tls.key and tls.trust)
 * tls.key=/etc/ra/n1.key
 * tls.trust=/etc/ra/ca.pem
 * </pre>
 *
 * <p>Optional tuning, each defaulting to its builder's default ({@link RaSystemBuilder},
 * {@link FileStorage.Builder}, {@link NettyTransportConfig.Builder}):
 *
 * <pre>
 * default.timeout.ms=5000          RaSystem: timeout of calls made without one
 * event.loops=2                    RaSystem: event loop threads
 * min.snapshot.interval=4096       RaSystem: entries between snapshots, at least
 * commit.notice.delay.ms=2         RaSystem: how long a follower's commit index may lag when idle
 * use.transport.threads=true       RaSystem: run servers on the transport's I/O threads
 * max.uncommitted.bytes=67108864   RaSystem: command bytes a leader holds not yet applied before it refuses more
 * wal.max.bytes=...                FileStorage: write-ahead log file size before rolling over
 * segment.max.entries=...          FileStorage: entries per segment file
 * segment.max.bytes=...            FileStorage: bytes per segment file
 * segment.spare.bytes=...          FileStorage: dropped segment files kept to be written over (0: none)
 * max.batch.entries=...            FileStorage: entries per write-ahead log batch
 * open.file.cache=...              FileStorage: segment files kept open
 * last.applied.flush.ms=...        FileStorage: how often the last applied index is stored
 * connect.timeout.ms=...           transport: TCP connect timeout
 * io.threads=...                   transport: I/O threads
 * max.frame.bytes=...              transport: largest frame accepted
 * max.queued.messages=...          transport: messages queued per peer before dropping
 * reconnect.backoff.ms=20-1000     transport: re-dial backoff range
 * caller.connections=true          transport: calls on the calling thread's own connection
 * native.transport=true            transport: epoll when available
 * </pre>
 *
 * @param nodeId            this node's id.
 * @param listen            where to listen.
 * @param peers             other nodes with members, by id.
 * @param clients           node ids allowed to dial in.
 * @param clusterId         deployment identity.
 * @param dataDir           data directory, or null for in-memory storage.
 * @param fsync             whether the write-ahead log is synced before entries count as durable.
 * @param machines          machine class names by registered name.
 * @param electionTimeoutMin lower bound of the election timeout.
 * @param electionTimeoutMax upper bound of the election timeout.
 * @param tick              server tick.
 * @param heartbeat         transport heartbeat interval.
 * @param failureTimeout    transport failure detector timeout.
 * @param stdinControl      whether to read control commands from standard input.
 * @param tls               mutual TLS, or null.
 * @param tuning            optional settings by key (see above).
 */
public record NodeConfig(String nodeId, InetSocketAddress listen, Map<String, InetSocketAddress> peers,
    Set<String> clients, String clusterId, Path dataDir, boolean fsync, Map<String, String> machines,
    Duration electionTimeoutMin, Duration electionTimeoutMax, Duration tick, Duration heartbeat,
    Duration failureTimeout, boolean stdinControl, TlsConfig tls, Map<String, String> tuning)
{
    /** The keys read here (the tuning keys are {@link NodeTuning}'s). */
    static final Set<String> KEYS = Set.of("node.id", "listen", "peers", "clients", "cluster.id", "data.dir", "fsync",
        "machines", "election.timeout.ms", "tick.ms", "heartbeat.ms", "failure.timeout.ms", "control", "tls.keystore",
        "tls.keystore.password", "tls.truststore", "tls.truststore.password", "tls.cert", "tls.key", "tls.trust");
    /** The TLS keys of key stores, and those of PEM files: a node takes one source or the other. */
    private static final List<String> KEY_STORE_KEYS = List.of("tls.keystore",
        "tls.keystore.password", "tls.truststore", "tls.truststore.password");
    private static final List<String> PEM_KEYS = List.of("tls.cert", "tls.key", "tls.trust");
    /** What some editors put at the start of a UTF-8 file. */
    private static final int BYTE_ORDER_MARK = 0xFEFF;
    /**
     * Requires the node id and the listen address (naming the missing key), and copies the peers, clients, machines
     * and tuning so that the configuration cannot change once made.
     */
    public NodeConfig
    {
        Objects.requireNonNull(nodeId, "node.id");
        Objects.requireNonNull(listen, "listen");
        peers = Map.copyOf(peers);
        clients = Set.copyOf(clients);
        machines = Map.copyOf(machines);
        tuning = Map.copyOf(tuning);
    }

    /**
     * Read a configuration: {@code --config file} (or {@code --config=file}, {@code config=file}) loads a properties
     * file, then every {@code key=value} argument overrides it. A key given twice in one file is refused, naming the
     * file.
     *
     * @param args command-line arguments.
     * @return the configuration.
     * @throws IllegalArgumentException for a missing, malformed or unknown setting, naming its key.
     */
    public static NodeConfig fromArgs(final String... args)
    {
        return fromArgs(Set.of(), args);
    }

    /**
     * As {@link #fromArgs(String...)}, for a program that reads settings of its own from the same arguments and file.
     *
     * @param ownKeys keys the caller reads itself: accepted here, not interpreted.
     * @param args    command-line arguments.
     * @return the configuration.
     * @throws IllegalArgumentException for a missing, malformed or unknown setting, naming its key.
     */
    public static NodeConfig fromArgs(final Set<String> ownKeys, final String... args)
    {
        final Properties properties = new Properties();
        properties.putAll(settings(args));
        return fromProperties(properties, ownKeys);
    }

    /**
     * The settings the arguments give, as {@link #fromArgs} reads them: the {@code --config} file's, overridden by
     * each {@code key=value} argument, values without the blanks around them. A program that reads settings of its
     * own beside the node's reads them here, so that they may live in the file as well as on the command line.
     *
     * @param args command-line arguments.
     * @return every setting, by key.
     * @throws IllegalArgumentException for an argument that is not {@code key=value}.
     * @throws UncheckedIOException     for a settings file that cannot be read.
     */
    public static Map<String, String> settings(final String... args)
    {
        final Properties properties = new Properties();
        final Properties overrides = new Properties();
        for (int i = 0; i < args.length; i++)
        {
            final String arg = args[i];
            if ("--config".equals(arg) && i + 1 < args.length)
            {
                load(Path.of(args[++i]), properties);
            }
            else if (arg.startsWith("config=") || arg.startsWith("--config="))
            {
                load(Path.of(arg.substring(arg.indexOf('=') + 1)), properties);
            }
            else
            {
                final int eq = arg.indexOf('=');
                if (eq <= 0)
                {
                    throw new IllegalArgumentException("expected key=value, got '" + arg + "'");
                }
                overrides.setProperty(arg.substring(0, eq).trim(), arg.substring(eq + 1).trim());
            }
        }
        properties.putAll(overrides);
        final Map<String, String> settings = new LinkedHashMap<>();
        properties.stringPropertyNames().forEach(key -> settings.put(key, properties.getProperty(key).strip()));
        return settings;
    }

    private static void load(final Path file, final Properties into)
    {
        // Properties keeps the last of two lines with one key: the first (a data.dir at the top of a long file, one
        // of two peers lines) would be lost unnoticed.
        final Properties loaded = new Properties()
        {
            private static final long serialVersionUID = 1L;

            @Override
            public synchronized Object put(final Object key, final Object value)
            {
                if (containsKey(key))
                {
                    throw new IllegalArgumentException(file + ": " + key + " is given twice; keep one line (a " +
                        "list such as peers goes on one line, comma-separated)");
                }
                return super.put(key, value);
            }
        };
        try (BufferedReader reader = Files.newBufferedReader(file))
        {
            // Some editors start a UTF-8 file with a byte order mark: part of the first key, it made "node.id" an
            // unknown setting, the mark being invisible in the message.
            reader.mark(1);
            if (BYTE_ORDER_MARK != reader.read())
            {
                reader.reset();
            }
            loaded.load(reader);
        }
        catch (final CharacterCodingException ex)
        {
            throw new UncheckedIOException("cannot read " + file + ": it is not UTF-8 text (save it as UTF-8)", ex);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read " + file, ex);
        }
        into.putAll(loaded);
    }

    /**
     * @param p the settings (keys as in the class description).
     * @return the configuration.
     * @throws IllegalArgumentException for a missing, malformed or unknown setting, naming its key.
     */
    public static NodeConfig fromProperties(final Properties p)
    {
        return fromProperties(p, Set.of());
    }

    /**
     * @param settings the settings (keys as in the class description); blanks around a value are not part of it.
     * @param ownKeys  keys the caller reads itself from the same settings: accepted here, not interpreted.
     * @return the configuration.
     * @throws IllegalArgumentException for a missing, malformed or unknown setting, naming its key.
     */
    public static NodeConfig fromProperties(final Properties settings, final Set<String> ownKeys)
    {
        // A properties file keeps the blanks after a value, arguments are trimmed: "data.dir=/var/lib/ra/n1 " must
        // not be another, empty directory, nor "cluster.id=prod " another deployment.
        final Properties p = new Properties();
        settings.stringPropertyNames().forEach(key -> p.setProperty(key, settings.getProperty(key).strip()));
        refuseUnknownKeys(p, ownKeys);
        final String nodeId = required(p, "node.id");
        final InetSocketAddress listen = address("listen", required(p, "listen"));
        final Map<String, InetSocketAddress> peers = new LinkedHashMap<>();
        for (final String entry : list(p.getProperty("peers", "")))
        {
            final int eq = entry.indexOf('=');
            if (eq <= 0)
            {
                throw new IllegalArgumentException("peers: expected id=host:port, got '" + entry + "'");
            }
            final String peer = entry.substring(0, eq).trim();
            // Two addresses for one node: whichever won, the other node would be dialled at the wrong place.
            final InetSocketAddress peerAddress = address("peers", entry.substring(eq + 1).trim());
            if (0 == peerAddress.getPort())
            {
                // Port 0 means "any free port" to listen on: nobody can be dialled there.
                throw new IllegalArgumentException("peers: expected host:port with a port from 1 to 65535 for node " +
                    peer + ", got '" + entry.substring(eq + 1).trim() + "'");
            }
            if (null != peers.put(peer, peerAddress))
            {
                throw new IllegalArgumentException("peers: node " + peer + " is named twice");
            }
        }
        final Map<String, String> machines = new LinkedHashMap<>();
        for (final String entry : list(p.getProperty("machines", "")))
        {
            final int eq = entry.indexOf('=');
            if (eq <= 0)
            {
                throw new IllegalArgumentException("machines: expected name=class, got '" + entry + "'");
            }
            final String name = entry.substring(0, eq).trim();
            if (null != machines.put(name, entry.substring(eq + 1).trim()))
            {
                throw new IllegalArgumentException("machines: machine " + name + " is named twice");
            }
        }
        final String electionTimeout = p.getProperty("election.timeout.ms", "300-600");
        final String[] election = electionTimeout.split("-");
        if (election.length != 2)
        {
            throw new IllegalArgumentException("election.timeout.ms: expected min-max, got '" + electionTimeout + "'");
        }
        final Duration electionMin = millis("election.timeout.ms", election[0], electionTimeout);
        final Duration electionMax = millis("election.timeout.ms", election[1], electionTimeout);
        if (electionMin.toMillis() < 1 || electionMax.compareTo(electionMin) <= 0)
        {
            // Named here: the system's own check would name neither the key nor the value as written.
            throw new IllegalArgumentException("election.timeout.ms: expected min-max with 1 <= min < max, got '" +
                electionTimeout + "'");
        }
        final Duration tick = millis(p, "tick.ms", "200");
        final Duration heartbeat = millis(p, "heartbeat.ms", "500");
        final Duration failureTimeout = millis(p, "failure.timeout.ms", "5000");
        // Checked now by the builders they go to, so that a value out of range is refused naming its key.
        checked(p, "tick.ms", () -> RaSystem.builder().tickInterval(tick));
        checked(p, "heartbeat.ms", () -> NettyTransportConfig.builder().heartbeatInterval(heartbeat));
        checked(p, "failure.timeout.ms", () -> NettyTransportConfig.builder().failureTimeout(failureTimeout));
        final String dataDir = p.getProperty("data.dir");
        // Blank keeps the default, as for every other key: an empty deployment id is refused by every node that
        // leaves cluster.id out.
        final String clusterId = p.getProperty("cluster.id", "");
        return new NodeConfig(nodeId, listen, peers, new LinkedHashSet<>(list(p.getProperty("clients", ""))),
            clusterId.isBlank() ? "ra" : clusterId, null == dataDir || dataDir.isBlank() ? null : Path.of(dataDir),
            bool(p, "fsync", true), machines, electionMin, electionMax, tick, heartbeat, failureTimeout,
            stdinControl(p), tls(p), NodeTuning.read(p));
    }

    private static void checked(final Properties p, final String key, final Runnable check)
    {
        try
        {
            check.run();
        }
        catch (final IllegalArgumentException ex)
        {
            throw NodeTuning.named(key, p.getProperty(key), ex);
        }
    }

    /**
     * A misspelled key would otherwise be ignored, and its default (no data.dir: in-memory storage) silently used.
     */
    private static void refuseUnknownKeys(final Properties p, final Set<String> ownKeys)
    {
        for (final String key : p.stringPropertyNames())
        {
            final boolean tuning = NodeTuning.SYSTEM_KEYS.contains(key) || NodeTuning.STORAGE_KEYS.contains(key) ||
                NodeTuning.TRANSPORT_KEYS.contains(key);
            if (!tuning && !KEYS.contains(key) && !ownKeys.contains(key))
            {
                throw new IllegalArgumentException("unknown setting " + key + " (see NodeConfig for the keys)");
            }
        }
    }

    private static boolean bool(final Properties p, final String key, final boolean defaultValue)
    {
        final String value = p.getProperty(key);
        if (null == value || value.isBlank())
        {
            return defaultValue;
        }
        return NodeTuning.switchValue(key, value.trim());
    }

    private static boolean stdinControl(final Properties p)
    {
        final String value = p.getProperty("control");
        if (null == value || value.isBlank())
        {
            return false;
        }
        if (!"stdin".equals(value.trim()))
        {
            throw new IllegalArgumentException("control: expected stdin, got '" + value + "'");
        }
        return true;
    }

    private static TlsConfig tls(final Properties p)
    {
        // Any TLS key asks for TLS: one given without the key that selects its source (tls.trust without tls.cert,
        // say) must not leave the node talking plain TCP unnoticed.
        final boolean keyStores = KEY_STORE_KEYS.stream().anyMatch(p::containsKey);
        final boolean pemFiles = PEM_KEYS.stream().anyMatch(p::containsKey);
        if (keyStores && pemFiles)
        {
            // Only one could be used, and the node would not say which.
            throw new IllegalArgumentException(String.join(", ", given(p, KEY_STORE_KEYS)) + " and " +
                String.join(", ", given(p, PEM_KEYS)) + ": give key stores (tls.keystore, tls.truststore) or PEM " +
                "files (tls.cert, tls.key, tls.trust), not both");
        }
        if (keyStores)
        {
            return TlsConfig.fromKeyStores(Path.of(required(p, "tls.keystore")),
                p.getProperty("tls.keystore.password", "").toCharArray(),
                Path.of(required(p, "tls.truststore")), p.getProperty("tls.truststore.password", "").toCharArray());
        }
        if (pemFiles)
        {
            return TlsConfig.fromPemFiles(Path.of(required(p, "tls.cert")), Path.of(required(p, "tls.key")),
                Path.of(required(p, "tls.trust")));
        }
        return null;
    }

    private static List<String> given(final Properties p, final List<String> keys)
    {
        return keys.stream().filter(p::containsKey).toList();
    }

    private static String required(final Properties p, final String key)
    {
        final String value = p.getProperty(key);
        if (null == value || value.isBlank())
        {
            throw new IllegalArgumentException("missing setting " + key);
        }
        return value.trim();
    }

    private static java.util.List<String> list(final String value)
    {
        final java.util.List<String> out = new java.util.ArrayList<>();
        for (final String part : value.split(","))
        {
            if (!part.isBlank())
            {
                out.add(part.trim());
            }
        }
        return out;
    }

    private static Duration millis(final Properties p, final String key, final String defaultValue)
    {
        final String value = p.getProperty(key);
        return millis(key, null == value || value.isBlank() ? defaultValue : value, value);
    }

    private static Duration millis(final String key, final String number, final String setting)
    {
        final long millis;
        try
        {
            millis = Long.parseLong(number.trim());
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(key + ": expected milliseconds as a whole number, got '" + setting +
                "'", ex);
        }
        return NodeTuning.countable(key, millis, setting);
    }

    /**
     * @param key      of the setting, for the message.
     * @param hostPort like {@code 127.0.0.1:7001}.
     * @return the address.
     */
    static InetSocketAddress address(final String key, final String hostPort)
    {
        final int colon = hostPort.lastIndexOf(':');
        if (colon <= 0)
        {
            throw new IllegalArgumentException(key + ": expected host:port, got '" + hostPort + "'");
        }
        int port = -1;
        try
        {
            port = Integer.parseInt(hostPort.substring(colon + 1));
        }
        catch (final NumberFormatException ex)
        {
            // Refused below with the others.
        }
        if (port < 0 || port > 65535)
        {
            throw new IllegalArgumentException(key + ": expected host:port with a port from 0 to 65535, got '" +
                hostPort + "'");
        }
        return new InetSocketAddress(hostPort.substring(0, colon), port);
    }

    /**
     * Open the storage this configuration implies: ra-log's {@link FileStorage} in {@code data.dir}, synced before
     * acknowledging unless {@code fsync=false} and tuned by the storage keys; in memory without a {@code data.dir}.
     *
     * @return the storage, open; the caller closes it.
     * @throws IllegalArgumentException for a storage setting out of range, naming its key, or a {@code data.dir}
     *                                  holding servers of another node than {@code node.id}, naming them, or one
     *                                  that is not a directory, is a link to nothing, or is not empty and holds no
     *                                  Ra data, naming it.
     * @throws IllegalStateException    for a {@code data.dir} whose write-ahead log recovery refuses to skip damage
     *                                  (no server could be opened), naming the file and offset.
     */
    public Storage openStorage()
    {
        if (null == dataDir)
        {
            return new InMemoryStorage();
        }
        DataDirectoryCheck.check(nodeId, dataDir);
        final FileStorage.Builder builder = NodeTuning.storage(tuning, FileStorage.builder().directory(dataDir)
            .syncMethod(fsync ? SyncMethod.DATASYNC : SyncMethod.NONE));
        final FileStorage storage;
        try
        {
            storage = builder.build();
        }
        catch (final IllegalArgumentException ex)
        {
            throw NodeTuning.namedStorageSetting(ex, tuning);
        }
        if (null != storage.recoveryFailure())
        {
            // Every server's open would be refused: a node started on it runs none of them yet says it is ready.
            storage.close();
            throw new IllegalStateException("data.dir " + dataDir + ": the write-ahead log cannot be recovered: " +
                storage.recoveryFailure() + " (ra-tool verify lists the damage; docs/log-format.md, \"Damaged " +
                "storage\")");
        }
        refuseServersOfAnotherNode(storage);
        return storage;
    }

    /**
     * A system restarts only the stored servers of its own node: on a directory another node wrote (a copied settings
     * file, a node.id typo, two nodes' directories swapped) it would run none of them and still start, and their
     * clusters would miss a member with nothing saying why.
     */
    private void refuseServersOfAnotherNode(final Storage storage)
    {
        final List<ServerId> foreign = storage.servers().stream()
            .filter(server -> !server.node().equals(nodeId)).toList();
        if (!foreign.isEmpty())
        {
            storage.close();
            throw new IllegalArgumentException("data.dir " + dataDir + " holds servers of another node " + foreign +
                ", not of node.id " + nodeId + ": give this node its own data.dir, or the node.id of the node " +
                "that wrote it");
        }
    }

    /**
     * Give a system builder this node's id, election timeout, tick and {@link RaSystem} tuning (which wins over what
     * the builder holds), and its transport and storage; the caller registers machines and builds.
     *
     * @param builder   a new builder, possibly holding the caller's own defaults.
     * @param transport of the node.
     * @param storage   of the node.
     * @return the builder.
     */
    public RaSystemBuilder applyTo(final RaSystemBuilder builder, final Transport transport, final Storage storage)
    {
        return NodeTuning.system(tuning, builder.nodeId(nodeId).transport(transport).storage(storage)
            .electionTimeout(electionTimeoutMin, electionTimeoutMax).tickInterval(tick));
    }

    /**
     * @return the transport settings this configuration implies.
     */
    public NettyTransportConfig transportConfig()
    {
        final NettyTransportConfig.Builder builder = NettyTransportConfig.builder().clusterId(clusterId)
            .listenAddress(listen).heartbeatInterval(heartbeat).failureTimeout(failureTimeout).tls(tls);
        peers.forEach(builder::peer);
        clients.forEach(builder::allowNode);
        return NodeTuning.transport(tuning, builder).build();
    }
}

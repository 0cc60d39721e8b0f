package dev.ra.examples.demo;

import dev.ra.RaSystem;
import dev.ra.admin.AdminServer;
import dev.ra.ServerId;
import dev.ra.examples.group.GroupMachine;
import dev.ra.examples.kv.KvClient;
import dev.ra.examples.kv.KvMachine;
import dev.ra.examples.lease.Lease;
import dev.ra.examples.lease.LessorHost;
import dev.ra.examples.leader.Companion;
import dev.ra.examples.leader.CompanionHost;
import dev.ra.examples.leader.FollowTheLeaderMachine;
import dev.ra.examples.lock.LockMachine;
import dev.ra.examples.sessionlock.SessionLockMachine;
import dev.ra.examples.support.ReleaseCursorPolicy;
import dev.ra.examples.tasks.TaskQueueMachine;
import dev.ra.examples.tree.CreateMode;
import dev.ra.examples.tree.TreeClient;
import dev.ra.examples.tree.TreeMachine;
import dev.ra.examples.tree.TreeReply;
import dev.ra.log.FileStorage;
import dev.ra.metrics.RaMetrics;
import dev.ra.node.NodeConfig;
import dev.ra.node.NodeControl;
import dev.ra.node.NodeJvm;
import dev.ra.node.NodeLauncher;
import dev.ra.spi.Storage;
import dev.ra.transport.netty.NettyTransport;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One node of the distributed toolbox: a {@link RaSystem} on a {@link NettyTransport} with every toolbox machine
 * registered under a fixed name ({@link #KV}, {@link #GROUPS}, {@link #LOCKS}, {@link #SESSION_LOCKS},
 * {@link #TASKS}, {@link #LEADER}), durable {@link FileStorage} when {@code data.dir} is set, and a
 * {@link CompanionHost} for the follow-the-leader cluster. Members found in storage are restarted.
 *
 * <p>Used in-process by {@link ToolboxDemo}, and as the main class of the demo's and the multi-JVM tests' child
 * JVMs. Settings are {@link NodeConfig}'s keys plus:
 *
 * <pre>
 * sessionlock.grace.ms=2000   grace period of the session lock machine (default 2000); the leader's is in force,
 *                             the same on every member
 * leader.grace.ms=1500        follow-the-leader grace period before a companion starts (default 1500, at least 3)
 * admin.port=9090             serve the admin endpoint and live view ({@link AdminServer}) on 127.0.0.1 (0: any port)
 * admin.peers=n2=http://127.0.0.1:9091/,n3=...   other nodes' admin endpoints, for their members' numbers
 * admin.host, admin.token, admin.tls            see {@link AdminServer.Builder#settings}
 * </pre>
 *
 * <p>As a main class it prints {@code ra> ready <node> <host:port>} once listening and answers commands on standard
 * input, one per line, each answer line starting with {@code ra> }; with {@code admin.port} it first reports
 * the event {@code admin <url>}. The commands are those of {@link NodeControl} ({@code status},
 * {@code spawn}, {@code close <id>}, {@code stop}) and
 *
 * <pre>
 * kv put &lt;key&gt; &lt;value&gt;   write through this node's member of {@link #KV}; answers ok put &lt;revision&gt;
 * kv get &lt;key&gt;   linearizable read on this node's member; answers ok get &lt;value&gt; (or ok absent)
 * tree ephemeral &lt;path prefix&gt; &lt;data&gt; &lt;n1,n2,n3&gt;   opens a session ({@link #TREE_SESSION_TTL}) kept
 *     alive by this JVM and creates an ephemeral sequential node of {@link #TREE} (members on the nodes named) in
 *     it; answers ok &lt;session&gt; &lt;path&gt;
 * </pre>
 *
 * The companion of the follow-the-leader cluster reports the events {@code companion started <epoch>} and
 * {@code companion stopped <epoch>}; {@link #childJvm} runs a node in a child JVM. Thread-safe.
 */
public final class ToolboxNode implements AutoCloseable
{
    /** Cluster and machine name of the KV store. */
    public static final String KV = "kv";
    /** Cluster and machine name of group membership. */
    public static final String GROUPS = "groups";
    /** Cluster and machine name of the fenced lock. */
    public static final String LOCKS = "locks";
    /** Cluster and machine name of the session lock. */
    public static final String SESSION_LOCKS = "sessionlocks";
    /** Cluster and machine name of the task queue. */
    public static final String TASKS = "tasks";
    /** Cluster and machine name of follow-the-leader. */
    public static final String LEADER = "leader";
    /** Cluster and machine name of the ZooKeeper-like tree (with its sessions). */
    public static final String TREE = "tree";
    /** Every toolbox cluster name. */
    public static final List<String> CLUSTERS = List.of(KV, GROUPS, LOCKS, SESSION_LOCKS, TASKS, LEADER, TREE);
    /** Time to live of the sessions this node opens for its ephemeral tree nodes (the {@code tree} command). */
    public static final Duration TREE_SESSION_TTL = Duration.ofSeconds(2);

    private static final ReleaseCursorPolicy CURSOR_POLICY = ReleaseCursorPolicy.every(64);
    /** This node's own settings, read beside the node's ({@link NodeConfig}). */
    private static final String SESSION_LOCK_GRACE = "sessionlock.grace.ms";
    private static final String LEADER_GRACE = "leader.grace.ms";
    private static final Set<String> OWN_KEYS = ownKeys();
    /** The grace period must exceed two check periods, as CompanionHost's Javadoc requires: three fit. */
    private static final int LEADER_CHECKS_PER_GRACE = 3;

    private final String nodeId;
    private final NettyTransport transport;
    private final Storage storage;
    private final CompanionHost companionHost;
    private final LessorHost treeLessor;
    private final RaSystem system;
    /** Sessions this node opened for ephemeral tree nodes: kept alive while the JVM lives. */
    private final List<Lease> treeSessions = new CopyOnWriteArrayList<>();
    private volatile AdminServer admin;

    private ToolboxNode(final NodeConfig config, final Duration sessionLockGrace, final Duration leaderGrace,
        final Companion companion)
    {
        // Checked before anything is opened, so a bad setting leaves nothing running.
        final Duration leaderCheckPeriod = leaderGrace.dividedBy(LEADER_CHECKS_PER_GRACE);
        if (leaderCheckPeriod.compareTo(CompanionHost.MIN_CHECK_PERIOD) < 0)
        {
            throw new IllegalArgumentException(LEADER_GRACE + " must be at least " +
                CompanionHost.MIN_CHECK_PERIOD.multipliedBy(LEADER_CHECKS_PER_GRACE).toMillis() +
                " (the companion host checks leadership every third of it), got " + leaderGrace.toMillis());
        }
        this.nodeId = config.nodeId();
        this.transport = new NettyTransport(config.transportConfig());
        this.storage = config.openStorage();
        final ServerId leaderMember = new ServerId(LEADER, nodeId);
        this.companionHost = new CompanionHost(leaderMember, companion, leaderCheckPeriod);
        // The tree's sessions are kept alive by messages to its leader's lessor, which checks them every 100 ms.
        this.treeLessor = new LessorHost(new ServerId(TREE, nodeId), Duration.ofMillis(100));
        // Calls wait 30 s unless the settings say otherwise (default.timeout.ms): a demo on a busy machine is patient.
        this.system = config.applyTo(RaSystem.builder().defaultTimeout(Duration.ofSeconds(30)), transport, storage)
            .registerMachine(KV, () -> new KvMachine(CURSOR_POLICY))
            .registerMachine(GROUPS, () -> new GroupMachine(CURSOR_POLICY))
            .registerMachine(LOCKS, () -> new LockMachine(CURSOR_POLICY))
            .registerMachine(SESSION_LOCKS, () -> new SessionLockMachine(sessionLockGrace, CURSOR_POLICY))
            .registerMachine(TASKS, () -> new TaskQueueMachine(CURSOR_POLICY))
            .registerMachine(LEADER, () -> new FollowTheLeaderMachine(leaderMember,
                FollowTheLeaderMachine.DEFAULT_HANDLER, leaderGrace, CURSOR_POLICY))
            .registerMachine(TREE, () -> new TreeMachine(TreeMachine.DEFAULT_LESSOR_HANDLER, CURSOR_POLICY))
            .modCallHandler(FollowTheLeaderMachine.DEFAULT_HANDLER, companionHost)
            .modCallHandler(TreeMachine.DEFAULT_LESSOR_HANDLER, treeLessor)
            .build();
        // build() restarted the members found in storage; a restarted leader's claim waits for this attach.
        companionHost.attach(system);
        treeLessor.attach(system);
    }

    /**
     * Start a node.
     *
     * @param config    of the node and its transport.
     * @param companion to run while this node's member of {@link #LEADER} leads.
     * @return the running node; close it to stop.
     */
    public static ToolboxNode start(final NodeConfig config, final Companion companion)
    {
        return new ToolboxNode(config, Duration.ofMillis(2000), Duration.ofMillis(1500), companion);
    }

    /**
     * @return the setting as a duration in milliseconds, or the default when absent.
     * @throws IllegalArgumentException naming the key and the value, if it is not a whole number of 0 or more.
     */
    private static Duration millis(final Map<String, String> settings, final String key, final long defaultMs)
    {
        final String value = settings.get(key);
        if (null == value)
        {
            return Duration.ofMillis(defaultMs);
        }
        try
        {
            final long ms = Long.parseLong(value.strip());
            if (ms >= 0)
            {
                return Duration.ofMillis(ms);
            }
        }
        catch (final NumberFormatException ignored)
        {
            // Reported below with the key.
        }
        throw new IllegalArgumentException(key + " must be a whole number of milliseconds, 0 or more; got '" + value +
            "'");
    }

    private static Set<String> ownKeys()
    {
        final Set<String> keys = new HashSet<>(AdminServer.Builder.SETTINGS);
        keys.add(SESSION_LOCK_GRACE);
        keys.add(LEADER_GRACE);
        return Set.copyOf(keys);
    }

    /**
     * Start a node from settings (see the class description).
     *
     * @param args      {@link NodeConfig} settings plus this class's own.
     * @param companion to run while this node's member of {@link #LEADER} leads.
     * @return the running node.
     */
    public static ToolboxNode start(final String[] args, final Companion companion)
    {
        // The file's settings too (--config): this node's own may live there beside the node's.
        final Map<String, String> settings = NodeConfig.settings(args);
        final ToolboxNode node = new ToolboxNode(NodeConfig.fromArgs(OWN_KEYS, args),
            millis(settings, SESSION_LOCK_GRACE, 2000), millis(settings, LEADER_GRACE, 1500), companion);
        if (settings.containsKey("admin.port"))
        {
            try
            {
                node.startAdmin(settings);
            }
            catch (final RuntimeException ex)
            {
                node.close();
                throw ex;
            }
        }
        return node;
    }

    /**
     * Serve the admin endpoint and live view of this node ({@link AdminServer}); members on nodes the transport
     * cannot reach are shown as down.
     *
     * @param settings the endpoint's ({@code admin.port}, {@code admin.peers}, {@code admin.host},
     *                 {@code admin.token}, {@code admin.tls}: see {@link AdminServer.Builder#settings}).
     * @return the URL of the live view.
     */
    public synchronized String startAdmin(final Map<String, String> settings)
    {
        if (null != admin)
        {
            throw new IllegalStateException("node " + nodeId + " already serves its admin endpoint at " + admin.url());
        }
        final AdminServer started = AdminServer.builder().system(system).reachability(transport::isReachable)
            .settings(settings).build();
        // /metrics: this node's servers, calls, WAL and transport (RaMetrics), in the endpoint's own registry.
        final RaMetrics.Builder metrics = RaMetrics.builder(system).transport(transport);
        if (storage instanceof FileStorage fileStorage)
        {
            metrics.storage(fileStorage);
        }
        metrics.build().bindTo(started.meterRegistry());
        started.start();
        admin = started;
        return started.url();
    }

    /**
     * A toolbox node in a child JVM, driven through its standard input (not started yet).
     *
     * @param nodeId   of the node.
     * @param settings of the node (see the class description) other than {@code node.id} and {@code control}.
     * @param logFile  where the child's standard error goes (appended across restarts).
     * @return the child JVM; {@link NodeJvm#start()} starts it.
     */
    public static NodeJvm childJvm(final String nodeId, final List<String> settings, final Path logFile)
    {
        // Small, quick-starting JVMs: a toolbox node needs little memory, and 2-core machines run several of them.
        return new NodeJvm(nodeId, ToolboxNode.class.getName(),
            List.of("-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"), settings, logFile);
    }

    /**
     * @param cluster one of {@link #CLUSTERS}.
     * @param nodes   hosting its members.
     * @return the members of that cluster on those nodes.
     */
    public static List<ServerId> members(final String cluster, final List<String> nodes)
    {
        return nodes.stream().map(node -> new ServerId(cluster, node)).toList();
    }

    /**
     * @return this node's id.
     */
    public String nodeId()
    {
        return nodeId;
    }

    /**
     * @return the node's system.
     */
    public RaSystem system()
    {
        return system;
    }

    /**
     * @return the node's transport.
     */
    public NettyTransport transport()
    {
        return transport;
    }

    /**
     * @return the epoch the local companion runs with, 0 if it does not run.
     */
    public long companionEpoch()
    {
        return companionHost.runningEpoch();
    }

    @Override
    public void close()
    {
        final AdminServer running = admin;
        if (null != running)
        {
            running.close();
        }
        companionHost.close();
        treeSessions.forEach(Lease::close);
        treeLessor.close();
        system.close();
        storage.close();
    }

    /**
     * Run a node in this JVM until {@code stop} or the end of standard input (see the class description).
     *
     * @param args {@link NodeConfig} settings plus this class's own.
     * @throws IOException if standard input fails.
     */
    public static void main(final String[] args) throws IOException
    {
        quietLogging();
        final PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        final ToolboxNode node;
        try
        {
            node = start(args, printingCompanion(out));
        }
        catch (final RuntimeException ex)
        {
            // An operator's mistake, not a bug to debug: one line, as ra-node's launcher gives.
            System.err.println("toolbox-node: cannot start: " + NodeLauncher.describe(ex));
            System.exit(NodeLauncher.EXIT_CANNOT_START);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(node::close, "toolbox-node-shutdown"));
        final NodeControl control = NodeControl.builder(node.system, node::close).output(out)
            .command("kv", node::kvCommand).command("tree", node::treeCommand).build();
        final AdminServer admin = node.admin;
        if (null != admin)
        {
            control.event("admin " + admin.url());
        }
        control.ready(node.transport.localAddress());
        control.run(System.in);
        System.exit(0);
    }

    private static Companion printingCompanion(final PrintStream out)
    {
        return new Companion()
        {
            @Override
            public void start(final long epoch)
            {
                out.println(NodeControl.EVENT_PREFIX + "companion started " + epoch);
            }

            @Override
            public void stop(final long epoch)
            {
                out.println(NodeControl.EVENT_PREFIX + "companion stopped " + epoch);
            }
        };
    }

    /**
     * Bind slf4j-simple (when it is the binding) at WARN unless told otherwise, so that logs do not drown the
     * narration of the demo. Must run before the first logger is created.
     */
    static void quietLogging()
    {
        if (null == System.getProperty("org.slf4j.simpleLogger.defaultLogLevel"))
        {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
    }

    /**
     * An ephemeral sequential tree node owned by a session this JVM keeps alive: it goes when the JVM dies (after the
     * session's time to live) or closes.
     */
    private String treeCommand(final String[] words)
    {
        if (words.length != 5 || !"ephemeral".equals(words[1]))
        {
            return "error usage: tree ephemeral <path prefix> <data> <member nodes, comma-separated>";
        }
        // This node may host no member of the tree (the demo's app JVM): the members are named.
        final TreeClient tree = new TreeClient(system, members(TREE, List.of(words[4].split(","))));
        final Lease session = tree.openSession(TREE_SESSION_TTL, () -> { });
        treeSessions.add(session);
        final TreeReply reply = tree.create(words[2], words[3], CreateMode.EPHEMERAL_SEQUENTIAL, session.id());
        return reply instanceof TreeReply.Created created ? "ok " + session.id() + " " + created.path() :
            "error " + reply;
    }

    /**
     * A KV client on this node, for a writer or reader that lives in this JVM.
     */
    private String kvCommand(final String[] words)
    {
        final KvClient kv = new KvClient(system, system.members(new ServerId(KV, nodeId)));
        if (words.length == 4 && "put".equals(words[1]))
        {
            return "ok put " + kv.put(words[2], words[3]).revision();
        }
        if (words.length == 3 && "get".equals(words[1]))
        {
            return kv.get(words[2]).map(value -> "ok get " + value).orElse("ok absent");
        }
        return "error usage: kv put <key> <value> | kv get <key>";
    }
}

package dev.ra.examples.tree;

import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.examples.lease.Lease;
import dev.ra.examples.lease.LessorHost;
import dev.ra.examples.support.ReleaseCursorPolicy;
import dev.ra.examples.tree.recipes.TreeLock;
import dev.ra.node.NodeConfig;
import dev.ra.node.NodeControl;
import dev.ra.node.NodeJvm;
import dev.ra.spi.Storage;
import dev.ra.transport.netty.NettyTransport;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A node for the multi-JVM tree tests: a {@link RaSystem} on Netty with the {@link TreeMachine} registered as
 * {@link #CLUSTER} and a {@link LessorHost}. In a child JVM it answers {@link NodeControl}'s commands plus
 * {@code lock <path> <ttlMs>}: open a session from this node, keep it alive from here, and take a {@link TreeLock} on
 * {@code path} with it (answers {@code ok lock <sessionId> <lockNodePath>}).
 */
final class TreeNode implements AutoCloseable
{
    static final String CLUSTER = "tree";
    static final List<String> MEMBER_NODES = List.of("n1", "n2", "n3");

    private final NettyTransport transport;
    private final Storage storage;
    private final LessorHost lessor;
    private final RaSystem system;
    private final Map<Long, Lease> sessions = new ConcurrentHashMap<>();
    private volatile TreeClient client;

    private TreeNode(final NodeConfig config)
    {
        this.transport = new NettyTransport(config.transportConfig());
        this.storage = config.openStorage();
        this.lessor = new LessorHost(new ServerId(CLUSTER, config.nodeId()), Duration.ofMillis(50));
        this.system = config.applyTo(RaSystem.builder().defaultTimeout(Duration.ofSeconds(5)), transport, storage)
            .registerMachine(CLUSTER, () -> new TreeMachine(TreeMachine.DEFAULT_LESSOR_HANDLER,
                ReleaseCursorPolicy.every(64)))
            .modCallHandler(TreeMachine.DEFAULT_LESSOR_HANDLER, lessor)
            .build();
        lessor.attach(system);
    }

    static TreeNode start(final String[] args)
    {
        return new TreeNode(NodeConfig.fromArgs(args));
    }

    static NodeJvm childJvm(final String nodeId, final List<String> settings, final Path logFile)
    {
        return new NodeJvm(nodeId, TreeNode.class.getName(),
            List.of("-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"), settings, logFile);
    }

    static List<ServerId> members()
    {
        return MEMBER_NODES.stream().map(node -> new ServerId(CLUSTER, node)).toList();
    }

    RaSystem system()
    {
        return system;
    }

    NettyTransport transport()
    {
        return transport;
    }

    synchronized TreeClient client()
    {
        if (null == client)
        {
            client = new TreeClient(system, members());
        }
        return client;
    }

    @Override
    public void close()
    {
        sessions.values().forEach(Lease::close);
        if (null != client)
        {
            client.close();
        }
        lessor.close();
        system.close();
        storage.close();
    }

    private String lock(final String[] words)
    {
        if (words.length != 3)
        {
            return "error usage: lock <path> <ttlMs>";
        }
        final TreeClient tree = client();
        final Lease session = tree.openSession(Duration.ofMillis(Long.parseLong(words[2])), () -> { });
        sessions.put(session.id(), session);
        final TreeLock lock = new TreeLock(tree, words[1], session.id());
        try
        {
            return lock.acquire(Duration.ofSeconds(10)) ? "ok lock " + session.id() + " " + lock.holdingNode() :
                "error lock not acquired in time";
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return "error interrupted";
        }
    }

    /**
     * Run a node until {@code stop} or the end of standard input.
     *
     * @param args {@link NodeConfig} settings.
     * @throws IOException if standard input fails.
     */
    public static void main(final String[] args) throws IOException
    {
        if (null == System.getProperty("org.slf4j.simpleLogger.defaultLogLevel"))
        {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        final PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        final TreeNode node = start(Arrays.copyOf(args, args.length));
        Runtime.getRuntime().addShutdownHook(new Thread(node::close, "tree-node-shutdown"));
        final NodeControl control = NodeControl.builder(node.system, node::close).output(out)
            .command("lock", node::lock).build();
        control.ready(node.transport.localAddress());
        control.run(System.in);
        System.exit(0);
    }
}

package dev.ra.examples.lease;

import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.node.NodeConfig;
import dev.ra.node.NodeControl;
import dev.ra.node.NodeJvm;
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
 * A node for the multi-JVM lease tests: a {@link RaSystem} on Netty with the {@link LeasedKvMachine} registered as
 * {@link #CLUSTER} and a {@link LessorHost}. In a child JVM it answers {@link NodeControl}'s commands plus
 * {@code hold <key> <ttlMs>}: grant a session from this node, keep it alive from here, and bind {@code key} to it
 * (answers {@code ok hold <sessionId>}).
 */
final class LeaseNode implements AutoCloseable
{
    static final String CLUSTER = "leases";
    static final List<String> MEMBER_NODES = LeasedKvNodeSystem.MEMBER_NODES;

    private final LeasedKvNodeSystem node;
    private final Map<Long, Lease> leases = new ConcurrentHashMap<>();

    private LeaseNode(final NodeConfig config)
    {
        this.node = new LeasedKvNodeSystem(config, CLUSTER);
    }

    static LeaseNode start(final String[] args)
    {
        return new LeaseNode(NodeConfig.fromArgs(args));
    }

    static NodeJvm childJvm(final String nodeId, final List<String> settings, final Path logFile)
    {
        return new NodeJvm(nodeId, LeaseNode.class.getName(),
            List.of("-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"), settings, logFile);
    }

    static List<ServerId> members()
    {
        return LeasedKvNodeSystem.members(CLUSTER);
    }

    RaSystem system()
    {
        return node.system();
    }

    NettyTransport transport()
    {
        return node.transport();
    }

    LeasedKvClient client()
    {
        return node.client();
    }

    @Override
    public void close()
    {
        leases.values().forEach(Lease::close);
        node.close();
    }

    private String hold(final String[] words)
    {
        if (words.length != 3)
        {
            return "error usage: hold <key> <ttlMs>";
        }
        final LeasedKvClient kv = client();
        final Lease lease = kv.grant(Duration.ofMillis(Long.parseLong(words[2])), () -> { });
        leases.put(lease.id(), lease);
        final LeasedKvReply reply = kv.putIf(words[1], 0, "held-by-" + node.system().nodeId(), lease.id());
        return reply instanceof LeasedKvReply.Written ? "ok hold " + lease.id() : "error " + reply;
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
        final LeaseNode node = start(Arrays.copyOf(args, args.length));
        Runtime.getRuntime().addShutdownHook(new Thread(node::close, "lease-node-shutdown"));
        final NodeControl control = NodeControl.builder(node.system(), node::close).output(out)
            .command("hold", node::hold).build();
        control.ready(node.transport().localAddress());
        control.run(System.in);
        System.exit(0);
    }
}

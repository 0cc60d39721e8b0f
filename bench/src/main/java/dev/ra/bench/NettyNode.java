package dev.ra.bench;

import dev.ra.RaSystem;
import dev.ra.log.FileStorage;
import dev.ra.log.SyncMethod;
import dev.ra.node.NodeControl;
import dev.ra.transport.netty.NettyTransport;
import dev.ra.transport.netty.NettyTransportConfig;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;

/**
 * One benchmark node in its own JVM: a {@link RaSystem} on the Netty transport with ra-log storage and the
 * {@link BenchKv} machines registered. Started by the harness:
 * {@code NettyNode <node> <dataDir> <sync> <electionMinMs> <electionMaxMs> <tickMs> <walMaxBytes> <node=port>...};
 * prints {@code ra> ready <node> <host:port>} and answers the control commands of {@link NodeControl} on standard input
 * (with the transport's, such as {@code stats}); exits when standard input closes (or says {@code stop}), so it never
 * outlives the harness.
 */
public final class NettyNode
{
    /** System property: whether ra-log keeps its WAL mark (default true; the harness's {@code --wal-mark}). */
    static final String WAL_MARK_PROPERTY = "ra.bench.walMark";

    private NettyNode()
    {
    }

    /**
     * @param args see the class comment.
     * @throws Exception on failure.
     */
    public static void main(final String[] args) throws Exception
    {
        final String node = args[0];
        final NettyTransportConfig.Builder transport = NettyTransportConfig.builder().clusterId("ra-bench")
            .ioThreads(1);
        for (int i = 7; i < args.length; i++)
        {
            final String[] kv = args[i].split("=");
            final InetSocketAddress address = new InetSocketAddress("127.0.0.1", Integer.parseInt(kv[1]));
            if (kv[0].equals(node))
            {
                transport.listenAddress(address);
            }
            else
            {
                transport.peer(kv[0], address);
            }
        }
        final NettyTransport net = new NettyTransport(transport.build());
        final RaSystem system = build(node, net, Path.of(args[1]), SyncMethod.valueOf(args[2]),
            Long.parseLong(args[3]), Long.parseLong(args[4]), Long.parseLong(args[5]), Long.parseLong(args[6]));
        final NodeControl control = NodeControl.builder(system, system::close).transport(net).build();
        control.ready(net.localAddress());
        control.run(System.in);
        System.exit(0);
    }

    /**
     * @param node     node id.
     * @param transport the node's transport.
     * @param dataDir  ra-log directory, or null for in-memory storage (the harness's client node hosts no server).
     * @param sync     WAL sync method.
     * @param minMs    election timeout lower bound.
     * @param maxMs    election timeout upper bound.
     * @param tickMs   tick interval.
     * @param walMaxBytes WAL file size limit (ra-log only).
     * @return the running system (its storage is closed with the JVM).
     */
    static RaSystem build(final String node, final NettyTransport transport, final Path dataDir,
        final SyncMethod sync, final long minMs, final long maxMs, final long tickMs, final long walMaxBytes)
    {
        final dev.ra.spi.Storage storage = null == dataDir ? new dev.ra.runtime.memory.InMemoryStorage() :
            FileStorage.builder().directory(dataDir).syncMethod(sync).walMaxSizeBytes(walMaxBytes)
                .walMark(Boolean.parseBoolean(System.getProperty(WAL_MARK_PROPERTY, "true"))).build();
        return RaSystem.builder().nodeId(node).transport(transport).storage(storage).eventLoops(1)
            .electionTimeout(Duration.ofMillis(minMs), Duration.ofMillis(maxMs))
            .tickInterval(Duration.ofMillis(tickMs)).defaultTimeout(Duration.ofSeconds(10))
            .registerMachine(BenchKv.NAME, BenchKv::new)
            .registerMachine(BenchKv.NAME_WITH_SNAPSHOTS, () -> new BenchKv(BenchKv.SNAPSHOT_EVERY))
            .build();
    }
}

package dev.ra.examples.lease;

import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.examples.support.ReleaseCursorPolicy;
import dev.ra.node.NodeConfig;
import dev.ra.spi.Storage;
import dev.ra.transport.netty.NettyTransport;
import java.time.Duration;
import java.util.List;

/**
 * What the multi-JVM test nodes of the leased KV share (the lease tests' {@code LeaseNode}, the watch tests'
 * {@code WatchNode}): a {@link RaSystem} on Netty with its storage, the {@link LeasedKvMachine} registered under a
 * cluster name, and a {@link LessorHost}; the members are that cluster on n1, n2 and n3.
 */
public final class LeasedKvNodeSystem implements AutoCloseable
{
    /** The nodes hosting the cluster's members. */
    public static final List<String> MEMBER_NODES = List.of("n1", "n2", "n3");

    private final String cluster;
    private final NettyTransport transport;
    private final Storage storage;
    private final LessorHost lessor;
    private final RaSystem system;

    /**
     * @param config  the node's settings.
     * @param cluster the cluster (and machine) name.
     */
    public LeasedKvNodeSystem(final NodeConfig config, final String cluster)
    {
        this.cluster = cluster;
        this.transport = new NettyTransport(config.transportConfig());
        this.storage = config.openStorage();
        this.lessor = new LessorHost(new ServerId(cluster, config.nodeId()), Duration.ofMillis(50));
        this.system = config.applyTo(RaSystem.builder().defaultTimeout(Duration.ofSeconds(5)), transport, storage)
            .registerMachine(cluster, () -> new LeasedKvMachine(LeasedKvMachine.DEFAULT_LESSOR_HANDLER, 10_000,
                ReleaseCursorPolicy.every(64)))
            .modCallHandler(LeasedKvMachine.DEFAULT_LESSOR_HANDLER, lessor)
            .build();
        lessor.attach(system);
    }

    /**
     * @param cluster the cluster name.
     * @return its members on {@link #MEMBER_NODES}.
     */
    public static List<ServerId> members(final String cluster)
    {
        return MEMBER_NODES.stream().map(node -> new ServerId(cluster, node)).toList();
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
     * @return a client of the cluster from this node.
     */
    public LeasedKvClient client()
    {
        return new LeasedKvClient(system, members(cluster));
    }

    @Override
    public void close()
    {
        lessor.close();
        system.close();
        storage.close();
    }
}

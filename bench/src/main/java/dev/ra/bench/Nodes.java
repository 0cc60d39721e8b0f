package dev.ra.bench;

import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.log.FileStorage;
import dev.ra.log.SyncMethod;
import dev.ra.runtime.injvm.InJvmNetwork;
import dev.ra.transport.netty.NettyTransport;
import dev.ra.transport.netty.NettyTransportConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Three (or more) {@link RaSystem}s, nodes {@code n1..nN}, in this JVM on one {@link InJvmNetwork}, each with its own
 * ra-log {@link FileStorage} in a directory under a temporary root (deleted on {@link #close}). A node can be stopped
 * and started again on the same directory. Not thread safe: drive it from the harness thread.
 */
public final class Nodes implements AutoCloseable
{
    private final InJvmNetwork network = new InJvmNetwork();
    private final Path root;
    private final Options options;
    private final Map<String, RaSystem> systems = new LinkedHashMap<>();
    private final Map<String, FileStorage> storages = new LinkedHashMap<>();
    /** Loopback port of each node when the nodes talk over Netty, or null for the in-JVM network. */
    private final Map<String, Integer> nettyPorts;

    /**
     * Settings shared by every node.
     *
     * @param sync           WAL sync method (DATASYNC unless a figure is explicitly labelled unsafe).
     * @param eventLoops     event loops per node.
     * @param electionMin    lower bound of the election timeout.
     * @param electionMax    upper bound of the election timeout.
     * @param tick           tick interval.
     * @param walMaxBytes    WAL file size limit.
     * @param walMark        whether ra-log keeps its WAL mark (a second sync per batch; see
     *                       {@code FileStorage.Builder.walMark}).
     */
    public record Options(SyncMethod sync, int eventLoops, Duration electionMin, Duration electionMax, Duration tick,
        long walMaxBytes, boolean walMark)
    {
        /**
         * @return the harness defaults: fsync on, one event loop per node (3 nodes share the machine's cores),
         *     election timeout 300–600 ms, 150 ms ticks, 128 MiB WAL files.
         */
        public static Options defaults()
        {
            return new Options(SyncMethod.DATASYNC, 1, Duration.ofMillis(300), Duration.ofMillis(600),
                Duration.ofMillis(150), 128L << 20, true);
        }

        /**
         * @param bytes WAL file size limit.
         * @return a copy.
         */
        public Options withWalMaxBytes(final long bytes)
        {
            return new Options(sync, eventLoops, electionMin, electionMax, tick, bytes, walMark);
        }

        /**
         * @param interval tick interval.
         * @return a copy.
         */
        public Options withTick(final Duration interval)
        {
            return new Options(sync, eventLoops, electionMin, electionMax, interval, walMaxBytes, walMark);
        }

        /**
         * @param loops event loops per node.
         * @return a copy.
         */
        public Options withEventLoops(final int loops)
        {
            return new Options(sync, loops, electionMin, electionMax, tick, walMaxBytes, walMark);
        }

        /**
         * @param method WAL sync method.
         * @return a copy.
         */
        public Options withSync(final SyncMethod method)
        {
            return new Options(method, eventLoops, electionMin, electionMax, tick, walMaxBytes, walMark);
        }

        /**
         * @param enabled whether ra-log keeps its WAL mark.
         * @return a copy.
         */
        public Options withWalMark(final boolean enabled)
        {
            return new Options(sync, eventLoops, electionMin, electionMax, tick, walMaxBytes, enabled);
        }

        /**
         * @param min election timeout lower bound.
         * @param max election timeout upper bound.
         * @return a copy.
         */
        public Options withElection(final Duration min, final Duration max)
        {
            return new Options(sync, eventLoops, min, max, tick, walMaxBytes, walMark);
        }
    }

    /**
     * @param count   number of nodes.
     * @param dataDir parent of the temporary root, or null for the system default.
     * @param options node settings.
     */
    public Nodes(final int count, final Path dataDir, final Options options)
    {
        this(count, dataDir, options, false);
    }

    /**
     * @param count   number of nodes.
     * @param dataDir parent of the temporary root, or null for the system default.
     * @param options node settings.
     * @param netty   whether the nodes talk over the Netty transport on loopback (each its own port and I/O thread,
     *                as separate processes would) instead of the in-JVM network.
     */
    public Nodes(final int count, final Path dataDir, final Options options, final boolean netty)
    {
        this.options = options;
        this.nettyPorts = netty ? new LinkedHashMap<>() : null;
        if (netty)
        {
            try
            {
                for (int i = 1; i <= count; i++)
                {
                    nettyPorts.put("n" + i, NettyFigures.freePort());
                }
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        }
        try
        {
            this.root = null == dataDir ? Files.createTempDirectory("ra-bench") :
                Files.createTempDirectory(Files.createDirectories(dataDir), "ra-bench");
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        for (int i = 1; i <= count; i++)
        {
            start("n" + i);
        }
    }

    /**
     * Start (or restart) a node on its directory; servers found there are NOT restarted (see
     * {@link RaSystem#restartServer}).
     *
     * @param node id.
     * @return the node's system.
     */
    public RaSystem start(final String node)
    {
        final FileStorage storage = FileStorage.builder().directory(root.resolve(node)).syncMethod(options.sync())
            .walMark(options.walMark())
            .walMaxSizeBytes(options.walMaxBytes()).build();
        final RaSystem system = RaSystem.builder().nodeId(node).transport(transport(node)).storage(storage)
            .eventLoops(options.eventLoops()).electionTimeout(options.electionMin(), options.electionMax())
            .tickInterval(options.tick()).defaultTimeout(Duration.ofMinutes(5))
            .registerMachine(BenchKv.NAME, BenchKv::new)
            .registerMachine(BenchKv.NAME_WITH_SNAPSHOTS, () -> new BenchKv(BenchKv.SNAPSHOT_EVERY))
            .restartStoredServers(false).closeStorage(false)
            .build();
        storages.put(node, storage);
        systems.put(node, system);
        return system;
    }

    private dev.ra.spi.Transport transport(final String node)
    {
        if (null == nettyPorts)
        {
            return network.newTransport();
        }
        final NettyTransportConfig.Builder b = NettyTransportConfig.builder().clusterId("ra-bench-nodes").ioThreads(1);
        nettyPorts.forEach((name, port) ->
        {
            final InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
            if (name.equals(node))
            {
                b.listenAddress(address);
            }
            else
            {
                b.peer(name, address);
            }
        });
        return new NettyTransport(b.build());
    }

    /**
     * Stop a node: close its system and its storage (what an orderly shutdown of the process does).
     *
     * @param node id.
     */
    public void stop(final String node)
    {
        final RaSystem system = systems.remove(node);
        if (null != system)
        {
            system.close();
        }
        final FileStorage storage = storages.remove(node);
        if (null != storage)
        {
            storage.close();
        }
    }

    /**
     * @param node id.
     * @return its running system.
     */
    public RaSystem system(final String node)
    {
        final RaSystem s = systems.get(node);
        if (null == s)
        {
            throw new IllegalArgumentException("node " + node + " is not running");
        }
        return s;
    }

    /**
     * @param node id of a running node.
     * @return its storage.
     */
    public FileStorage storage(final String node)
    {
        return storages.get(node);
    }

    /**
     * @return the running nodes' ids.
     */
    public List<String> running()
    {
        return new ArrayList<>(systems.keySet());
    }

    /**
     * @param name server name.
     * @param count number of members (one per node, n1..).
     * @return the member ids.
     */
    public static List<ServerId> members(final String name, final int count)
    {
        final List<ServerId> ids = new ArrayList<>();
        for (int i = 1; i <= count; i++)
        {
            ids.add(new ServerId(name, "n" + i));
        }
        return ids;
    }

    /**
     * @return the in-JVM network, for fault injection.
     */
    public InJvmNetwork network()
    {
        return network;
    }

    /**
     * @return the root data directory.
     */
    public Path root()
    {
        return root;
    }

    @Override
    public void close()
    {
        for (final String node : new ArrayList<>(systems.keySet()))
        {
            stop(node);
        }
        network.close();
        DirectoryTrees.deleteQuietly(root);
    }
}

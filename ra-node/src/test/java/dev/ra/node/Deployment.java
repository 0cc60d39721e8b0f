package dev.ra.node;

import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.runtime.memory.InMemoryStorage;
import dev.ra.testkit.CounterMachine;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.KvMachine;
import dev.ra.testkit.LoopbackPorts;
import dev.ra.testkit.ThreadPerTask;
import dev.ra.testkit.ThrowingMachine;
import dev.ra.testkit.WatcherMachine;
import dev.ra.transport.netty.NettyTransport;
import dev.ra.transport.netty.NettyTransportConfig;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A deployment of {@code n1..nN} node JVMs on loopback plus a client node in this JVM (node id {@code client}, hosting
 * no member) that starts clusters and sends commands and queries. Machines {@code kv} ({@link KvMachine}),
 * {@code w} ({@link WatcherMachine}), {@code counter} ({@link CounterMachine}) and {@code throwing}
 * ({@link ThrowingMachine}) are registered everywhere.
 */
final class Deployment implements AutoCloseable
{
    static final String CLIENT = "client";

    final Map<String, NodeJvm> nodes = new LinkedHashMap<>();
    final Map<String, InetSocketAddress> addresses = new LinkedHashMap<>();
    final NettyTransport clientTransport;
    final RaSystem client;

    /**
     * JVM options for test nodes: small and quick to start. {@code -Dra.test.nodeTransportLog=info} makes the nodes
     * log every connection change (to {@code target/node-logs}), e.g. to look for flaps.
     */
    static final List<String> TEST_JVM = List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-Dorg.slf4j.simpleLogger.log.dev.ra.transport.netty=" + System.getProperty("ra.test.nodeTransportLog",
            "warn"));

    Deployment(final int size, final String testName, final List<String> extraSettings)
    {
        for (int i = 1; i <= size; i++)
        {
            addresses.put("n" + i, new InetSocketAddress("127.0.0.1", LoopbackPorts.freePort()));
        }
        final Path logs = Path.of("target", "node-logs", testName);
        final Path data = Path.of("target", "node-data", testName);
        deleteRecursively(data);
        for (final String node : addresses.keySet())
        {
            final List<String> settings = new ArrayList<>(List.of("listen=" + hostPort(addresses.get(node)),
                "peers=" + peersExcept(node), "clients=" + CLIENT, "cluster.id=it",
                "machines=kv=" + KvMachine.class.getName() + ",w=" + WatcherMachine.class.getName() + ",counter=" +
                    CounterMachine.class.getName() + ",throwing=" + ThrowingMachine.class.getName(),
                "election.timeout.ms=300-600", "tick.ms=100",
                "heartbeat.ms=" + setting(extraSettings, "heartbeat.ms", 100),
                "failure.timeout.ms=" + setting(extraSettings, "failure.timeout.ms", 3000),
                "data.dir=" + data.resolve(node).toAbsolutePath()));
            settings.addAll(extraSettings);
            nodes.put(node, new NodeJvm(node, NodeLauncher.class.getName(), TEST_JVM, settings,
                logs.resolve(node + ".log")));
        }
        final List<CompletableFuture<NodeJvm>> starts = new ArrayList<>();
        for (final NodeJvm node : nodes.values())
        {
            starts.add(CompletableFuture.supplyAsync(node::start, ThreadPerTask.EXECUTOR));
        }
        starts.forEach(CompletableFuture::join);
        final NettyTransportConfig.Builder config = NettyTransportConfig.builder().clusterId("it")
            .heartbeatInterval(Duration.ofMillis(setting(extraSettings, "heartbeat.ms", 100)))
            .failureTimeout(Duration.ofMillis(setting(extraSettings, "failure.timeout.ms", 3000)))
            .reconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(300));
        addresses.forEach(config::peer);
        clientTransport = new NettyTransport(config.build());
        client = RaSystem.builder().nodeId(CLIENT).transport(clientTransport).storage(new InMemoryStorage())
            .registerMachine("kv", KvMachine::new).registerMachine("w", WatcherMachine::new)
            .registerMachine("counter", CounterMachine::new).registerMachine("throwing", ThrowingMachine::new)
            .defaultTimeout(Duration.ofSeconds(10)).build();
        awaitClientConnected();
    }

    private static long setting(final List<String> settings, final String key, final long fallback)
    {
        for (final String setting : settings)
        {
            if (setting.startsWith(key + "="))
            {
                return Long.parseLong(setting.substring(key.length() + 1));
            }
        }
        return fallback;
    }

    private static void deleteRecursively(final Path dir)
    {
        if (!java.nio.file.Files.exists(dir))
        {
            return;
        }
        try (java.util.stream.Stream<Path> paths = java.nio.file.Files.walk(dir))
        {
            for (final Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList())
            {
                java.nio.file.Files.delete(p);
            }
        }
        catch (final java.io.IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }

    private String peersExcept(final String node)
    {
        final List<String> peers = new ArrayList<>();
        addresses.forEach((id, address) ->
        {
            if (!id.equals(node))
            {
                peers.add(id + "=" + hostPort(address));
            }
        });
        return String.join(",", peers);
    }

    static String hostPort(final InetSocketAddress address)
    {
        return address.getHostString() + ":" + address.getPort();
    }

    void awaitClientConnected()
    {
        InJvmCluster.await(() -> nodes.values().stream().filter(NodeJvm::isAlive)
            .allMatch(n -> clientTransport.isReachable(n.nodeId())), Duration.ofSeconds(20), "the client to connect");
    }

    List<ServerId> members(final String cluster)
    {
        final List<ServerId> ids = new ArrayList<>();
        for (final String node : nodes.keySet())
        {
            ids.add(new ServerId(cluster, node));
        }
        return ids;
    }

    NodeJvm node(final String id)
    {
        return nodes.get(id);
    }

    /**
     * The status line a server's node reports for it ({@code status <server> <role> term=... leader=... commit=...
     * applied=...}, see {@link NodeControl}), split into words; empty if the node runs no such server.
     */
    Optional<String[]> status(final ServerId server)
    {
        for (final String line : node(server.node()).command("status"))
        {
            final String[] words = line.split(" ");
            if (words[0].equals("status") && words[1].equals(server.toString()))
            {
                return Optional.of(words);
            }
        }
        return Optional.empty();
    }

    /**
     * The member of a cluster that reports itself leader with the highest term, among live nodes.
     */
    ServerId leaderOf(final String cluster, final List<String> excluding)
    {
        ServerId leader = null;
        long bestTerm = -1;
        for (final NodeJvm node : nodes.values())
        {
            if (!node.isAlive() || excluding.contains(node.nodeId()))
            {
                continue;
            }
            for (final String line : node.command("status"))
            {
                final String[] words = line.split(" ");
                if (words[0].equals("status") && words[1].startsWith(cluster + "@") && words[2].equals("LEADER"))
                {
                    final long term = Long.parseLong(words[3].substring("term=".length()));
                    if (term > bestTerm)
                    {
                        bestTerm = term;
                        leader = ServerId.parse(words[1]);
                    }
                }
            }
        }
        return leader;
    }

    ServerId awaitLeader(final String cluster, final List<String> excluding)
    {
        return InJvmCluster.await(() -> leaderOf(cluster, excluding), Duration.ofSeconds(20),
            "a leader of " + cluster + " outside " + excluding);
    }

    @Override
    public void close()
    {
        client.close();
        for (final NodeJvm node : nodes.values())
        {
            node.close();
        }
    }
}

package dev.ra.transport.netty;

import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.runtime.memory.InMemoryStorage;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.KvMachine;
import dev.ra.testkit.WatcherMachine;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A deployment of {@code n1..nN} node JVMs on loopback plus a client node in this JVM (node id {@code client}, hosting
 * no member) that starts clusters and sends commands and queries. Machines {@code kv} ({@link KvMachine}) and
 * {@code w} ({@link WatcherMachine}) are registered everywhere.
 */
final class Deployment implements AutoCloseable
{
    static final String CLIENT = "client";

    final Map<String, NodeProcess> nodes = new LinkedHashMap<>();
    final Map<String, InetSocketAddress> addresses = new LinkedHashMap<>();
    final NettyTransport clientTransport;
    final RaSystem client;

    Deployment(final int size, final String testName, final List<String> extraSettings)
    {
        for (int i = 1; i <= size; i++)
        {
            addresses.put("n" + i, new InetSocketAddress("127.0.0.1", LoopbackTransports.freePort()));
        }
        final Path logs = Path.of("target", "node-logs", testName);
        for (final String node : addresses.keySet())
        {
            final List<String> settings = new ArrayList<>(List.of("node.id=" + node,
                "listen=" + NodeProcess.hostPort(addresses.get(node)), "peers=" + peersExcept(node),
                "clients=" + CLIENT, "cluster.id=it", "machines=kv=" + KvMachine.class.getName() + ",w=" +
                    WatcherMachine.class.getName(), "election.timeout.ms=300-600", "tick.ms=100", "heartbeat.ms=100",
                "failure.timeout.ms=1000"));
            settings.addAll(extraSettings);
            nodes.put(node, new NodeProcess(node, settings, logs));
        }
        final List<CompletableFuture<NodeProcess>> starts = new ArrayList<>();
        for (final NodeProcess node : nodes.values())
        {
            starts.add(CompletableFuture.supplyAsync(node::start));
        }
        starts.forEach(CompletableFuture::join);
        final NettyTransportConfig.Builder config = NettyTransportConfig.builder().clusterId("it")
            .heartbeatInterval(Duration.ofMillis(100)).failureTimeout(Duration.ofMillis(1000))
            .reconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(300));
        addresses.forEach(config::peer);
        clientTransport = new NettyTransport(config.build());
        client = RaSystem.builder().nodeId(CLIENT).transport(clientTransport).storage(new InMemoryStorage())
            .registerMachine("kv", KvMachine::new).registerMachine("w", WatcherMachine::new)
            .defaultTimeout(Duration.ofSeconds(10)).build();
        awaitClientConnected();
    }

    private String peersExcept(final String node)
    {
        final List<String> peers = new ArrayList<>();
        addresses.forEach((id, address) ->
        {
            if (!id.equals(node))
            {
                peers.add(id + "=" + NodeProcess.hostPort(address));
            }
        });
        return String.join(",", peers);
    }

    void awaitClientConnected()
    {
        InJvmCluster.await(() -> nodes.values().stream().filter(NodeProcess::isAlive)
            .allMatch(n -> clientTransport.isReachable(n.node())), Duration.ofSeconds(20), "the client to connect");
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

    NodeProcess node(final String id)
    {
        return nodes.get(id);
    }

    /**
     * The member of a cluster that reports itself leader with the highest term, among live nodes.
     */
    ServerId leaderOf(final String cluster, final List<String> excluding)
    {
        ServerId leader = null;
        long bestTerm = -1;
        for (final NodeProcess node : nodes.values())
        {
            if (!node.isAlive() || excluding.contains(node.node()))
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
        for (final NodeProcess node : nodes.values())
        {
            node.close();
        }
    }
}

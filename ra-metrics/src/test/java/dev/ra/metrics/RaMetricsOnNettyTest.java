package dev.ra.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.log.FileStorage;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.KvMachine;
import dev.ra.testkit.LoopbackPorts;
import dev.ra.transport.netty.NettyTransport;
import dev.ra.transport.netty.NettyTransportConfig;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three nodes on Netty (loopback) with their data on disk, each with its {@link RaMetrics} bound with its storage and
 * transport: the WAL's and the transport's meters exist per node and per peer, and move.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RaMetricsOnNettyTest
{
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void close() throws Exception
    {
        for (int i = open.size() - 1; i >= 0; i--)
        {
            open.get(i).close();
        }
    }

    @Test
    void walAndTransportMetersMoveWithCommands() throws InterruptedException
    {
        final Map<String, InetSocketAddress> addresses = new LinkedHashMap<>();
        for (int i = 1; i <= 3; i++)
        {
            addresses.put("n" + i, new InetSocketAddress("127.0.0.1", LoopbackPorts.freePort()));
        }
        final List<RaSystem> systems = new ArrayList<>();
        final List<RaMetrics> metrics = new ArrayList<>();
        final List<SimpleMeterRegistry> registries = new ArrayList<>();
        for (final String node : addresses.keySet())
        {
            final NettyTransportConfig.Builder config = NettyTransportConfig.builder().clusterId("metrics")
                .listenAddress(addresses.get(node)).heartbeatInterval(Duration.ofMillis(100))
                .failureTimeout(Duration.ofMillis(3000))
                .reconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(300));
            addresses.forEach((peer, address) ->
            {
                if (!peer.equals(node))
                {
                    config.peer(peer, address);
                }
            });
            final NettyTransport transport = new NettyTransport(config.build());
            // Small WAL files, so that some are moved into segments while the test runs.
            final FileStorage storage = FileStorage.builder().directory(dir.resolve(node))
                .walMaxSizeBytes(64 * 1024).build();
            open.add(storage);
            final RaSystem system = RaSystem.builder().nodeId(node).transport(transport).storage(storage)
                .defaultTimeout(Duration.ofSeconds(10)).electionTimeout(Duration.ofMillis(300), Duration.ofMillis(600))
                .build();
            open.add(system);
            systems.add(system);
            final RaMetrics bound = RaMetrics.builder(system).storage(storage).transport(transport).build();
            final SimpleMeterRegistry registry = new SimpleMeterRegistry();
            bound.bindTo(registry);
            open.add(bound);
            metrics.add(bound);
            registries.add(registry);
        }
        final List<ServerId> members = List.of(new ServerId("kv", "n1"), new ServerId("kv", "n2"),
            new ServerId("kv", "n3"));
        final ServerId leader = systems.get(0).startCluster("kv", new KvMachine(), members);
        final RaSystem leaderSystem = systems.get(Integer.parseInt(leader.node().substring(1)) - 1);
        final String value = "x".repeat(1_000);
        for (int i = 0; i < 300; i++)
        {
            leaderSystem.processCommand(leader, new KvMachine.Put("k" + i, value));
        }

        for (int n = 0; n < 3; n++)
        {
            final String node = "n" + (n + 1);
            final SimpleMeterRegistry registry = registries.get(n);
            metrics.get(n).refresh();
            // A command commits once a majority has it: the third member may still be writing the last entries.
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (registry.get("ra.wal.records").functionCounter().count() < 300 && System.nanoTime() < deadline)
            {
                Thread.sleep(10);
                metrics.get(n).refresh();
            }
            final FunctionTimer sync = registry.get("ra.wal.sync").tag("node", node).functionTimer();
            assertThat(sync.count()).as(node + " WAL syncs").isPositive();
            assertThat(registry.get("ra.wal.batches").functionCounter().count()).isEqualTo(sync.count());
            assertThat(registry.get("ra.wal.records").functionCounter().count()).isGreaterThanOrEqualTo(300);
            assertThat(registry.get("ra.wal.bytes").functionCounter().count()).isGreaterThan(300_000);
            assertThat(registry.get("ra.wal.records.per.batch").gauge().value()).isGreaterThanOrEqualTo(1.0);
            assertThat(registry.get("ra.wal.sync.buckets").tag("le", "+Inf").functionCounter().count())
                .isEqualTo(sync.count());
            assertThat(registry.get("ra.wal.backpressure.waits").functionCounter().count()).isZero();
            final int index = n;
            InJvmCluster.await(() ->
            {
                metrics.get(index).refresh();
                return registry.get("ra.wal.segment.flushes").functionCounter().count() > 0;
            }, WAIT, node + "'s full WAL files to be moved into segments");
            assertThat(registry.get("ra.wal.segment.writes").functionCounter().count()).isPositive();
            assertThat(registry.get("ra.wal.segment.writes.hurried").functionCounter().count())
                .isLessThanOrEqualTo(registry.get("ra.wal.segment.writes").functionCounter().count());

            for (final String peer : addresses.keySet())
            {
                if (peer.equals(node))
                {
                    assertThat(registry.find("ra.transport.messages.sent").tag("peer", peer).functionCounters())
                        .isEmpty();
                    continue;
                }
                if (node.equals(leader.node()) || peer.equals(leader.node()))
                {
                    // Raft traffic runs between the leader and each follower, not between followers.
                    assertThat(registry.get("ra.transport.messages.sent").tag("peer", peer).functionCounter()
                        .count()).as(node + " to " + peer).isPositive();
                    assertThat(registry.get("ra.transport.messages.received").tag("peer", peer).functionCounter()
                        .count()).as(node + " from " + peer).isPositive();
                }
                assertThat(registry.get("ra.transport.sent.bytes").tag("peer", peer).functionCounter().count())
                    .isPositive();
                assertThat(registry.get("ra.transport.received.bytes").tag("peer", peer).functionCounter().count())
                    .isPositive();
                assertThat(registry.get("ra.transport.connections.opened").tag("peer", peer).functionCounter()
                    .count()).isGreaterThanOrEqualTo(1);
                assertThat(registry.get("ra.transport.peer.up").tag("peer", peer).gauge().value()).isEqualTo(1.0);
                assertThat(registry.get("ra.transport.queue.depth").tag("peer", peer).gauge().value())
                    .isGreaterThanOrEqualTo(0);
            }
        }
        // The leader's node sent its followers at least the 300 commands' entries, in far fewer messages.
        final SimpleMeterRegistry leaderRegistry = registries.get(Integer.parseInt(leader.node().substring(1)) - 1);
        assertThat(leaderRegistry.find("ra.transport.sent.bytes").functionCounters().stream()
            .mapToDouble(FunctionCounter::count).sum()).isGreaterThan(2 * 300_000);

        // A node going away is seen down by the others.
        final RaSystem last = systems.get(2);
        last.close();
        InJvmCluster.await(() ->
        {
            metrics.get(0).refresh();
            return registries.get(0).get("ra.transport.peer.up").tag("peer", "n3").gauge().value() == 0.0;
        }, WAIT, "n1 to see n3 down");
    }
}

package dev.ra.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.ClusterUnavailableException;
import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.log.FileStorage;
import dev.ra.testkit.CounterMachine;
import dev.ra.testkit.LoopbackPorts;
import dev.ra.transport.netty.NettyTransport;
import dev.ra.transport.netty.NettyTransportConfig;
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
 * A new user's first hour: three {@link RaSystem}s on Netty with data on disk, and a cluster started on them at once,
 * before their connections are up; and what a start that cannot succeed leaves behind.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StartOnNettyTest
{
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

    /**
     * Nodes {@code n1..n3} on 127.0.0.1, each knowing the others' addresses; fast heartbeats and failure detection.
     */
    private static Map<String, InetSocketAddress> threeAddresses()
    {
        final Map<String, InetSocketAddress> addresses = new LinkedHashMap<>();
        for (int i = 1; i <= 3; i++)
        {
            addresses.put("n" + i, new InetSocketAddress("127.0.0.1", LoopbackPorts.freePort()));
        }
        return addresses;
    }

    private static NettyTransport transport(final Map<String, InetSocketAddress> addresses, final String node)
    {
        final NettyTransportConfig.Builder builder = NettyTransportConfig.builder().clusterId("test")
            .listenAddress(addresses.get(node)).heartbeatInterval(Duration.ofMillis(100))
            .failureTimeout(Duration.ofMillis(3000)).reconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(300));
        addresses.forEach((peer, address) ->
        {
            if (!peer.equals(node))
            {
                builder.peer(peer, address);
            }
        });
        return new NettyTransport(builder.build());
    }

    private RaSystem node(final Map<String, InetSocketAddress> addresses, final String node,
        final Duration defaultTimeout)
    {
        final FileStorage storage = FileStorage.builder().directory(dir.resolve(node)).build();
        open.add(storage);
        final RaSystem system = RaSystem.builder().nodeId(node).transport(transport(addresses, node))
            .storage(storage).defaultTimeout(defaultTimeout)
            .electionTimeout(Duration.ofMillis(300), Duration.ofMillis(600)).build();
        open.add(system);
        return system;
    }

    @Test
    void aClusterStartedRightAfterBuildingThreeSystemsOnNettyForms()
    {
        final Map<String, InetSocketAddress> addresses = threeAddresses();
        final RaSystem n1 = node(addresses, "n1", Duration.ofSeconds(10));
        node(addresses, "n2", Duration.ofSeconds(10));
        node(addresses, "n3", Duration.ofSeconds(10));
        final List<ServerId> members = List.of(new ServerId("bank", "n1"), new ServerId("bank", "n2"),
            new ServerId("bank", "n3"));

        final ServerId leader = n1.startCluster("bank", new CounterMachine(), members);

        assertThat(members).contains(leader);
        assertThat(n1.<Long>processCommand(members.get(2), 5L).reply()).isEqualTo(5L);
    }

    @Test
    void aStartThatFailsLeavesNothingHalfRegisteredSoLaterCallsFailAtOnceWithTheReason()
    {
        // n3 is configured but never started: nothing listens at its address.
        final Map<String, InetSocketAddress> addresses = threeAddresses();
        final RaSystem n1 = node(addresses, "n1", Duration.ofSeconds(1));
        final RaSystem n2 = node(addresses, "n2", Duration.ofSeconds(1));
        final List<ServerId> members = List.of(new ServerId("bank", "n1"), new ServerId("bank", "n2"),
            new ServerId("bank", "n3"));

        assertThatThrownBy(() -> n1.startCluster("bank", new CounterMachine(), members))
            .isInstanceOf(ClusterUnavailableException.class).hasMessageContaining("n3");

        assertThat(n1.runningServers()).isEmpty();
        assertThat(n2.runningServers()).isEmpty();
        // The next call does not wait for its timeout on a cluster that never formed: it is told why at once.
        for (final ServerId member : members)
        {
            assertThatThrownBy(() -> n1.processCommand(member, 1L, Duration.ofMinutes(5)))
                .isInstanceOf(ClusterUnavailableException.class)
                .hasMessageContaining("bank").hasMessageContaining("n3");
            assertThatThrownBy(() -> n1.members(member)).isInstanceOf(ClusterUnavailableException.class);
        }
    }
}

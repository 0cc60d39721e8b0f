package dev.ra.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.MemberChange;
import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.log.FileStorage;
import dev.ra.testkit.CounterMachine;
import dev.ra.testkit.InJvmCluster;
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
 * The recovery docs/OPERATIONS.md ("The data directory") gives for a node whose data is gone: its member is removed
 * from its cluster and added back under the same id, then started with the change that added it. Three nodes on
 * Netty and ra-log; a node that acknowledged writes restarts on an empty directory; after the recovery the leader's
 * node stops, and the two others still hold every acknowledged write.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class LostDataDirectoryTest
{
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private final Map<String, InetSocketAddress> addresses = new LinkedHashMap<>();
    private final Map<String, RaSystem> systems = new LinkedHashMap<>();
    private final Map<String, FileStorage> storages = new LinkedHashMap<>();

    @AfterEach
    void close()
    {
        for (final String node : new ArrayList<>(systems.keySet()))
        {
            stop(node);
        }
    }

    private void start(final String node, final Path data)
    {
        final NettyTransportConfig.Builder builder = NettyTransportConfig.builder().clusterId("lost")
            .listenAddress(addresses.get(node)).heartbeatInterval(Duration.ofMillis(100))
            .failureTimeout(Duration.ofMillis(3000)).reconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(300));
        addresses.forEach((peer, address) ->
        {
            if (!peer.equals(node))
            {
                builder.peer(peer, address);
            }
        });
        final FileStorage storage = FileStorage.builder().directory(data).build();
        storages.put(node, storage);
        systems.put(node, RaSystem.builder().nodeId(node).transport(new NettyTransport(builder.build()))
            .storage(storage).defaultTimeout(Duration.ofSeconds(30))
            .electionTimeout(Duration.ofMillis(300), Duration.ofMillis(600)).build());
    }

    private void stop(final String node)
    {
        systems.remove(node).close();
        storages.remove(node).close();
    }

    /** The counter as a member reads it through its cluster's log (retried while no leader is known). */
    private long read(final ServerId via)
    {
        return InJvmCluster.await(() ->
        {
            try
            {
                return systems.get(via.node()).<Long>processCommand(via, 0L, Duration.ofSeconds(5)).reply();
            }
            catch (final RuntimeException noLeaderYet)
            {
                return null;
            }
        }, WAIT, "the counter read through " + via);
    }

    @Test
    void aMemberWhoseDataIsLostIsRemovedAndAddedBackAndNoAcknowledgedWriteIsLost()
    {
        for (int i = 1; i <= 3; i++)
        {
            addresses.put("n" + i, new InetSocketAddress("127.0.0.1", LoopbackPorts.freePort()));
        }
        for (final String node : List.copyOf(addresses.keySet()))
        {
            start(node, dir.resolve(node));
        }
        final List<ServerId> members = List.of(new ServerId("bank", "n1"), new ServerId("bank", "n2"),
            new ServerId("bank", "n3"));
        final ServerId leader = systems.get("n1").startCluster("bank", new CounterMachine(), members);
        final List<ServerId> others = members.stream().filter(m -> !m.equals(leader)).toList();
        final ServerId lagging = others.get(0);
        final ServerId lost = others.get(1);
        long acknowledged = 0;
        for (int i = 0; i < 5; i++)
        {
            acknowledged = systems.get(leader.node()).<Long>processCommand(leader, 1L).reply();
        }
        // The last writes are acknowledged by the leader and the member whose data is then lost.
        stop(lagging.node());
        for (int i = 0; i < 5; i++)
        {
            acknowledged = systems.get(leader.node()).<Long>processCommand(leader, 1L).reply();
        }
        stop(lost.node());
        start(lost.node(), dir.resolve(lost.node() + "-empty"));
        start(lagging.node(), dir.resolve(lagging.node()));
        assertThat(systems.get(lost.node()).runningServers()).as("servers on the empty directory").isEmpty();

        // The recovery: remove the member, add it back under its id, start it with the change that added it.
        final RaSystem survivor = systems.get(leader.node());
        survivor.removeMember(leader, lost);
        final MemberChange added = survivor.addMember(leader, lost);
        systems.get(lost.node()).startServer("bank", new CounterMachine(), lost, members, added);
        final RaSystem recovered = systems.get(lost.node());
        InJvmCluster.await(() -> recovered.isRunning(lost) &&
            recovered.overview(lost).lastApplied() >= survivor.overview(leader).commitIndex() ? Boolean.TRUE : null,
            WAIT, lost + " caught up");

        stop(leader.node());
        assertThat(read(lagging)).as("the counter after the leader's node stopped").isEqualTo(acknowledged);
    }
}

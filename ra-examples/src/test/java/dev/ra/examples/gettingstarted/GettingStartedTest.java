package dev.ra.examples.gettingstarted;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.ApplyResult;
import dev.ra.CommandMeta;
import dev.ra.CommandResult;
import dev.ra.InitArgs;
import dev.ra.QueryResult;
import dev.ra.RaCluster;
import dev.ra.RaException;
import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.StateMachine;
import dev.ra.log.FileStorage;
import dev.ra.testkit.LoopbackPorts;
import dev.ra.transport.netty.NettyTransport;
import dev.ra.transport.netty.NettyTransportConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The code of README.md and docs/GETTING-STARTED.md, compiled and run: the documents quote the regions between
 * {@code tag::NAME[]} and {@code end::NAME[]} ({@link DocsQuoteTest} checks that they still do).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GettingStartedTest
{
    // tag::machine[]
    /** A counter per key: a command is a key, the reply is the key's new count. */
    public static final class Counter implements StateMachine<String, Map<String, Long>>
    {
        @Override
        public Map<String, Long> init(final InitArgs args)
        {
            return Map.of();
        }

        @Override
        public ApplyResult<Map<String, Long>> apply(final CommandMeta meta, final String key,
            final Map<String, Long> state)
        {
            final Map<String, Long> next = new LinkedHashMap<>(state);   // never modify the previous state
            final long count = next.merge(key, 1L, Long::sum);
            return ApplyResult.of(next, count);                          // the new state, and the reply
        }
    }
    // end::machine[]

    // tag::node[]
    /** One node: a RaSystem with a Netty transport to its peers and its data on disk. */
    static RaSystem startNode(final String nodeId, final Map<String, InetSocketAddress> addresses,
        final Path dataDir)
    {
        final NettyTransportConfig.Builder transport = NettyTransportConfig.builder()
            .clusterId("getting-started")                  // the same on every node of one deployment
            .listenAddress(addresses.get(nodeId));
        addresses.forEach((peer, address) ->
        {
            if (!peer.equals(nodeId))
            {
                transport.peer(peer, address);
            }
        });
        return RaSystem.builder()
            .nodeId(nodeId)
            .transport(new NettyTransport(transport.build()))
            .storage(FileStorage.builder().directory(dataDir.resolve(nodeId)).build())
            .build();                                      // also restarts the servers found in its storage
    }
    // end::node[]

    @TempDir
    Path dataDir;

    @Test
    void threeNodesOnNettyWithDataOnDiskFailoverAndRestart()
    {
        final Map<String, InetSocketAddress> addresses = Map.of("n1", loopback(), "n2", loopback(), "n3",
            loopback());
        // tag::cluster[]
        final RaSystem n1 = startNode("n1", addresses, dataDir);
        final RaSystem n2 = startNode("n2", addresses, dataDir);
        final RaSystem n3 = startNode("n3", addresses, dataDir);
        final List<ServerId> members = List.of(new ServerId("counters", "n1"), new ServerId("counters", "n2"),
            new ServerId("counters", "n3"));

        // Starts the three members (through their nodes) and waits until they have elected a leader.
        final RaCluster<String, Map<String, Long>, Long> counters =
            n1.startCluster("counters", new Counter(), Long.class, members);

        final CommandResult<Long> apples = counters.process("apples");   // reply 1, once a majority has it
        final QueryResult<Long> read = counters.consistentQuery(state -> state.get("apples"));   // 1, linearizable
        // end::cluster[]
        assertThat(apples.reply()).isEqualTo(1L);
        assertThat(read.result()).isEqualTo(1L);

        final Map<String, RaSystem> nodes = new LinkedHashMap<>(Map.of("n1", n1, "n2", n2, "n3", n3));
        try
        {
            // tag::failover[]
            final ServerId leader = counters.leader();
            nodes.remove(leader.node()).close();           // the leader's node goes away
            final RaSystem survivor = nodes.values().iterator().next();
            final RaCluster<String, Map<String, Long>, Long> fromSurvivor =
                survivor.cluster("counters", new Counter(), Long.class, members);
            final CommandResult<Long> again = fromSurvivor.process("apples");   // 2, under a newly elected leader
            // end::failover[]
            assertThat(again.reply()).isEqualTo(2L);
            assertThat(again.leader()).isNotEqualTo(leader);

            // tag::restart[]
            final RaSystem restarted = startNode(leader.node(), addresses, dataDir);   // same data directory
            nodes.put(leader.node(), restarted);
            final RaCluster<String, Map<String, Long>, Long> fromRestarted =
                restarted.cluster("counters", new Counter(), Long.class, members);
            final QueryResult<Long> caughtUp = fromRestarted.consistentQuery(state -> state.get("apples"));   // 2
            // end::restart[]
            assertThat(caughtUp.result()).isEqualTo(2L);
        }
        finally
        {
            nodes.values().forEach(RaSystem::close);
        }
    }

    /**
     * The tutorial says that {@code build()} fails naming the node and the address when the address is in use. The
     * node's storage, built inline, used to stay open with its directory locked, out of the caller's reach: once the
     * address was free again, the next start on that data directory in the same JVM failed too.
     */
    @Test
    void aNodeWhoseAddressIsInUseStartsOnItsDataDirectoryOnceTheAddressIsFree() throws IOException
    {
        final InetSocketAddress address = loopback();
        final Map<String, InetSocketAddress> addresses = Map.of("n1", address);
        try (ServerSocket squatter = new ServerSocket())
        {
            squatter.bind(address);
            assertThatThrownBy(() -> startNode("n1", addresses, dataDir)).isInstanceOf(RaException.class)
                .hasMessageContaining("n1").hasMessageContaining(String.valueOf(address.getPort()));
        }

        try (RaSystem n1 = startNode("n1", addresses, dataDir))
        {
            assertThat(n1.nodeId()).isEqualTo("n1");
        }
    }

    private static InetSocketAddress loopback()
    {
        return new InetSocketAddress("127.0.0.1", LoopbackPorts.freePort());
    }
}

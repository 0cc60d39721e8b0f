package dev.ra.runtime;

import dev.ra.ServerId;
import dev.ra.protocol.JoinPoint;
import dev.ra.protocol.ServerRequest;
import dev.ra.protocol.UserCommand;
import dev.ra.runtime.injvm.InJvmNetwork;
import dev.ra.runtime.memory.InMemoryStorage;
import dev.ra.testkit.CounterMachine;
import dev.ra.testkit.InJvmCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The loops' ticks visit only servers with something a tick could do: once clusters are idle (every entry replicated,
 * applied and recorded), no server is offered a tick on any node; a command makes its leader ticked again until its
 * followers have it.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class IdleServersTicksTest
{
    private static final int CLUSTERS = 20;

    @Test
    void idleClustersAreNotVisitedByTheTick() throws Exception
    {
        final List<RaRuntime> nodes = new ArrayList<>();
        try (InJvmNetwork network = new InJvmNetwork())
        {
            for (final String node : List.of("n1", "n2", "n3"))
            {
                final RaRuntime runtime = new RaRuntime(new RuntimeConfig(node, network.newTransport(),
                    new InMemoryStorage(), 1, Duration.ofMillis(20), Duration.ofMillis(150), Duration.ofMillis(300),
                    Duration.ofSeconds(10), Duration.ofMillis(2), 16, Map.of(), Map.of(), null, true));
                nodes.add(runtime);
                runtime.start();
            }
            final List<ServerId> leaders = new ArrayList<>();
            for (int c = 0; c < CLUSTERS; c++)
            {
                final List<ServerId> members = List.of(new ServerId("c" + c, "n1"), new ServerId("c" + c, "n2"),
                    new ServerId("c" + c, "n3"));
                final List<CompletableFuture<Void>> starts = new ArrayList<>();
                for (int i = 0; i < 3; i++)
                {
                    starts.add(nodes.get(i).startLocalServer("c" + c, CounterMachine.class.getName(),
                        new CounterMachine(), members.get(i), members, true, JoinPoint.NONE));
                }
                CompletableFuture.allOf(starts.toArray(new CompletableFuture<?>[0])).get(30, TimeUnit.SECONDS);
                nodes.get(0).call(members.get(0), new ServerRequest.TriggerElection(), Duration.ofSeconds(10))
                    .get(30, TimeUnit.SECONDS);
                leaders.add(nodes.get(0).awaitLeader(members.get(0), Duration.ofSeconds(30)).get(30,
                    TimeUnit.SECONDS));
            }
            for (final ServerId leader : leaders)
            {
                final RaRuntime node = nodes.get(Integer.parseInt(leader.node().substring(1)) - 1);
                node.call(leader, new ServerRequest.Command(node.encodeCommand(leader, 1L)), Duration.ofSeconds(10))
                    .get(30, TimeUnit.SECONDS);
            }
            InJvmCluster.await(() -> offered(nodes) == 0 ? true : null, Duration.ofSeconds(60),
                "no server offered ticks once every cluster is idle (offered now: " + offered(nodes) + ")");

            // A command to one cluster: its leader is ticked until its followers have the entry and know it committed.
            final ServerId leader = leaders.get(0);
            final RaRuntime node = nodes.get(Integer.parseInt(leader.node().substring(1)) - 1);
            final UserCommand command = node.encodeCommand(leader, 2L);
            node.call(leader, new ServerRequest.Command(command), Duration.ofSeconds(10)).get(30, TimeUnit.SECONDS);
            InJvmCluster.await(() -> offered(nodes) == 0 ? true : null, Duration.ofSeconds(60),
                "no server offered ticks once the cluster is idle again");
        }
        finally
        {
            for (final RaRuntime node : nodes)
            {
                node.close();
            }
        }
    }

    private static int offered(final List<RaRuntime> nodes)
    {
        int offered = 0;
        for (final RaRuntime node : nodes)
        {
            offered += node.serversOfferedTicks();
        }
        return offered;
    }
}

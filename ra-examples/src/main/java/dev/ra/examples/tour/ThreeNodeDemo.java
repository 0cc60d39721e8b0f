package dev.ra.examples.tour;

import dev.ra.CommandResult;
import dev.ra.QueryResult;
import dev.ra.RaEvent;
import dev.ra.RaProcess;
import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.runtime.injvm.InJvmNetwork;
import dev.ra.runtime.memory.InMemoryStorage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A tour of Ra for the JVM in one process: three nodes on an in-JVM network, one cluster with a member on each,
 * commands, pipelined commands, queries, and a leader failure. Prints what it does and exits 0.
 *
 * <p>Run it with {@code java -cp ra-examples.jar:ra-core.jar:slf4j-api.jar dev.ra.examples.tour.ThreeNodeDemo} (no
 * JVM flags needed).
 */
public final class ThreeNodeDemo
{
    private ThreeNodeDemo()
    {
    }

    /**
     * @param args ignored.
     * @throws InterruptedException if interrupted while waiting for notifications.
     */
    public static void main(final String[] args) throws InterruptedException
    {
        final InJvmNetwork network = new InJvmNetwork();
        final List<RaSystem> nodes = new ArrayList<>();
        try
        {
            for (int i = 1; i <= 3; i++)
            {
                nodes.add(RaSystem.builder().nodeId("n" + i).transport(network.newTransport())
                    .storage(new InMemoryStorage()).eventLoops(1)
                    .electionTimeout(Duration.ofMillis(300), Duration.ofMillis(600)).build());
            }
            say("started 3 nodes (RaSystems) n1, n2, n3 on an in-JVM network");
            final RaSystem n1 = nodes.get(0);
            final List<ServerId> members = List.of(new ServerId("counters", "n1"), new ServerId("counters", "n2"),
                new ServerId("counters", "n3"));

            final ServerId leader = n1.startCluster("counters", new CounterMapMachine(), members);
            say("started cluster 'counters' with members " + members + "; leader: " + leader);

            for (final String command : List.of("apples", "apples:+4", "pears"))
            {
                final CommandResult<Long> result = n1.processCommand(members.get(0), command);
                say("processCommand(" + command + ") -> " + result.reply() + " (applied by leader " +
                    result.leader() + ")");
            }

            final ServerId follower = members.stream().filter(m -> !m.equals(leader)).findFirst().orElseThrow();
            final RaSystem followerNode = nodes.get(Integer.parseInt(follower.node().substring(1)) - 1);
            final CommandResult<Long> redirected = followerNode.processCommand(follower, "pears:+10");
            say("processCommand sent to follower " + follower + " was redirected; reply " + redirected.reply() +
                " from leader " + redirected.leader());

            final CountDownLatch applied = new CountDownLatch(5);
            final RaSystem leaderNode = nodes.get(Integer.parseInt(leader.node().substring(1)) - 1);
            final RaProcess leaderListener = leaderNode.spawn(event ->
            {
                if (event instanceof RaEvent.Applied batch)
                {
                    say("  notification: " + batch.applied().size() + " pipelined command(s) applied by " +
                        batch.leader() + ": " + batch.applied());
                    batch.applied().forEach(c -> applied.countDown());
                }
            });
            for (int i = 1; i <= 5; i++)
            {
                leaderNode.pipelineCommand(leader, "plums", "plum-" + i, leaderListener.ref());
            }
            say("pipelined 5 commands to the leader with correlations plum-1..plum-5");
            if (!applied.await(10, TimeUnit.SECONDS))
            {
                throw new IllegalStateException("pipelined commands were not all applied");
            }
            leaderListener.close();

            final QueryResult<Map<String, Long>> consistent = followerNode.consistentQuery(follower,
                (Map<String, Long> state) -> state);
            say("consistentQuery on follower " + follower + " -> " + consistent.result() + " at index " +
                consistent.index());

            leaderNode.stopServer(leader);
            say("stopped the leader " + leader);
            final ServerId survivor = members.stream().filter(m -> !m.equals(leader)).findFirst().orElseThrow();
            final RaSystem survivorNode = nodes.get(Integer.parseInt(survivor.node().substring(1)) - 1);
            final CommandResult<Long> afterFailover = survivorNode.processCommand(survivor, "apples");
            say("new leader: " + afterFailover.leader() + "; processCommand(apples) -> " + afterFailover.reply());
            final QueryResult<Map<String, Long>> finalState = survivorNode.consistentQuery(survivor,
                (Map<String, Long> state) -> state);
            say("state after the failover: " + finalState.result());
            say("cluster members as the new leader sees them: " + survivorNode.members(survivor));
        }
        finally
        {
            for (final RaSystem node : nodes)
            {
                node.close();
            }
            network.close();
        }
        say("closed all nodes; done");
    }

    private static void say(final String line)
    {
        System.out.println("[demo] " + line);
    }
}

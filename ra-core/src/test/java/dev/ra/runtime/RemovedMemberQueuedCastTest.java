package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.CommandResult;
import dev.ra.RaEvent;
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
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A pipelined command still in the mailbox of a member when the member is deleted without its cluster (removed, or
 * force-deleted): the stop answers it as the node answers a command for the deleted member that arrives later, naming
 * the member the deletion names (or passing the command on to it), not as for a server that merely stopped.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RemovedMemberQueuedCastTest
{
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final InJvmNetwork network = new InJvmNetwork();
    private final List<RaRuntime> nodes = new ArrayList<>();

    @AfterEach
    void close()
    {
        for (final RaRuntime node : nodes)
        {
            node.close();
        }
        network.close();
    }

    @Test
    void aQueuedPipelinedCommandIsRejectedNamingTheMemberTheDeletionNames() throws Exception
    {
        final List<ServerId> members = startCluster("a");
        final ServerId leader = members.get(0);
        final ServerId deleted = members.get(1);
        final RaRuntime node = node(deleted);
        final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
        final var process = node.spawn(events::add, Runnable::run);
        final UserCommand command = node.encodeCommand(deleted, 1L);

        deleteWithCommandQueued(deleted, () -> node.castCommand(deleted, command, process.ref(), "c1", 0));

        final Object answer = events.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(answer).as("the answer to the queued command").isInstanceOf(RaEvent.Rejected.class);
        assertThat(((RaEvent.Rejected)answer).leaderHint()).as("the member the rejection names").isEqualTo(leader);
    }

    @Test
    void aQueuedPipelinedCommandWithoutAProcessGoesOnToTheMemberTheDeletionNames() throws Exception
    {
        final List<ServerId> members = startCluster("b");
        final ServerId leader = members.get(0);
        final ServerId deleted = members.get(1);
        final RaRuntime node = node(deleted);
        final UserCommand command = node.encodeCommand(deleted, 5L);

        deleteWithCommandQueued(deleted, () -> node.castCommand(deleted, command, null, null, 0));

        // The counter reads 5 (a command of 0 answers the counter) once the queued command is applied.
        final RaRuntime leaderNode = node(leader);
        InJvmCluster.await(() -> Long.valueOf(5L).equals(counter(leaderNode, leader)) ? true : null, WAIT,
            "the queued command applied");
    }

    private static Object counter(final RaRuntime node, final ServerId leader)
    {
        // Bounded by the call's own timeout.
        return ((CommandResult<?>)node.call(leader, new ServerRequest.Command(node.encodeCommand(leader, 0L)), WAIT)
            .join()).reply();
    }

    /**
     * On the member's loop, a command is cast to it (into its mailbox, behind this task) and the member is then
     * deleted as a committed removal deletes it: the command is in its mailbox when it stops.
     */
    private void deleteWithCommandQueued(final ServerId member, final Runnable cast) throws Exception
    {
        final CompletableFuture<Void> done = new CompletableFuture<>();
        node(member).runOnServer(member, server ->
        {
            cast.run();
            server.stop(true, null);
            done.complete(null);
        });
        done.get(60, TimeUnit.SECONDS);
    }

    private List<ServerId> startCluster(final String name) throws Exception
    {
        if (nodes.isEmpty())
        {
            for (final String node : List.of("n1", "n2", "n3"))
            {
                final RaRuntime runtime = new RaRuntime(new RuntimeConfig(node, network.newTransport(),
                    new InMemoryStorage(), 1, Duration.ofMillis(20), Duration.ofMillis(150), Duration.ofMillis(300),
                    Duration.ofSeconds(10), Duration.ofMillis(2), 16, Map.of(), Map.of(), null, true));
                nodes.add(runtime);
                runtime.start();
            }
        }
        final List<ServerId> members = List.of(new ServerId(name, "n1"), new ServerId(name, "n2"),
            new ServerId(name, "n3"));
        final List<CompletableFuture<Void>> starts = new ArrayList<>();
        for (int i = 0; i < 3; i++)
        {
            starts.add(nodes.get(i).startLocalServer(name, CounterMachine.class.getName(), new CounterMachine(),
                members.get(i), members, true, JoinPoint.NONE));
        }
        CompletableFuture.allOf(starts.toArray(new CompletableFuture<?>[0])).get(60, TimeUnit.SECONDS);
        nodes.get(0).call(members.get(0), new ServerRequest.TriggerElection(), WAIT).get(60, TimeUnit.SECONDS);
        assertThat(nodes.get(0).awaitLeader(members.get(0), WAIT).get(60, TimeUnit.SECONDS)).isEqualTo(members.get(0));
        return members;
    }

    private RaRuntime node(final ServerId server)
    {
        return nodes.get(Integer.parseInt(server.node().substring(1)) - 1);
    }
}

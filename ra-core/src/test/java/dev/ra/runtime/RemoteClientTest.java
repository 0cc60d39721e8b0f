package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.ClusterUnavailableException;
import dev.ra.CommandResult;
import dev.ra.RaEvent;
import dev.ra.RaException;
import dev.ra.RaProcess;
import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.testkit.CounterMachine;
import dev.ra.testkit.InJvmCluster;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A node that hosts no member of the cluster: it starts the cluster on other nodes and talks to it only through the
 * transport (encoded commands, replies and notifications).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RemoteClientTest
{
    private final InJvmCluster cluster = new InJvmCluster(4, b -> b.registerMachine("counter",
        CounterMachine::new));
    private final List<ServerId> members = List.of(new ServerId("c", "n2"), new ServerId("c", "n3"),
        new ServerId("c", "n4"));

    @AfterEach
    void close()
    {
        cluster.close();
    }

    @Test
    void aClientOnlyNodeStartsAClusterElsewhereAndUsesIt() throws InterruptedException
    {
        final RaSystem client = cluster.system("n1");

        final ServerId leader = client.startCluster("c", "counter", members);
        final CommandResult<Long> first = client.processCommand(members.get(0), 5L);
        final CommandResult<Long> second = client.processCommand(members.get(1), 2L);

        assertThat(leader).isIn(members);
        assertThat(first.reply()).isEqualTo(5L);
        assertThat(second.reply()).isEqualTo(7L);
        assertThat(second.leader()).isEqualTo(leader);
        assertThat(client.members(members.get(2))).containsExactlyInAnyOrderElementsOf(members);

        final BlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
        final RaProcess process = client.spawn(inbox::add);
        client.pipelineCommand(leader, 1L, "one", process.ref());
        assertThat(inbox.poll(10, TimeUnit.SECONDS))
            .isEqualTo(new RaEvent.Applied(leader, List.of(new RaEvent.Correlated("one", 8L))));
    }

    @Test
    void serversOnOtherNodesCanBeStoppedAndTheClientMovesToTheOtherMembers()
    {
        final RaSystem client = cluster.system("n1");
        final ServerId leader = client.startCluster("c", "counter", members);

        client.stopServer(leader);
        client.stopServer(leader);

        final CommandResult<Long> afterStop = client.processCommand(leader, 1L, Duration.ofSeconds(10));
        assertThat(afterStop.leader()).isNotEqualTo(leader).isIn(members);
        cluster.system(leader).restartServer(leader);
        assertThat(client.processCommand(leader, 1L).reply()).isEqualTo(2L);
    }

    @Test
    void startingAClusterWithAMachineUnknownOnAMemberNodeFailsAndCleansUp()
    {
        final RaSystem client = cluster.system("n1");
        final List<ServerId> withUnknown = List.of(new ServerId("u", "n1"), new ServerId("u", "n2"));

        assertThatThrownBy(() -> client.startCluster("u", new LocalOnlyMachine(), withUnknown))
            .isInstanceOf(ClusterUnavailableException.class).hasMessageContaining("no public no-arg constructor");
        assertThat(client.isRunning(withUnknown.get(0))).as("the member that started was deleted").isFalse();
    }

    /** A machine other nodes cannot create: it has no public no-arg constructor and is not registered. */
    private static final class LocalOnlyMachine implements dev.ra.StateMachine<Object, Object>
    {
        LocalOnlyMachine()
        {
        }

        @Override
        public Object init(final dev.ra.InitArgs args)
        {
            return 0L;
        }

        @Override
        public dev.ra.ApplyResult<Object> apply(final dev.ra.CommandMeta meta, final Object command,
            final Object state)
        {
            return dev.ra.ApplyResult.of(state);
        }
    }

    @Test
    void callsPendingWhenTheSystemClosesFailAtOnceInsteadOfWaitingForTheirTimeout()
    {
        final RaSystem client = cluster.system("n1");
        client.startCluster("c", "counter", members);
        for (final ServerId member : members)
        {
            cluster.system(member).stopServer(member);
        }
        // Every member is down, so the call keeps retrying; only its (long) timeout or the close can end it. No
        // leader ever took the command, so its failure is definite, not "outcome unknown".
        final CompletableFuture<CommandResult<Long>> pending =
            client.processCommandAsync(members.get(0), 1L, Duration.ofSeconds(120));

        cluster.stopNode("n1");

        assertThat(pending).failsWithin(Duration.ofSeconds(20))
            .withThrowableOfType(ExecutionException.class)
            .withCauseInstanceOf(RaException.class)
            .withMessageContaining("closed")
            .withMessageContaining("not applied");
        assertThatThrownBy(() -> client.processCommandAsync(members.get(0), 1L, Duration.ofSeconds(1)))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("closed");
    }
}

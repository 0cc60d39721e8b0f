package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.RaEvent;
import dev.ra.RaProcess;
import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.ServerOverloadedException;
import dev.ra.runtime.injvm.InJvmNetwork;
import dev.ra.testkit.CounterMachine;
import dev.ra.testkit.InJvmCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Clients faster than a cluster commits (here: the followers' acknowledgements never reach the leader) are refused
 * once the leader holds {@code RaSystemBuilder.maxUncommittedBytes} of commands not yet applied, rather than make it
 * hold them until the JVM runs out of heap: {@code processCommand} fails with a {@link ServerOverloadedException}
 * naming the leader and the setting (not retried elsewhere, not a timeout), and a pipelining process, on the leader's
 * node or another, is told so in place of the reply. Once the followers are heard again, the commands taken commit.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class OverloadedLeaderTest
{
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int COMMANDS = 1_000;

    private final List<ServerId> members = List.of(new ServerId("c", "n2"), new ServerId("c", "n3"),
        new ServerId("c", "n4"));
    private final InJvmCluster cluster = new InJvmCluster(4, b -> b.registerMachine("counter", CounterMachine::new)
        .maxUncommittedBytes(8 * 1024));

    @AfterEach
    void close()
    {
        cluster.close();
    }

    @Test
    void aLeaderThatCannotCommitRefusesCommandsPastTheLimitAndTakesThemAgainOnceItCommits() throws Exception
    {
        final RaSystem client = cluster.system("n1");
        client.startCluster("c", "counter", members);
        final ServerId leader = cluster.awaitLeader(members, WAIT);
        assertThat(client.<Long>processCommand(leader, 1L).reply()).isEqualTo(1L);
        final InJvmNetwork network = cluster.network();
        for (final ServerId member : members)
        {
            if (!member.equals(leader))
            {
                network.cutOneWay(member.node(), leader.node());
            }
        }

        final BlockingQueue<Object> remoteEvents = new LinkedBlockingQueue<>();
        final RaProcess remote = client.spawn(remoteEvents::add);
        final RaSystem leaderNode = cluster.system(leader);
        final BlockingQueue<Object> localEvents = new LinkedBlockingQueue<>();
        final RaProcess local = leaderNode.spawn(localEvents::add);
        for (int i = 0; i < COMMANDS; i++)
        {
            client.pipelineCommand(leader, 1L, "r" + i, remote.ref());
            leaderNode.pipelineCommand(leader, 1L, "l" + i, local.ref());
        }
        assertThat(awaitRefusals(remoteEvents, leader)).as("commands of a process on another node refused")
            .isNotEmpty();
        assertThat(awaitRefusals(localEvents, leader)).as("commands of a process on the leader's node refused")
            .isNotEmpty();

        assertThatThrownBy(() -> client.processCommandAsync(leader, 1L, WAIT).get(WAIT.toSeconds() * 2,
            TimeUnit.SECONDS))
            .isInstanceOf(ExecutionException.class)
            .cause().isInstanceOf(ServerOverloadedException.class)
            .hasMessageContaining(leader.toString())
            .hasMessageContaining("RaSystemBuilder.maxUncommittedBytes");

        network.healAll();
        // The commands taken commit, and new ones are taken again: what a refused caller does, retry later.
        InJvmCluster.await(() -> taken(client, leader), WAIT, "a command taken once the followers are heard again");
    }

    private static boolean taken(final RaSystem client, final ServerId leader)
    {
        try
        {
            return client.<Long>processCommand(leader, 0L, WAIT).reply() > 1L;
        }
        catch (final ServerOverloadedException e)
        {
            return false;
        }
    }

    /**
     * Reads the process's first notification: the commands taken are not applied while the leader cannot commit, so
     * it tells of refusals only.
     */
    private static List<RaEvent.Correlated> awaitRefusals(final BlockingQueue<Object> events, final ServerId leader)
        throws InterruptedException
    {
        final List<RaEvent.Correlated> refused = new ArrayList<>();
        while (refused.isEmpty())
        {
            final Object event = events.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(event).as("a notification of a refused command, after " + refused.size())
                .isInstanceOf(RaEvent.Applied.class);
            for (final RaEvent.Correlated notified : ((RaEvent.Applied)event).applied())
            {
                assertThat(notified.reply()).as("what " + notified.correlation() + " was told")
                    .isInstanceOfSatisfying(ServerOverloadedException.class, overloaded ->
                        assertThat(overloaded.getMessage()).contains(leader.toString(), "maxUncommittedBytes"));
                refused.add(notified);
            }
        }
        return refused;
    }
}

package dev.ra.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.CommandFailedException;
import dev.ra.InvalidCommandException;
import dev.ra.RaEvent;
import dev.ra.RaException;
import dev.ra.RaProcess;
import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.testkit.CounterMachine;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.ThrowingMachine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A process on a node that hosts no member (n4) pipelines commands to a cluster on n1..n3 over the Netty transport
 * (loopback): a command whose {@code apply} throws, or that the leader refuses, is notified to it as to a process on
 * the leader's node, in log order with the others (protocol version 5, {@code FailedNotice}); so is a command applied
 * whose reply is too large to send. Members limited to
 * version 4 (an older release) tell it of the other commands only, and the connection stays up.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class FailedCommandNoticeTest
{
    private static final Duration STARTUP = Duration.ofSeconds(30);
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String CLIENT = "n4";

    private final List<ServerId> members = List.of(new ServerId("t", "n1"), new ServerId("t", "n2"),
        new ServerId("t", "n3"));
    private InJvmCluster cluster;

    @AfterEach
    void close()
    {
        if (null != cluster)
        {
            cluster.close();
        }
    }

    /**
     * @param newest the newest protocol version of node n{i} (its index from 1).
     * @return the leader.
     */
    private ServerId start(final IntUnaryOperator newest)
    {
        final LoopbackTransports transports = new LoopbackTransports(4, (node, builder) -> builder
            .callerConnections(false).newestProtocolForTests(newest.applyAsInt(Integer.parseInt(node.substring(1)))));
        cluster = new InJvmCluster(4, transports, b -> b.registerMachine("throwing", ThrowingMachine::new));
        transports.awaitConnected(STARTUP);
        cluster.system(CLIENT).startCluster("t", "throwing", members);
        return cluster.awaitLeader(members, STARTUP);
    }

    @Test
    void aProcessOnAnotherNodeHearsOfItsFailedCommandsInLogOrder() throws Exception
    {
        final ServerId leader = start(node -> ProtocolVersions.NEWEST);
        final RaSystem client = cluster.system(CLIENT);
        final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
        final RaProcess observer = client.spawn(events::add);

        client.pipelineCommand(leader, "boom", "c1", observer.ref());
        client.pipelineCommand(leader, "inc", "c2", observer.ref());

        final List<RaEvent.Correlated> applied = awaitNotified(events, 2);
        assertThat(applied).extracting(RaEvent.Correlated::correlation).containsExactly("c1", "c2");
        assertThat(applied.get(0).reply()).isInstanceOfSatisfying(CommandFailedException.class, failed ->
        {
            assertThat(failed.exceptionClass()).isEqualTo(IllegalStateException.class.getName());
            assertThat(failed.getMessage()).isEqualTo("boom at count 0");
            assertThat(failed.index()).isPositive();
        });
        assertThat(applied.get(1).reply()).isEqualTo(1L);

        // The leader refuses a command of the wrong type, which the client's registration (another machine) let by.
        final List<ServerId> other = List.of(new ServerId("u", leader.node()));
        cluster.system(leader).startCluster("u", "throwing", other);
        final ServerId otherLeader = cluster.awaitLeader(other, STARTUP);
        client.registerCluster("u", new CounterMachine(), other);
        client.pipelineCommand(otherLeader, 7L, "bad", observer.ref());

        final List<RaEvent.Correlated> refused = awaitNotified(events, 1);
        assertThat(refused.get(0).correlation()).isEqualTo("bad");
        assertThat(refused.get(0).reply()).isInstanceOfSatisfying(InvalidCommandException.class, invalid ->
            assertThat(invalid.getMessage()).contains(String.class.getName()));

        // Applied, but the reply is larger than a frame: the process is told so, as a caller of processCommand is.
        client.pipelineCommand(leader, "big-reply", "c3", observer.ref());
        client.pipelineCommand(leader, "inc", "c4", observer.ref());

        final List<RaEvent.Correlated> big = awaitNotified(events, 2);
        assertThat(big).extracting(RaEvent.Correlated::correlation).containsExactly("c3", "c4");
        assertThat(big.get(0).reply()).isInstanceOfSatisfying(RaException.class, failed ->
            assertThat(failed.getMessage()).contains("applied by " + leader).contains("message limit"));
        assertThat(big.get(1).reply()).isEqualTo(3L);
    }

    @Test
    void membersOfAnOlderReleaseTellOfTheOtherCommandsAndKeepTheConnection() throws Exception
    {
        final ServerId leader = start(node -> node == 4 ? ProtocolVersions.NEWEST : ProtocolVersions.JOIN_POINT);
        final RaSystem client = cluster.system(CLIENT);
        final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
        final RaProcess observer = client.spawn(events::add);

        client.pipelineCommand(leader, "boom", "c1", observer.ref());
        client.pipelineCommand(leader, "inc", "c2", observer.ref());
        assertThat(awaitNotified(events, 1)).containsExactly(new RaEvent.Correlated("c2", 1L));
        client.pipelineCommand(leader, "inc", "c3", observer.ref());

        assertThat(awaitNotified(events, 1)).containsExactly(new RaEvent.Correlated("c3", 2L));
    }

    private static List<RaEvent.Correlated> awaitNotified(final BlockingQueue<Object> events, final int count)
        throws InterruptedException
    {
        final List<RaEvent.Correlated> applied = new ArrayList<>();
        while (applied.size() < count)
        {
            final Object event = events.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(event).as("notification " + (applied.size() + 1) + " of " + count + " after " + applied)
                .isInstanceOf(RaEvent.Applied.class);
            applied.addAll(((RaEvent.Applied)event).applied());
        }
        return applied;
    }
}

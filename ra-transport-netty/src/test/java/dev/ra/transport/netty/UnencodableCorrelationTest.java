package dev.ra.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.RaEvent;
import dev.ra.RaProcess;
import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.testkit.CounterMachine;
import dev.ra.testkit.InJvmCluster;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A pipelined command's correlation travels to the leader's node and back in the generic codec. One it cannot encode
 * (an object of a class of the application's) was taken by {@code pipelineCommand}, and then the transport dropped
 * the command with a warning on its own thread: the command was never applied and the process never heard of it.
 * Right: {@code pipelineCommand} refuses it at once, naming its type; encodable correlations go as before.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class UnencodableCorrelationTest
{
    private static final Duration STARTUP = Duration.ofSeconds(30);

    private final List<ServerId> members = List.of(new ServerId("u", "n1"), new ServerId("u", "n2"),
        new ServerId("u", "n3"));
    private InJvmCluster cluster;

    @AfterEach
    void close()
    {
        if (null != cluster)
        {
            cluster.close();
        }
    }

    /** A correlation of the application's own, which the generic codec does not encode. */
    static final class OrderRef
    {
        @Override
        public String toString()
        {
            return "order 7";
        }
    }

    /** Whether {@link Picky} refuses to be built, as a class of another version on the receiving node may. */
    static final AtomicBoolean REFUSING = new AtomicBoolean();
    /**
     * The thread of the test, standing for the caller's node, where Picky builds (pipelineCommand checks that the
     * correlation builds again from its bytes there); the nodes' own threads stand for the leader's node.
     */
    static final ThreadLocal<Boolean> CALLERS_THREAD = ThreadLocal.withInitial(() -> false);

    /** A correlation the leader's node cannot build once {@link #REFUSING}. */
    record Picky(long id)
    {
        Picky
        {
            if (REFUSING.get() && !CALLERS_THREAD.get())
            {
                throw new IllegalArgumentException("this node's Picky refuses " + id);
            }
        }
    }

    private LoopbackTransports transports;

    private ServerId start()
    {
        transports = new LoopbackTransports(4, (node, builder) -> builder.callerConnections(false));
        cluster = new InJvmCluster(4, transports, b -> b.registerMachine("counter", CounterMachine::new));
        transports.awaitConnected(STARTUP);
        cluster.system("n4").startCluster("u", "counter", members);
        return cluster.awaitLeader(members, STARTUP);
    }

    /**
     * A correlation that does not decode on the leader's node (its class missing there, or of another version) first
     * made that node close the whole connection as a malformed frame, then (once such a frame cost only its message)
     * cost the command: it was dropped, never applied. Right: the leader's node carries a command's correlation as
     * the caller's bytes and never builds it, so the command is applied whatever the classes there, and the
     * connection stays up. (The notice of the first command does not decode back on the client's node here, where
     * Picky still refuses: only the commands' effect is checked.)
     */
    @Test
    void aCorrelationTheLeadersNodeCannotDecodeIsNotBuiltThereSoItsCommandIsApplied()
    {
        final ServerId leader = start();
        final RaSystem client = cluster.system("n4");
        final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
        final RaProcess observer = client.spawn(events::add);
        final Picky picky = new Picky(7);
        final long opened = transports.transport(leader.node()).peerStats().get("n4").connectionsOpened();

        REFUSING.set(true);
        CALLERS_THREAD.set(true);
        try
        {
            client.pipelineCommand(leader, 1L, picky, observer.ref());
            client.pipelineCommand(leader, 2L, "after", observer.ref());
            assertThat(client.<Long>processCommand(leader, 4L, Duration.ofSeconds(60)).reply())
                .as("the counter after both pipelined commands and this one").isEqualTo(7L);
        }
        finally
        {
            REFUSING.set(false);
            CALLERS_THREAD.remove();
        }
        assertThat(transports.transport(leader.node()).peerStats().get("n4").connectionsOpened())
            .as("connections from the client opened at the leader's node").isEqualTo(opened);
    }

    @Test
    void aCorrelationTheGenericCodecCannotEncodeIsRefusedByPipelineCommand() throws InterruptedException
    {
        final ServerId leader = start();
        final RaSystem client = cluster.system("n4");
        final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
        final RaProcess observer = client.spawn(events::add);

        assertThatThrownBy(() -> client.pipelineCommand(leader, 1L, new OrderRef(), observer.ref()))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(OrderRef.class.getName());

        client.pipelineCommand(leader, 2L, List.of("order", 8L), observer.ref());
        assertThat(events.poll(30, TimeUnit.SECONDS)).isEqualTo(new RaEvent.Applied(leader,
            List.of(new RaEvent.Correlated(List.of("order", 8L), 2L))));
    }
}

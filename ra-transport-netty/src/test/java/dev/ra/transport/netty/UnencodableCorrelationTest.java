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

    @Test
    void aCorrelationTheGenericCodecCannotEncodeIsRefusedByPipelineCommand() throws InterruptedException
    {
        final LoopbackTransports transports = new LoopbackTransports(4, (node, builder) -> builder
            .callerConnections(false));
        cluster = new InJvmCluster(4, transports, b -> b.registerMachine("counter", CounterMachine::new));
        transports.awaitConnected(STARTUP);
        final RaSystem client = cluster.system("n4");
        client.startCluster("u", "counter", members);
        final ServerId leader = cluster.awaitLeader(members, STARTUP);
        final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
        final RaProcess observer = client.spawn(events::add);

        assertThatThrownBy(() -> client.pipelineCommand(leader, 1L, new OrderRef(), observer.ref()))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(OrderRef.class.getName());

        client.pipelineCommand(leader, 2L, List.of("order", 8L), observer.ref());
        assertThat(events.poll(30, TimeUnit.SECONDS)).isEqualTo(new RaEvent.Applied(leader,
            List.of(new RaEvent.Correlated(List.of("order", 8L), 2L))));
    }
}

package dev.ra.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.testkit.CounterMachine;
import dev.ra.testkit.InJvmCluster;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A thread's synchronous command (sent on its caller connection) after a pipelined one (sent over the peer link) to
 * the same leader is applied after it, as one connection would deliver them: the leader's node reads the two
 * connections on different threads. Node n1 hosts no member and calls a cluster on n2..n4.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CallerConnectionOrderTest
{
    @Test
    void aSynchronousCommandAfterAPipelinedOneFromTheSameThreadIsAppliedAfterIt()
    {
        final List<ServerId> members = List.of(new ServerId("c", "n2"), new ServerId("c", "n3"),
            new ServerId("c", "n4"));
        final LoopbackTransports transports = new LoopbackTransports(4, b -> b);
        try (InJvmCluster cluster = new InJvmCluster(4, Duration.ZERO, transports,
            b -> b.registerMachine("counter", CounterMachine::new)))
        {
            transports.awaitConnected(Duration.ofSeconds(20));
            final RaSystem client = cluster.system("n1");
            final ServerId leader = client.startCluster("c", "counter", members);
            client.processCommand(leader, 0L);
            for (long i = 1; i <= 200; i++)
            {
                client.pipelineCommand(leader, 1L);
                final long seen = client.<Long>processCommand(leader, 0L).reply();
                assertThat(seen).as("the counter a synchronous command saw after pipelined command %d", i)
                    .isEqualTo(i);
            }

            // A call with nothing sent before it over the peer link takes the caller connection again.
            final NettyTransport n1 = transports.transport("n1");
            final long onCaller = n1.stats().callsAnsweredOnCaller();
            assertThat(client.<Long>processCommand(leader, 1L).reply()).isEqualTo(201L);
            assertThat(n1.stats().callsAnsweredOnCaller()).isEqualTo(onCaller + 1);
        }
    }
}

package dev.ra.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.testkit.CounterMachine;
import dev.ra.testkit.InJvmCluster;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A thread's caller connection to a node that has since gone down and come back is not used again: a call written to
 * the old process's socket would end with an unknown outcome instead of reaching the new process.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CallerConnectionAfterRestartTest
{
    private InJvmCluster cluster;

    @AfterEach
    void close()
    {
        if (null != cluster)
        {
            cluster.close();
        }
    }

    @Test
    void aCallAfterThePeerRestartedGoesToTheNewProcess()
    {
        final LoopbackTransports transports = new LoopbackTransports(2);
        cluster = new InJvmCluster(2, Duration.ZERO, transports,
            b -> b.registerMachine("counter", CounterMachine::new));
        transports.awaitConnected(Duration.ofSeconds(20));
        final RaSystem client = cluster.system("n1");
        final ServerId member = new ServerId("c", "n2");
        client.startCluster("c", "counter", List.of(member));
        assertThat(client.<Long>processCommand(member, 1L).reply()).isEqualTo(1L);
        assertThat(transports.transport("n1").stats().callsAnsweredOnCaller()).isPositive();

        cluster.stopNode("n2");
        cluster.startNode("n2");   // same address and storage; its member restarts from storage
        transports.awaitConnected(Duration.ofSeconds(20));

        assertThat(client.<Long>processCommand(member, 1L).reply()).isEqualTo(2L);
    }
}

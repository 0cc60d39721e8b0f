package dev.ra.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.CommandResult;
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
 * The README's failover step under Netty, repeated: the leader's node closes and a survivor at once sends a command.
 * The survivor may still believe the closing node up and write the command there; the closing node had stopped its
 * servers, answered what it had taken, and said GOODBYE after that, so the survivor knows the command was not taken
 * and sends it on to the new leader. Every command succeeds, exactly once, none with an unknown outcome. Even rounds
 * address the old leader (a synchronous call, over a caller connection when it has one), odd rounds the survivor's
 * own member (which redirects to the leader it knows).
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class OrderlyLeaveTest
{
    private static final int ROUNDS = 20;

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
    void aCommandSentAsTheLeadersNodeClosesGoesToTheNewLeader()
    {
        final LoopbackTransports transports = new LoopbackTransports(3);
        cluster = new InJvmCluster(3, Duration.ZERO, transports,
            b -> b.registerMachine("counter", CounterMachine::new));
        transports.awaitConnected(Duration.ofSeconds(20));
        final List<ServerId> members = cluster.serverIds("c");
        cluster.first().startCluster("c", "counter", members);
        long expected = 0;
        for (int round = 0; round < ROUNDS; round++)
        {
            final ServerId leader = cluster.awaitLeader(members, Duration.ofSeconds(20));
            final ServerId survivor = members.stream().filter(m -> !m.equals(leader)).findFirst().orElseThrow();
            final RaSystem fromSurvivor = cluster.system(survivor);
            // Warm: the survivor knows the leader, and has a caller connection to it.
            expected++;
            assertThat(fromSurvivor.<Long>processCommand(leader, 1L).reply()).isEqualTo(expected);

            cluster.stopNode(leader.node());
            expected++;
            final CommandResult<Long> result = fromSurvivor.processCommand(round % 2 == 0 ? leader : survivor, 1L,
                Duration.ofSeconds(20));
            assertThat(result.reply()).as("round %d: the command applied once", round).isEqualTo(expected);
            assertThat(result.leader()).isNotEqualTo(leader);

            cluster.startNode(leader.node());
            transports.awaitConnected(Duration.ofSeconds(20));
        }
    }
}

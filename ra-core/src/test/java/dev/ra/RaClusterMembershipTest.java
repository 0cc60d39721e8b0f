package dev.ra;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.testkit.CounterMachine;
import dev.ra.testkit.InJvmCluster;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A typed handle sends its calls to the leader it last heard of: that leader may since have been removed from the
 * cluster, which lives on.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RaClusterMembershipTest
{
    private final InJvmCluster cluster = new InJvmCluster(3, b -> b.registerMachine("counter", CounterMachine::new));

    @AfterEach
    void close()
    {
        cluster.close();
    }

    @Test
    void aHandleWhoseLeaderWasRemovedGoesOnToTheClusterInsteadOfFailingForGood()
    {
        final List<ServerId> members = cluster.serverIds("c");
        final RaCluster<Long, Long, Long> first = cluster.first().startCluster("c", new CounterMachine(), Long.class,
            members);
        final ServerId leader = first.leader();
        final RaCluster<Long, Long, Long> handle = cluster.system(leader).cluster("c", new CounterMachine(),
            Long.class, members);
        assertThat(handle.process(1L).reply()).isEqualTo(1L);

        handle.removeMember(leader);
        InJvmCluster.await(() -> !cluster.system(leader).isRunning(leader), Duration.ofSeconds(20),
            "the removed leader retired");

        assertThat(handle.process(10L).reply()).as("a command through the handle of the removed leader's node")
            .isEqualTo(11L);
    }
}

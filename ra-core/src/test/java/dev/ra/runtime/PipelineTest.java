package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.RaEvent;
import dev.ra.RaProcess;
import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.KvMachine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PipelineTest
{
    private final InJvmCluster cluster = new InJvmCluster(3);

    @AfterEach
    void close()
    {
        cluster.close();
    }

    @Test
    void pipelinedCommandsNotifyTheirProcessInBatchesInLogOrder() throws InterruptedException
    {
        final List<ServerId> members = cluster.startCluster("kv", new KvMachine());
        final ServerId leader = cluster.awaitLeader(members, Duration.ofSeconds(5));
        final RaSystem node = cluster.system(leader);
        final BlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
        final RaProcess process = node.spawn(inbox::add);

        final int count = 500;
        for (int i = 0; i < count; i++)
        {
            node.pipelineCommand(leader, new KvMachine.Put("k" + i, "v"), i, process.ref());
        }

        final List<Object> correlations = new ArrayList<>();
        int events = 0;
        while (correlations.size() < count)
        {
            final Object event = inbox.poll(10, TimeUnit.SECONDS);
            assertThat(event).isInstanceOf(RaEvent.Applied.class);
            final RaEvent.Applied applied = (RaEvent.Applied)event;
            assertThat(applied.leader()).isEqualTo(leader);
            applied.applied().forEach(c -> correlations.add(c.correlation()));
            events++;
        }
        final List<Object> expected = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            expected.add(i);
        }
        assertThat(correlations).containsExactlyElementsOf(expected);
        assertThat(events).as("notifications are batched").isLessThan(count);
    }

    @Test
    void aFollowerRejectsACorrelatedPipelinedCommandWithTheLeaderHint() throws InterruptedException
    {
        final List<ServerId> members = cluster.startCluster("kv", new KvMachine());
        final ServerId leader = cluster.awaitLeader(members, Duration.ofSeconds(5));
        final ServerId follower = members.stream().filter(m -> !m.equals(leader)).findFirst().orElseThrow();
        final RaSystem node = cluster.system(follower);
        final BlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
        final RaProcess process = node.spawn(inbox::add);
        // Make sure the follower has heard from the leader, so it knows who leads.
        node.consistentQuery(follower, s -> s);

        node.pipelineCommand(follower, new KvMachine.Put("a", "b"), "corr-1", process.ref());

        final Object event = inbox.poll(10, TimeUnit.SECONDS);
        assertThat(event).isEqualTo(new RaEvent.Rejected(follower, leader, "corr-1"));
    }

    @Test
    void aFollowerForwardsAnUncorrelatedPipelinedCommandToTheLeader()
    {
        final List<ServerId> members = cluster.startCluster("kv", new KvMachine());
        final ServerId leader = cluster.awaitLeader(members, Duration.ofSeconds(5));
        final ServerId follower = members.stream().filter(m -> !m.equals(leader)).findFirst().orElseThrow();
        final RaSystem node = cluster.system(follower);
        node.consistentQuery(follower, s -> s);

        node.pipelineCommand(follower, new KvMachine.Put("fwd", "yes"));

        InJvmCluster.await(() -> "yes".equals(node.consistentQuery(follower,
            (Map<String, String> s) -> s.get("fwd")).result()), Duration.ofSeconds(10), "the forwarded command");
    }

    @Test
    void notificationsReachAProcessOnAnotherNode() throws InterruptedException
    {
        final List<ServerId> members = cluster.startCluster("kv", new KvMachine());
        final ServerId leader = cluster.awaitLeader(members, Duration.ofSeconds(5));
        final ServerId follower = members.stream().filter(m -> !m.equals(leader)).findFirst().orElseThrow();
        final RaSystem remoteNode = cluster.system(follower);
        final BlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
        final RaProcess process = remoteNode.spawn(inbox::add);

        cluster.system(leader).pipelineCommand(leader, new KvMachine.Put("r", "1"), 42L, process.ref());

        final Object event = inbox.poll(10, TimeUnit.SECONDS);
        assertThat(event).isEqualTo(new RaEvent.Applied(leader, List.of(new RaEvent.Correlated(42L, null))));
    }
}

package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ServerId;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.KvMachine;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A node whose member applied its cluster's deletion answers a message for that member with "deleted with its
 * cluster" (DownAtDeletionTest) until a server of the id is registered there again. A cluster created again under the
 * same ids, whose member on that node is not started yet, is a new cluster: its running members must not take that
 * answer, which is about the cluster before, as their own deletion.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class RecreatedAfterDeletionTest
{
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final InJvmCluster nodes = new InJvmCluster(3);
    private final List<ServerId> members = nodes.serverIds("kv");

    @AfterEach
    void close()
    {
        nodes.close();
    }

    @Test
    void aClusterCreatedAgainIsNotDeletedByTheDeletionOfTheOneBefore()
    {
        nodes.system("n1").startCluster("kv", new KvMachine(), members);
        final ServerId first = nodes.awaitLeader(members, WAIT);
        nodes.system(first).processCommand(first, new KvMachine.Put("a", "1"));
        nodes.system("n1").deleteCluster(members.get(0));
        InJvmCluster.await(() -> members.stream().noneMatch(m -> nodes.system(m).isRunning(m)), WAIT,
            "every member deleted");

        // Created again, its member on n1 starting late: n2 and n3 elect a leader and commit without it.
        final ServerId lateMember = members.get(0);
        for (final ServerId member : members.subList(1, 3))
        {
            nodes.system(member).startServer("kv", new KvMachine(), member, members);
        }
        nodes.system(members.get(1)).triggerElection(members.get(1));
        final ServerId leader = nodes.awaitLeader(members.subList(1, 3), WAIT);
        for (int i = 0; i < 5; i++)
        {
            nodes.system(leader).processCommand(leader, new KvMachine.Put("b", Integer.toString(i)));
        }
        nodes.system(lateMember).startServer("kv", new KvMachine(), lateMember, members);
        nodes.system(leader).processCommand(leader, new KvMachine.Put("c", "done"));

        InJvmCluster.await(() -> nodes.system(lateMember).overview(lateMember).lastApplied() >=
            nodes.system(leader).overview(leader).commitIndex(), WAIT, "the late member caught up");
        assertThat(members).as("members running").allMatch(m -> nodes.system(m).isRunning(m));
    }
}

package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.RaSystem;
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
 * A member whose node was down when its cluster's deletion committed never applies the deletion: nobody is left to
 * replicate it. Restarted, it campaigned for ever and kept its data. The nodes of the members that applied the
 * deletion answer its campaign with "deleted with its cluster", which proves the deletion committed: it stops and
 * deletes its data, as it would have had it applied the entry.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class DownAtDeletionTest
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
    void aMemberDownWhenItsClusterWasDeletedDeletesItselfOnceBack()
    {
        final ServerId down = members.get(2);
        nodes.system("n1").startCluster("kv", new KvMachine(), members);
        final ServerId leader = nodes.awaitLeader(members, WAIT);
        nodes.system(leader).processCommand(leader, new KvMachine.Put("a", "1"));
        if (leader.equals(down))
        {
            nodes.system(down).transferLeadership(down, members.get(0));
            InJvmCluster.await(() -> members.get(0).equals(nodes.leaderOf(members)), WAIT, "kv@n1 leading");
        }
        nodes.stopNode("n3");
        nodes.system("n1").deleteCluster(members.get(0));

        final RaSystem n3 = nodes.startNode("n3");
        n3.restartServer(down);
        InJvmCluster.await(() -> !n3.isRunning(down), WAIT, "kv@n3 stopped once it heard of the deletion");

        assertThatThrownBy(() -> n3.restartServer(down)).as("its data is deleted")
            .hasMessageContaining(down.toString());
        assertThat(n3.isRunning(down)).isFalse();
    }

    /**
     * Five members, two of them down when the deletion committed (three applied it): back, each hears from the three
     * that they were deleted with their cluster, and from the other one nothing of the kind (it runs, having missed the
     * deletion too). A member that missed it waited for every other member's node to say so, so both campaigned for
     * ever. The three that applied it are a majority: no cluster created again under the same ids in which this member
     * holds entries can have that many members not started yet.
     */
    @Test
    void twoMembersDownWhenTheirClusterWasDeletedDeleteThemselvesOnceBack()
    {
        try (InJvmCluster five = new InJvmCluster(5))
        {
            final List<ServerId> all = five.serverIds("kv");
            five.system("n1").startCluster("kv", new KvMachine(), all);
            final ServerId leader = five.awaitLeader(all, WAIT);
            five.system(leader).processCommand(leader, new KvMachine.Put("a", "1"));
            final ServerId first = all.get(0);
            if (!leader.equals(first))
            {
                five.system(leader).transferLeadership(leader, first);
                InJvmCluster.await(() -> first.equals(five.leaderOf(all)), WAIT, "kv@n1 leading");
            }
            five.system(first).processCommand(first, new KvMachine.Put("b", "2"));
            for (final ServerId member : all)
            {
                InJvmCluster.await(() -> five.system(member).overview(member).lastApplied() >=
                    five.system(first).overview(first).commitIndex() ? true : null, WAIT, member + " caught up");
            }
            five.stopNode("n4");
            five.stopNode("n5");
            five.system("n1").deleteCluster(first);

            final List<ServerId> missed = all.subList(3, 5);
            for (final ServerId member : missed)
            {
                five.startNode(member.node()).restartServer(member);
            }
            InJvmCluster.await(() -> missed.stream().noneMatch(m -> five.system(m).isRunning(m)), WAIT,
                "kv@n4 and kv@n5 stopped once they heard of the deletion");
        }
    }
}

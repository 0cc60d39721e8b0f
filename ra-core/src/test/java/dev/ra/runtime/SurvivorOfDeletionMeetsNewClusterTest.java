package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;

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
 * A member down when its cluster was deleted comes back after a cluster was created again under the same ids (its
 * member on that node not started): once the new members started, their nodes no longer tell it of the deletion. Its
 * log's last term (of the cluster before) was higher than the new cluster's, so the new members voted for it, and on
 * its first append found that it contradicted their committed entries: they stopped, and the new cluster was down
 * until the old member was deleted with {@code forceDeleteServer} and they were restarted. A new server under the id
 * of one that applied its cluster's deletion on its node now starts in the term that one ended in: the new cluster's
 * entries are of later terms than any of the cluster before, it does not elect the old member, and the old member is
 * the one whose committed entries the new leader contradicts.
 *
 * <p>The nodes that applied the deletion kept that term in memory only: restarted before the cluster was created
 * again, they started its new members in term 0, and the old member took over again. The storage now keeps it.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SurvivorOfDeletionMeetsNewClusterTest
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
    void aMemberThatMissedItsClusterDeletionDoesNotTakeOverTheClusterCreatedAgain()
    {
        missedMemberComesBackToTheClusterCreatedAgain(false);
    }

    @Test
    void norAfterTheNodesThatAppliedTheDeletionRestarted()
    {
        missedMemberComesBackToTheClusterCreatedAgain(true);
    }

    private void missedMemberComesBackToTheClusterCreatedAgain(final boolean restartAfterDeletion)
    {
        final ServerId missed = members.get(2);
        nodes.system("n1").startCluster("kv", new KvMachine(), members);
        ServerId leader = nodes.awaitLeader(members, WAIT);
        // A few terms, as a cluster that ran for a while has.
        for (int i = 0; i < 4; i++)
        {
            final ServerId next = members.get((members.indexOf(leader) + 1) % 2);
            nodes.system(leader).transferLeadership(leader, next);
            InJvmCluster.await(() -> next.equals(nodes.leaderOf(members)) ? true : null, WAIT, next + " leading");
            leader = next;
        }
        final ServerId last = leader;
        nodes.system(last).processCommand(last, new KvMachine.Put("a", "1"));
        InJvmCluster.await(() -> nodes.system(missed).overview(missed).lastApplied() >=
            nodes.system(last).overview(last).commitIndex() ? true : null, WAIT, "kv@n3 caught up");
        final long endedIn = nodes.system(last).overview(last).currentTerm();
        nodes.stopNode("n3");
        nodes.system("n1").deleteCluster(members.get(0));
        InJvmCluster.await(() -> !nodes.system("n1").isRunning(members.get(0)) &&
            !nodes.system("n2").isRunning(members.get(1)), WAIT, "kv@n1 and kv@n2 deleted");
        if (restartAfterDeletion)
        {
            nodes.stopNode("n1");
            nodes.stopNode("n2");
            nodes.startNode("n1");
            nodes.startNode("n2");
        }

        final List<ServerId> started = members.subList(0, 2);
        for (final ServerId member : started)
        {
            nodes.system(member).startServer("kv", new KvMachine(), member, members);
        }
        nodes.system(started.get(0)).triggerElection(started.get(0));
        final ServerId newLeader = nodes.awaitLeader(started, WAIT);
        assertThat(nodes.system(newLeader).overview(newLeader).currentTerm())
            .as("the cluster created again elects its leaders in later terms than the one before")
            .isGreaterThan(endedIn);
        nodes.system(newLeader).processCommand(newLeader, new KvMachine.Put("b", "1"));
        final long committed = nodes.system(newLeader).overview(newLeader).commitIndex();
        for (final ServerId member : started)
        {
            InJvmCluster.await(() -> nodes.system(member).overview(member).lastApplied() >= committed ? true : null,
                WAIT, member + " applied the write");
        }

        final RaSystem n3 = nodes.startNode("n3");
        n3.restartServer(missed);
        InJvmCluster.await(() -> !n3.isRunning(missed) || started.stream().anyMatch(m -> !nodes.system(m)
            .isRunning(m)) ? true : null, WAIT, "kv@n3 stopped, or a member of the new cluster stopped");

        assertThat(started).as("the members of the cluster created again run on")
            .allMatch(m -> nodes.system(m).isRunning(m));
        assertThat(n3.isRunning(missed)).as("the member of the cluster before stopped").isFalse();
        assertThat(nodes.system(newLeader).processCommand(newLeader, new KvMachine.Get("b")).reply())
            .as("the new cluster's write").isEqualTo("1");
    }
}

package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.MemberChange;
import dev.ra.MemberKind;
import dev.ra.RaSystem;
import dev.ra.RaftRole;
import dev.ra.ServerId;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.KvMachine;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A member removed and added back under the same id, across the runtime: the new server is not counted as the old one
 * by a member that missed the removal (simulation seed 7902468). Five nodes: kv@n4 and kv@n5 are cut off; the leader
 * removes kv@n5, commits x=1 with kv@n2 and kv@n3, removes kv@n2 (which stops and deletes its data) and adds it back,
 * empty, reachable only from kv@n4 and kv@n5. kv@n5 still takes the old configuration of five voters for the current
 * one, and kv@n4 is as far behind: with the new kv@n2's vote, either would lead without x=1. Started with the change
 * that added it, the new kv@n2 votes only for logs that hold that change.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class MemberAddedBackTest
{
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final InJvmCluster cluster = new InJvmCluster(5);

    @AfterEach
    void close()
    {
        cluster.close();
    }

    @Test
    void aMemberAddedBackIsNotCountedAsTheFormerOneByAMemberThatMissedItsRemoval() throws Exception
    {
        final List<ServerId> members = cluster.serverIds("kv");
        final ServerId s1 = members.get(0);
        final ServerId s2 = members.get(1);
        final ServerId s5 = members.get(4);
        final RaSystem n1 = cluster.system("n1");
        n1.startCluster("kv", new KvMachine(), members);
        if (!s1.equals(cluster.awaitLeader(members, WAIT)))
        {
            n1.transferLeadership(s1, s1);
            InJvmCluster.await(() -> s1.equals(cluster.leaderOf(members)), WAIT, "kv@n1 leading");
        }
        for (final String behind : List.of("n4", "n5"))
        {
            for (final String ahead : List.of("n1", "n2", "n3"))
            {
                cluster.network().partition(behind, ahead);
            }
        }

        n1.removeMember(s1, s5);
        n1.processCommand(s1, new KvMachine.Put("x", "1"));
        n1.removeMember(s1, s2);
        InJvmCluster.await(() -> !cluster.system("n2").isRunning(s2), WAIT, "the removed kv@n2 stopped");
        cluster.network().partition("n2", "n1");
        cluster.network().partition("n2", "n3");
        cluster.network().heal("n2", "n4");
        cluster.network().heal("n2", "n5");
        final MemberChange added = n1.addMemberAsync(s1, s2, MemberKind.PROMOTABLE).get(20, TimeUnit.SECONDS);
        // Started through kv@n4's node, which reaches kv@n2's: the join point travels with the request.
        cluster.system("n4").startServer("kv", new KvMachine(), s2, members, added);
        assertThat(cluster.system("n2").overview(s2).currentTerm()).as("the new kv@n2 starts in the change's term")
            .isGreaterThanOrEqualTo(added.term());

        // kv@n5 and kv@n4 campaign again and again (election timeouts of 150 to 300 ms): for two seconds, neither
        // is elected, since the new kv@n2 refuses both; and again once kv@n2 restarted from its storage.
        final List<ServerId> cutOff = List.of(members.get(3), s5, s2);
        assertNoLeaderAmong(cutOff, members);
        cluster.stopNode("n2");
        cluster.startNode("n2");
        InJvmCluster.await(() -> cluster.system("n2").isRunning(s2), WAIT, "kv@n2 restarted");
        assertNoLeaderAmong(cutOff, members);

        cluster.network().healAll();
        InJvmCluster.await(() -> "1".equals(stateOf(s2).get("x")), WAIT, "x=1 on the new kv@n2");
        assertThat(cluster.leaderOf(List.of(s1, members.get(2), members.get(3), s2))).isNotNull();
    }

    private void assertNoLeaderAmong(final List<ServerId> servers, final List<ServerId> members)
        throws InterruptedException
    {
        final long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (System.nanoTime() < until)
        {
            for (final ServerId server : servers)
            {
                assertThat(cluster.system(server).overview(server).role()).as("%s; %s", server,
                    cluster.describe(members)).isNotEqualTo(RaftRole.LEADER);
            }
            Thread.sleep(20);
        }
    }

    @SuppressWarnings("unchecked")
    private Map<String, String> stateOf(final ServerId server)
    {
        return (Map<String, String>)cluster.system(server).localQuery(server, state -> state).result();
    }
}

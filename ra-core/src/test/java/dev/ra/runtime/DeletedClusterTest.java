package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.UnknownServerException;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.KvMachine;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Once a cluster is deleted, calls to its members fail at once naming the deletion, on the node that deleted it, on
 * the nodes that hosted its members, and on a node that only knew it, instead of asking the stopped members again
 * until the call's timeout. A call is given a timeout longer than the test's defaults so that a wait shows as a
 * {@link dev.ra.RaTimeoutException}, not as the deletion.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class DeletedClusterTest
{
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(8);

    private final InJvmCluster nodes = new InJvmCluster(4);
    private final List<ServerId> members = List.of(new ServerId("kv", "n1"), new ServerId("kv", "n2"),
        new ServerId("kv", "n3"));

    @BeforeEach
    void startCluster()
    {
        nodes.system("n1").startCluster("kv", new KvMachine(), members);
        nodes.system("n4").registerCluster("kv", new KvMachine(), members);
        nodes.system("n1").processCommand(members.get(0), new KvMachine.Put("a", "1"));
    }

    @AfterEach
    void close()
    {
        nodes.close();
    }

    @Test
    void theDeletingNodeFailsAtOnceNamingTheDeletion()
    {
        final RaSystem client = nodes.system("n4");
        client.deleteCluster(members.get(1));
        awaitStopped();

        assertDeleted(() -> client.processCommand(members.get(0), new KvMachine.Put("b", "2"), CALL_TIMEOUT));
        assertDeleted(() -> client.deleteCluster(members.get(2)));
        assertDeleted(() -> client.members(members.get(0)));
    }

    @Test
    void aNodeThatHostedAMemberFailsAtOnceNamingTheDeletion()
    {
        nodes.system("n4").deleteCluster(members.get(0));
        awaitStopped();

        assertDeleted(() -> nodes.system("n2").processCommand(members.get(1), new KvMachine.Put("b", "2"),
            CALL_TIMEOUT));
        assertDeleted(() -> nodes.system("n3").processCommand(members.get(0), new KvMachine.Put("b", "2"),
            CALL_TIMEOUT));
    }

    @Test
    void aNodeThatOnlyKnewTheClusterLearnsItFromTheMembersNodes()
    {
        nodes.system("n1").deleteCluster(members.get(0));
        awaitStopped();
        final RaSystem client = nodes.system("n4");

        assertThatThrownBy(() -> client.processCommand(members.get(0), new KvMachine.Put("b", "2"), CALL_TIMEOUT))
            .isInstanceOf(UnknownServerException.class)
            .hasMessageContaining("every member of cluster kv known to node n4 was deleted")
            .hasMessageContaining("cluster kv was deleted (deleteCluster)");
        // Forgotten since: the next call does not ask the members' nodes again.
        nodes.stopNode("n2");
        assertDeleted(() -> client.processCommand(members.get(1), new KvMachine.Put("c", "3"), CALL_TIMEOUT));
    }

    @Test
    void theSameMembersStartAgainAfterTheDeletion()
    {
        final RaSystem first = nodes.system("n1");
        first.deleteCluster(members.get(0));
        awaitStopped();

        first.startCluster("kv", new KvMachine(), members);
        assertThat(first.processCommand(members.get(2), new KvMachine.Put("b", "2"), CALL_TIMEOUT).leader())
            .isIn(members);
        assertThat(first.members(members.get(1))).containsExactlyInAnyOrderElementsOf(members);
    }

    @Test
    void stoppingOrForceDeletingADeletedMemberSucceeds()
    {
        final RaSystem first = nodes.system("n1");
        first.deleteCluster(members.get(0));
        awaitStopped();

        first.forceDeleteServer(members.get(1));
        first.stopServer(members.get(2));
        first.forceDeleteServer(members.get(0));
    }

    @Test
    void aForceDeletedMemberIsSkippedWhileTheRestOfTheClusterRunsOn()
    {
        final RaSystem first = nodes.system("n1");
        final ServerId leader = nodes.awaitLeader(members, CALL_TIMEOUT);
        final ServerId follower = members.stream().filter(m -> !m.equals(leader)).findFirst().orElseThrow();
        nodes.system(follower).forceDeleteServer(follower);

        assertDeleted(() -> nodes.system(follower).localQuery(follower, state -> state));
        // Addressed to the deleted member, a command still finds the leader through the other members.
        assertThat(nodes.system("n4").processCommand(follower, new KvMachine.Put("b", "2"), CALL_TIMEOUT).leader())
            .isEqualTo(leader);
    }

    /**
     * The leader, stopped, then force-deleted: its node named the deleted leader itself as the member to ask instead
     * (the last leader it knew), so a command there addressed to it failed as unknown; it now names another member,
     * and the command finds the new leader.
     */
    @Test
    void aStoppedLeaderForceDeletedNamesAnotherMemberToAsk()
    {
        final ServerId leader = nodes.awaitLeader(members, CALL_TIMEOUT);
        final RaSystem leadersNode = nodes.system(leader);
        leadersNode.stopServer(leader);
        leadersNode.forceDeleteServer(leader);

        assertThat(leadersNode.processCommand(leader, new KvMachine.Put("b", "2"), CALL_TIMEOUT).leader())
            .isIn(members).isNotEqualTo(leader);
    }

    private void awaitStopped()
    {
        for (final ServerId member : members)
        {
            InJvmCluster.await(() -> !nodes.system(member).isRunning(member), Duration.ofSeconds(10),
                member + " to stop");
        }
    }

    private static void assertDeleted(final org.assertj.core.api.ThrowableAssert.ThrowingCallable call)
    {
        assertThatThrownBy(call).isInstanceOf(UnknownServerException.class).hasMessageContaining("was deleted");
    }
}

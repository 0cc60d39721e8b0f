package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.ClusterUnavailableException;
import dev.ra.MemberChange;
import dev.ra.RaEvent;
import dev.ra.RaProcess;
import dev.ra.RaSystem;
import dev.ra.RaTimeoutException;
import dev.ra.ServerId;
import dev.ra.UnknownServerException;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.KvMachine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A node that only registered a cluster, whose members are all replaced one by one (add a member, remove an old one)
 * while it keeps calling: it never learned the new members, so once the last member it was told of was removed it
 * forgot the cluster as "deleted", and it could never address a new member. Its calls now learn the current members
 * from the answers they get (as etcd clients refresh their endpoints).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RollingReplacementClientTest
{
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(20);

    private final InJvmCluster nodes = new InJvmCluster(8);

    @AfterEach
    void close()
    {
        nodes.close();
    }

    @Test
    void aClientNodeFollowsARollingReplacementOfEveryMember()
    {
        final List<ServerId> initial = List.of(new ServerId("kv", "n1"), new ServerId("kv", "n2"),
            new ServerId("kv", "n3"));
        nodes.system("n1").startCluster("kv", new KvMachine(), initial);
        final RaSystem client = nodes.system("n7");
        client.registerCluster("kv", new KvMachine(), initial);
        client.processCommand(initial.get(0), new KvMachine.Put("k", "0"), CALL_TIMEOUT);

        final List<ServerId> current = new ArrayList<>(initial);
        for (int i = 0; i < initial.size(); i++)
        {
            final ServerId old = initial.get(i);
            final ServerId added = new ServerId("kv", "n" + (4 + i));
            final ServerId staying = current.get(current.size() - 1);
            final MemberChange change = InJvmCluster.whenPermitted(() -> nodes.system(staying).addMember(staying,
                added), CALL_TIMEOUT, "adding " + added);
            current.add(added);
            nodes.system(added).startServer("kv", new KvMachine(), added, current, change);
            InJvmCluster.whenPermitted(() -> nodes.system(staying).removeMember(staying, old), CALL_TIMEOUT,
                "removing " + old);
            current.remove(old);
            InJvmCluster.await(() -> !nodes.system(old).isRunning(old), CALL_TIMEOUT, old + " to stop");

            client.processCommand(initial.get(0), new KvMachine.Put("k", String.valueOf(i + 1)), CALL_TIMEOUT);
        }

        assertThat(client.members(initial.get(0))).containsExactlyInAnyOrderElementsOf(current);
        // Addressed to a member added after the registration.
        assertThat(client.processCommand(current.get(current.size() - 1), new KvMachine.Put("k", "last"),
            CALL_TIMEOUT).leader()).isIn(current);
    }

    /**
     * The client node makes no call while every member it was told of is replaced: its next call finds each of them
     * deleted, and took the cluster for deleted. A removed member's node names, with the deletion, a member of the
     * removed server's last configuration, and the call goes there (learning the members from it).
     */
    @Test
    void aClientNodeThatMadeNoCallDuringARollingReplacementFindsTheNewMembers()
    {
        final List<ServerId> initial = List.of(new ServerId("kv", "n1"), new ServerId("kv", "n2"),
            new ServerId("kv", "n3"));
        nodes.system("n1").startCluster("kv", new KvMachine(), initial);
        final RaSystem client = nodes.system("n7");
        client.registerCluster("kv", new KvMachine(), initial);
        client.processCommand(initial.get(0), new KvMachine.Put("k", "0"), CALL_TIMEOUT);

        final List<ServerId> current = replaceEveryMember(initial);

        assertThat(client.<Object>processCommand(initial.get(0), new KvMachine.Put("k", "1"), CALL_TIMEOUT)
            .leader()).isIn(current);
        assertThat(client.members(initial.get(1))).containsExactlyInAnyOrderElementsOf(current);
        assertThat(client.processCommand(current.get(0), new KvMachine.Put("k", "2"), CALL_TIMEOUT).leader())
            .isIn(current);
    }

    /**
     * Queries and member changes from the client node, addressed to members replaced since, find the cluster too.
     */
    @Test
    void queriesAndMemberChangesFromAClientNodeThatMadeNoCallFindTheNewMembers()
    {
        final List<ServerId> initial = List.of(new ServerId("kv", "n1"), new ServerId("kv", "n2"),
            new ServerId("kv", "n3"));
        nodes.system("n1").startCluster("kv", new KvMachine(), initial);
        final RaSystem client = nodes.system("n7");
        client.registerCluster("kv", new KvMachine(), initial);
        client.processCommand(initial.get(0), new KvMachine.Put("k", "0"), CALL_TIMEOUT);
        final List<ServerId> current = replaceEveryMember(initial);
        nodes.system(current.get(0)).processCommand(current.get(0), new KvMachine.Put("k", "1"), CALL_TIMEOUT);

        assertThat(client.<Object>namedQuery(initial.get(0), "get", "k", true, CALL_TIMEOUT).result())
            .isEqualTo("1");
        // Answered by whichever member it reaches, however stale: answered, not failed.
        assertThat(client.<Object>namedQuery(initial.get(1), "get", "k", false, CALL_TIMEOUT).result())
            .isIn(null, "0", "1");
        final ServerId added = new ServerId("kv", "n8");
        final MemberChange change = InJvmCluster.whenPermitted(() -> client.addMember(initial.get(2), added),
            CALL_TIMEOUT, "adding " + added);
        assertThat(change.leader()).isIn(current);
        current.add(added);
        nodes.system(added).startServer("kv", new KvMachine(), added, current, change);
        assertThat(client.members(added)).containsExactlyInAnyOrderElementsOf(current);
    }

    /**
     * The node of a member removed from the cluster, addressing that member: its calls go to the member it names, as
     * another node's do (the node no longer knows the removed member under the cluster, nor so its machine's codecs).
     */
    @Test
    void callsAddressedToAMemberRemovedOnTheCallingNodeFindTheCluster()
    {
        final List<ServerId> initial = List.of(new ServerId("kv", "n1"), new ServerId("kv", "n2"),
            new ServerId("kv", "n3"));
        nodes.system("n1").startCluster("kv", new KvMachine(), initial);
        final List<ServerId> current = replaceEveryMember(initial);
        final RaSystem removedMembersNode = nodes.system("n1");

        assertThat(removedMembersNode.processCommand(initial.get(0), new KvMachine.Put("k", "1"), CALL_TIMEOUT)
            .leader()).isIn(current);
        assertThat(removedMembersNode.<Object>namedQuery(initial.get(0), "get", "k", true, CALL_TIMEOUT).result())
            .isEqualTo("1");
        assertThat(removedMembersNode.members(initial.get(0))).containsExactlyInAnyOrderElementsOf(current);
    }

    /**
     * The cluster is deleted through the node of a member removed from it, addressed by that member: the call goes
     * to the member it names, and once the deletion committed the node forgets the cluster as deleted.
     */
    @Test
    void aClusterDeletedThroughAMemberRemovedFromItIsForgottenAsDeleted()
    {
        final List<ServerId> initial = List.of(new ServerId("kv", "n1"), new ServerId("kv", "n2"),
            new ServerId("kv", "n3"));
        nodes.system("n1").startCluster("kv", new KvMachine(), initial);
        final List<ServerId> current = replaceEveryMember(initial);
        final RaSystem removedMembersNode = nodes.system("n1");

        removedMembersNode.deleteCluster(initial.get(0));

        assertThatThrownBy(() -> removedMembersNode.processCommand(current.get(0), new KvMachine.Put("k", "1"),
            CALL_TIMEOUT)).isInstanceOf(UnknownServerException.class)
            .hasMessage("server " + current.get(0) + " was deleted: cluster kv was deleted (deleteCluster)");
    }

    /**
     * A pipelined command from the client node, addressed to a member replaced since: the removed member's node
     * rejected it naming no leader, so the process had nowhere to send it again; it names the member the removal
     * recorded, and the command, sent again to each member a rejection names, is applied. Without a process to notify
     * it goes on to that member itself, as a follower's goes on to its leader.
     */
    @Test
    void pipelinedCommandsAddressedToAReplacedMemberReachTheCluster() throws InterruptedException
    {
        final List<ServerId> initial = List.of(new ServerId("kv", "n1"), new ServerId("kv", "n2"),
            new ServerId("kv", "n3"));
        nodes.system("n1").startCluster("kv", new KvMachine(), initial);
        final RaSystem client = nodes.system("n7");
        client.registerCluster("kv", new KvMachine(), initial);
        final List<ServerId> current = replaceEveryMember(initial);
        final BlockingQueue<RaEvent> events = new LinkedBlockingQueue<>();
        final RaProcess process = client.spawn(message -> events.add((RaEvent)message));

        ServerId to = initial.get(0);
        client.pipelineCommand(to, new KvMachine.Put("k", "1"), "c1", process.ref());
        boolean applied = false;
        for (int sent = 1; !applied && sent <= 400; sent++)
        {
            final RaEvent event = InJvmCluster.await(events::poll, CALL_TIMEOUT, "an answer to the pipelined command");
            if (event instanceof RaEvent.Rejected rejected)
            {
                // A removed member may name one removed after it, which names another: each is nearer the present.
                // No member is named by one that knows no leader yet (elections), or is still stopping: sent again
                // after a pause.
                if (null == rejected.leaderHint())
                {
                    Thread.sleep(25);
                }
                to = null == rejected.leaderHint() ? to : rejected.leaderHint();
                client.pipelineCommand(to, new KvMachine.Put("k", "1"), "c1", process.ref());
            }
            else
            {
                assertThat(event).isInstanceOf(RaEvent.Applied.class);
                applied = true;
            }
        }
        assertThat(applied).as("applied").isTrue();

        client.pipelineCommand(initial.get(1), new KvMachine.Put("k", "2"));
        InJvmCluster.await(() -> "2".equals(client.<Object>namedQuery(current.get(0), "get", "k", true, CALL_TIMEOUT)
            .result()) ? true : null, CALL_TIMEOUT, "the command pipelined without a process to be applied");
    }

    /**
     * A node (re)started since registers the cluster with the members it was configured with, all of them replaced
     * since: its first call finds the cluster as it is now.
     */
    @Test
    void aNodeRegisteringMembersReplacedSinceFindsTheNewMembers()
    {
        final List<ServerId> initial = List.of(new ServerId("kv", "n1"), new ServerId("kv", "n2"),
            new ServerId("kv", "n3"));
        nodes.system("n1").startCluster("kv", new KvMachine(), initial);
        final List<ServerId> current = replaceEveryMember(initial);
        final RaSystem client = nodes.system("n7");
        client.registerCluster("kv", new KvMachine(), initial);

        assertThat(client.members(initial.get(2))).containsExactlyInAnyOrderElementsOf(current);
        assertThat(client.processCommand(initial.get(1), new KvMachine.Put("k", "1"), CALL_TIMEOUT).leader())
            .isIn(current);
    }

    /**
     * The removed members name members that were later deleted with their cluster: a call from the client node still
     * fails as addressed to a deleted cluster, not as one that found no leader in time.
     */
    @Test
    void aClusterDeletedAfterARollingReplacementIsReportedDeletedToAClientNodeThatMadeNoCall()
    {
        final List<ServerId> initial = List.of(new ServerId("kv", "n1"), new ServerId("kv", "n2"),
            new ServerId("kv", "n3"));
        nodes.system("n1").startCluster("kv", new KvMachine(), initial);
        final RaSystem client = nodes.system("n7");
        client.registerCluster("kv", new KvMachine(), initial);
        client.processCommand(initial.get(0), new KvMachine.Put("k", "0"), CALL_TIMEOUT);
        final List<ServerId> current = replaceEveryMember(initial);
        nodes.system(current.get(0)).deleteCluster(current.get(0));
        for (final ServerId member : current)
        {
            InJvmCluster.await(() -> !nodes.system(member).isRunning(member), CALL_TIMEOUT, member + " to stop");
        }

        assertThatThrownBy(() -> client.processCommand(initial.get(0), new KvMachine.Put("k", "1"), CALL_TIMEOUT))
            .isInstanceOf(UnknownServerException.class).hasMessageContaining("deleted");
    }

    /**
     * The removed members' nodes restarted since: they no longer remember the removals, and answer that no such server
     * runs. The client node cannot tell that from members restarting: its call is not failed as addressed to a deleted
     * cluster, it times out, saying that no member it knows runs (its error named only the last member asked, as if
     * the cluster had no leader).
     */
    @Test
    void membersReplacedOnNodesRestartedSinceAreNotTakenForDeleted()
    {
        final List<ServerId> initial = List.of(new ServerId("kv", "n1"), new ServerId("kv", "n2"),
            new ServerId("kv", "n3"));
        nodes.system("n1").startCluster("kv", new KvMachine(), initial);
        final RaSystem client = nodes.system("n7");
        client.registerCluster("kv", new KvMachine(), initial);
        client.processCommand(initial.get(0), new KvMachine.Put("k", "0"), CALL_TIMEOUT);
        replaceEveryMember(initial);
        for (final ServerId old : initial)
        {
            nodes.stopNode(old.node());
            nodes.startNode(old.node());
        }

        final String noneRuns = "no member of cluster 'kv' known to node n7 " + initial + " was found running";
        assertThatThrownBy(() -> client.processCommand(initial.get(0), new KvMachine.Put("k", "1"),
            Duration.ofSeconds(2))).isInstanceOf(ClusterUnavailableException.class).hasMessageContaining(noneRuns);
        // With the default timeout.
        assertThatThrownBy(() -> client.members(initial.get(1))).isInstanceOf(RaTimeoutException.class)
            .hasMessageContaining(noneRuns);
    }

    /**
     * Add a member, then remove an old one, until none of the initial members is left; no call is made from n7.
     *
     * @return the members now.
     */
    private List<ServerId> replaceEveryMember(final List<ServerId> initial)
    {
        final List<ServerId> current = new ArrayList<>(initial);
        for (int i = 0; i < initial.size(); i++)
        {
            final ServerId old = initial.get(i);
            final ServerId added = new ServerId("kv", "n" + (4 + i));
            final ServerId staying = current.get(current.size() - 1);
            final MemberChange change = InJvmCluster.whenPermitted(() -> nodes.system(staying).addMember(staying,
                added), CALL_TIMEOUT, "adding " + added);
            current.add(added);
            nodes.system(added).startServer("kv", new KvMachine(), added, current, change);
            InJvmCluster.whenPermitted(() -> nodes.system(staying).removeMember(staying, old), CALL_TIMEOUT,
                "removing " + old);
            current.remove(old);
            InJvmCluster.await(() -> !nodes.system(old).isRunning(old), CALL_TIMEOUT, old + " to stop");
        }
        return current;
    }
}

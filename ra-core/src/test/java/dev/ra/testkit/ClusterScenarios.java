package dev.ra.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.CommandResult;
import dev.ra.QueryResult;
import dev.ra.RaEvent;
import dev.ra.RaProcess;
import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.UnknownServerException;
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

/**
 * The runtime's cluster scenarios, written once against {@link InJvmCluster} and run over every transport: each
 * subclass says how nodes are connected ({@link #transports()}). Only behaviour every transport must show is asserted
 * here (no fault hooks of a particular transport), and never timing.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class ClusterScenarios
{
    private static final Duration WAIT = Duration.ofSeconds(15);

    private InJvmCluster cluster;

    /**
     * @return a factory of the transport under test, one per test.
     */
    protected abstract TransportFactory transports();

    private TransportFactory transportFactory;

    private InJvmCluster cluster(final int nodes)
    {
        transportFactory = transports();
        cluster = new InJvmCluster(nodes, transportFactory, b -> b.minSnapshotInterval(10));
        transportFactory.awaitConnected(WAIT);
        return cluster;
    }

    @AfterEach
    void closeCluster()
    {
        if (null != cluster)
        {
            cluster.close();
        }
    }

    private static List<ServerId> ids(final String name, final String... nodes)
    {
        final List<ServerId> ids = new ArrayList<>();
        for (final String node : nodes)
        {
            ids.add(new ServerId(name, node));
        }
        return ids;
    }

    @Test
    void aClusterElectsALeaderAndReplicatesCommandsToEveryMember()
    {
        final InJvmCluster c = cluster(3);
        final List<ServerId> members = c.startCluster("kv", new KvMachine());
        final ServerId leader = c.awaitLeader(members, WAIT);
        for (int i = 0; i < 50; i++)
        {
            c.system(leader).processCommand(leader, new KvMachine.Put("k" + i, "v" + i));
        }
        for (final ServerId member : members)
        {
            final QueryResult<Integer> size = c.system(member).consistentQuery(member,
                (Map<String, String> s) -> s.size());
            assertThat(size.result()).as("keys on %s", member).isEqualTo(50);
        }
    }

    @Test
    void aCommandSentToAFollowerIsRedirectedToTheLeader()
    {
        final InJvmCluster c = cluster(3);
        final List<ServerId> members = c.startCluster("kv", new KvMachine());
        final ServerId leader = c.awaitLeader(members, WAIT);
        final ServerId follower = members.stream().filter(m -> !m.equals(leader)).findFirst().orElseThrow();

        final CommandResult<String> result = c.system(follower).processCommand(follower, new KvMachine.Put("a", "1"));

        assertThat(result.leader()).isEqualTo(leader);
        final QueryResult<String> read = c.system(follower).consistentQuery(follower,
            (Map<String, String> s) -> s.get("a"));
        assertThat(read.result()).isEqualTo("1");
    }

    @Test
    void aNodeHostingNoMemberSendsCommandsAndNamedQueries() throws InterruptedException
    {
        final InJvmCluster c = cluster(4);
        final List<ServerId> members = ids("kv", "n1", "n2", "n3");
        c.system("n1").startCluster("kv", new KvMachine(), members);
        c.awaitLeader(members, WAIT);
        final RaSystem outsider = c.system("n4");
        outsider.registerCluster("kv", new KvMachine(), members);

        final CommandResult<String> put = outsider.processCommand(members.get(2), new KvMachine.Put("x", "42"));
        final QueryResult<String> consistent = outsider.namedQuery(members.get(0), "get", "x", true);
        final QueryResult<Integer> size = outsider.namedQuery(put.leader(), "size", null, false);

        assertThat(consistent.result()).isEqualTo("42");
        assertThat(size.result()).isEqualTo(1);

        final BlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
        final RaProcess process = outsider.spawn(inbox::add);
        outsider.pipelineCommand(put.leader(), new KvMachine.Put("y", "1"), "corr", process.ref());
        final Object event = inbox.poll(20, TimeUnit.SECONDS);
        assertThat(event).isEqualTo(new RaEvent.Applied(put.leader(), List.of(new RaEvent.Correlated("corr", null))));
    }

    /**
     * Calls to a deleted cluster's members fail at once naming the deletion, also on a node that only knew the cluster
     * (its members' nodes answer that they were deleted); the call's timeout is longer than a test waits for anything.
     */
    @Test
    void aNodeThatKnewADeletedClusterLearnsOfTheDeletionFromTheMembersNodes()
    {
        final InJvmCluster c = cluster(4);
        final List<ServerId> members = ids("kv", "n1", "n2", "n3");
        c.system("n1").startCluster("kv", new KvMachine(), members);
        c.awaitLeader(members, WAIT);
        final RaSystem outsider = c.system("n4");
        outsider.registerCluster("kv", new KvMachine(), members);
        c.system("n1").deleteCluster(members.get(1));
        for (final ServerId member : members)
        {
            InJvmCluster.await(() -> !c.system(member).isRunning(member), WAIT, member + " to stop");
        }

        assertThatThrownBy(() -> outsider.processCommand(members.get(0), new KvMachine.Put("a", "1"),
            Duration.ofMinutes(2)))
            .isInstanceOf(UnknownServerException.class)
            .hasMessageContaining("cluster kv was deleted (deleteCluster)");
    }

    @Test
    void aNamedQueryTheMachineDoesNotDeclareFails()
    {
        final InJvmCluster c = cluster(3);
        final List<ServerId> members = c.startCluster("kv", new KvMachine());
        c.awaitLeader(members, WAIT);

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> c.system("n2").namedQuery(members.get(0),
            "nope", null, true)).hasMessageContaining("nope");
    }

    @Test
    void whenTheLeadersNodeStopsAnotherLeadsWithEveryAcknowledgedCommandAndTheNodeCatchesUpOnRestart()
    {
        final InJvmCluster c = cluster(3);
        final List<ServerId> members = c.startCluster("kv", new KvMachine(20));
        final ServerId leader = c.awaitLeader(members, WAIT);
        for (int i = 0; i < 30; i++)
        {
            c.system(leader).processCommand(leader, new KvMachine.Put("before" + i, "v"));
        }

        c.stopNode(leader.node());
        final List<ServerId> rest = members.stream().filter(m -> !m.equals(leader)).toList();
        final ServerId next = c.awaitLeader(rest, WAIT);
        for (int i = 0; i < 50; i++)
        {
            c.system(next).processCommand(next, new KvMachine.Put("after" + i, "v"));
        }
        assertThat(c.system(next).<Map<String, String>, Integer>consistentQuery(next, Map::size).result())
            .isEqualTo(80);

        c.startNode(leader.node());
        transportFactory.awaitConnected(WAIT);
        c.system(leader).restartServer(leader);
        InJvmCluster.await(() -> c.system(leader).<Map<String, String>, Integer>localQuery(leader, Map::size)
            .result() == 80, WAIT, "the restarted member to catch up");
    }

    @Test
    void aMachineMonitorsAProcessOnAnotherNodeAndSendsItMessages() throws InterruptedException
    {
        final InJvmCluster c = cluster(3);
        final List<ServerId> members = c.startCluster("w", new WatcherMachine());
        final ServerId leader = c.awaitLeader(members, WAIT);
        final ServerId follower = members.stream().filter(m -> !m.equals(leader)).findFirst().orElseThrow();
        final BlockingQueue<Object> observed = new LinkedBlockingQueue<>();
        final RaProcess observer = c.system(follower).spawn(observed::add);
        final RaProcess watched = c.system(follower).spawn(m -> { });
        final RaSystem leaderNode = c.system(leader);
        leaderNode.processCommand(leader, new WatcherMachine.Observe(observer.ref()));
        leaderNode.processCommand(leader, new WatcherMachine.Watch(watched.ref()));
        leaderNode.processCommand(leader, new WatcherMachine.Tell(observer.ref(), "hello"));
        assertThat(observed.poll(20, TimeUnit.SECONDS)).isEqualTo("hello");

        watched.close();

        assertThat(observed.poll(20, TimeUnit.SECONDS)).isEqualTo("down " + watched.ref() + " NORMAL");
    }

    @Test
    void aLaggingFollowerCatchesUpThroughASnapshot()
    {
        final InJvmCluster c = cluster(3);
        final List<ServerId> members = c.startCluster("kv", new KvMachine(10));
        final ServerId leader = c.awaitLeader(members, WAIT);
        final ServerId follower = members.stream().filter(m -> !m.equals(leader)).findFirst().orElseThrow();
        c.system(follower).stopServer(follower);
        // A release cursor arriving while a snapshot is being written is skipped: write until the leader took one.
        int written = 0;
        while (written < 2000 && (written < 100 || c.system(leader).overview(leader).snapshotIndex() < 50))
        {
            c.system(leader).processCommand(leader, new KvMachine.Put("k" + written, "x".repeat(100)));
            written++;
        }
        final int expected = written;

        c.system(follower).restartServer(follower);

        InJvmCluster.await(() -> c.system(follower).<Map<String, String>, Integer>localQuery(follower, Map::size)
            .result() == expected, WAIT, "the follower to install the snapshot and catch up");
        assertThat(c.system(follower).overview(follower).snapshotIndex()).isPositive();
    }

    @Test
    void aMemberIsAddedOnAnotherNode()
    {
        final InJvmCluster c = cluster(3);
        final List<ServerId> members = ids("kv", "n1", "n2");
        c.system("n1").startCluster("kv", new KvMachine(), members);
        final ServerId leader = c.awaitLeader(members, WAIT);
        c.system(leader).processCommand(leader, new KvMachine.Put("a", "1"));
        final ServerId added = new ServerId("kv", "n3");

        c.system("n3").startServer("kv", new KvMachine(), added, members);
        c.system(leader).addMember(leader, added);

        InJvmCluster.await(() -> "1".equals(c.system("n3").<Map<String, String>, String>localQuery(added,
            s -> s.get("a")).result()), WAIT, "the new member to catch up");
        assertThat(c.system(leader).members(leader)).contains(added);
    }
}

package dev.ra.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.KvMachine;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Over the Netty transport (loopback), with the nodes speaking protocol version 10 (deletion notices carry a term) or
 * 9 (they carry none): a member whose node was down at its cluster's deletion still deletes itself once back, on the
 * word of the nodes that applied it, and a removed member is still retired. The term only keeps a late notice about a
 * cluster before from deleting a member of one created again (LateDeletionNoticeTest in ra-core).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class DeletionNoticeVersionsTest
{
    private static final Duration STARTUP = Duration.ofSeconds(30);
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final List<ServerId> members = List.of(new ServerId("kv", "n1"), new ServerId("kv", "n2"),
        new ServerId("kv", "n3"));
    private InJvmCluster cluster;

    @AfterEach
    void close()
    {
        if (null != cluster)
        {
            cluster.close();
        }
    }

    /**
     * @param newest the newest protocol version of node n{i} (its index from 1).
     * @return the leader, not on n3.
     */
    private ServerId start(final IntUnaryOperator newest)
    {
        final LoopbackTransports transports = new LoopbackTransports(3, (node, builder) -> builder
            .newestProtocolForTests(newest.applyAsInt(Integer.parseInt(node.substring(1)))));
        cluster = new InJvmCluster(3, transports, b -> { });
        transports.awaitConnected(STARTUP);
        cluster.system("n1").startCluster("kv", new KvMachine(), members);
        final ServerId leader = cluster.awaitLeader(members, STARTUP);
        cluster.system(leader).processCommand(leader, new KvMachine.Put("a", "1"));
        if (leader.equals(members.get(2)))
        {
            cluster.system(leader).transferLeadership(leader, members.get(0));
            InJvmCluster.await(() -> members.get(0).equals(cluster.leaderOf(members)), WAIT, "kv@n1 leading");
            return members.get(0);
        }
        return leader;
    }

    @ParameterizedTest
    @ValueSource(ints = {ProtocolVersions.DELETION_TERM, ProtocolVersions.RUN_ID})
    void aMemberDownAtItsClustersDeletionDeletesItselfOnceBack(final int version)
    {
        final ServerId missed = members.get(2);
        start(node -> version);
        InJvmCluster.await(() -> cluster.system(missed).overview(missed).lastApplied() >= 2 ? true : null, WAIT,
            missed + " applied the write");
        cluster.stopNode(missed.node());
        cluster.system("n1").deleteCluster(members.get(0));

        final RaSystem back = cluster.startNode(missed.node());
        back.restartServer(missed);
        InJvmCluster.await(() -> !back.isRunning(missed), WAIT, missed + " stopped once it heard of the deletion");
    }

    @ParameterizedTest
    @ValueSource(ints = {ProtocolVersions.DELETION_TERM, ProtocolVersions.RUN_ID})
    void aRemovedMemberIsRetired(final int version)
    {
        final ServerId removed = members.get(2);
        final ServerId leader = start(node -> node == 3 ? version : ProtocolVersions.NEWEST);

        cluster.system(leader).removeMember(leader, removed);

        InJvmCluster.await(() -> !cluster.system(removed).isRunning(removed), WAIT, removed + " retired");
        assertThat(cluster.system(leader).members(leader)).doesNotContain(removed);
    }
}

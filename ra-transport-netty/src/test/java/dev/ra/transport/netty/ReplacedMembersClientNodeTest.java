package dev.ra.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.MemberChange;
import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.KvMachine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Over the Netty transport (loopback): a client node (n5, hosting no member) that made no call while every member it
 * was told of was replaced finds the cluster at its next call, addressed to a member replaced long ago. The removed
 * member's node names a member of its last configuration in its "deleted" answer (the reply's leader field), and the
 * call goes there; before, the node took the cluster for deleted.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ReplacedMembersClientNodeTest
{
    private static final Duration WAIT = Duration.ofSeconds(30);

    private InJvmCluster nodes;

    @AfterEach
    void close()
    {
        if (null != nodes)
        {
            nodes.close();
        }
    }

    @Test
    void aClientNodeThatMadeNoCallWhileEveryMemberWasReplacedFindsTheCluster()
    {
        final LoopbackTransports transports = new LoopbackTransports(5);
        nodes = new InJvmCluster(5, transports, b -> { });
        transports.awaitConnected(WAIT);
        final List<ServerId> initial = List.of(new ServerId("kv", "n1"), new ServerId("kv", "n2"));
        nodes.system("n1").startCluster("kv", new KvMachine(), initial);
        final RaSystem client = nodes.system("n5");
        client.registerCluster("kv", new KvMachine(), initial);
        client.processCommand(initial.get(0), new KvMachine.Put("k", "0"), WAIT);

        final List<ServerId> current = new ArrayList<>(initial);
        for (int i = 0; i < initial.size(); i++)
        {
            final ServerId old = initial.get(i);
            final ServerId added = new ServerId("kv", "n" + (3 + i));
            final ServerId staying = current.get(current.size() - 1);
            final MemberChange change = nodes.system(staying).addMember(staying, added);
            current.add(added);
            nodes.system(added).startServer("kv", new KvMachine(), added, current, change);
            // Reached by the leader before the removal, which needs a majority of the voters left.
            InJvmCluster.await(() -> nodes.system(added).overview(added).lastApplied() >= change.index() ? true : null,
                WAIT, added + " to catch up");
            nodes.system(staying).removeMember(staying, old);
            current.remove(old);
            InJvmCluster.await(() -> !nodes.system(old).isRunning(old), WAIT, old + " to stop");
        }

        assertThat(client.processCommand(initial.get(0), new KvMachine.Put("k", "1"), WAIT).leader()).isIn(current);
        assertThat(client.members(initial.get(1))).containsExactlyInAnyOrderElementsOf(current);
        assertThat(client.<Object>namedQuery(initial.get(1), "get", "k", true, WAIT).result()).isEqualTo("1");
    }
}

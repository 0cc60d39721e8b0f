package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.MemberChange;
import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.protocol.ServerRequest;
import dev.ra.runtime.injvm.InJvmNetwork;
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
 * The rolling replacement of {@link RollingReplacementClientTest}, with the first call a client node makes to learn
 * the cluster's members held on the way (as a slow link or a busy member may hold it) until every member the node
 * was told of is gone. That call held every other call's wish to learn the members (one at a time per cluster), so
 * the node never learned the members added meanwhile; released, it found the members it knew all deleted and made
 * the node forget the cluster, and the next command failed before it was sent: "server kv@n1 was deleted: every
 * member of cluster kv known to node n7 was deleted (the last asked: server kv@n2 ...)", while the cluster ran on.
 * The removed members' nodes answer as an older release does, naming no member to ask instead (else the calls would
 * go there, and never come to conclude).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ParkedMemberLearningTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private final InJvmNetwork network = new InJvmNetwork();
    private final HoldingTransport clientTransport = new HoldingTransport(network.newTransport());
    private final InJvmCluster nodes = new InJvmCluster(7,
        node -> "n7".equals(node) ? clientTransport : network.newTransport(), builder -> { });

    @AfterEach
    void close()
    {
        nodes.close();
        network.close();
    }

    @Test
    void aMembersCallHeldWhileEveryMemberIsReplacedNeitherBlocksLearningNorForgetsTheCluster()
    {
        final ServerId n1 = new ServerId("kv", "n1");
        final ServerId n3 = new ServerId("kv", "n3");
        final List<ServerId> initial = List.of(n1, new ServerId("kv", "n2"), n3);
        nodes.system("n1").startCluster("kv", new KvMachine(), initial);
        // n3 leads while n1 and n2 are replaced, so that what the client hears names no member added since.
        final ServerId first = nodes.awaitLeader(initial, TIMEOUT);
        if (!first.equals(n3))
        {
            nodes.system(first).transferLeadership(first, n3);
        }
        InJvmCluster.await(() -> n3.equals(nodes.leaderOf(initial)), TIMEOUT, n3 + " to lead");
        final RaSystem client = nodes.system("n7");
        clientTransport.asFromOlderReleases();
        client.registerCluster("kv", new KvMachine(), initial);
        client.processCommand(n1, new KvMachine.Put("k", "0"), TIMEOUT);
        clientTransport.holdNextCall(call -> call.request() instanceof ServerRequest.Members);

        final List<ServerId> current = new ArrayList<>(initial);
        for (int i = 0; i < initial.size(); i++)
        {
            final ServerId old = initial.get(i);
            replace(current, old, new ServerId("kv", "n" + (4 + i)));
            if (i < initial.size() - 1)
            {
                client.processCommand(n1, new KvMachine.Put("k", String.valueOf(i + 1)), TIMEOUT);
            }
        }
        assertThat(clientTransport.holdsCall()).as("the client asked for the members").isTrue();
        clientTransport.releaseCall();

        assertThat(client.processCommand(n1, new KvMachine.Put("k", "last"), TIMEOUT).leader()).isIn(current);
    }

    private void replace(final List<ServerId> current, final ServerId old, final ServerId added)
    {
        final ServerId staying = current.get(current.size() - 1);
        final MemberChange change = nodes.system(staying).addMember(staying, added);
        current.add(added);
        nodes.system(added).startServer("kv", new KvMachine(), added, current, change);
        nodes.system(staying).removeMember(staying, old);
        current.remove(old);
        InJvmCluster.await(() -> !nodes.system(old).isRunning(old), TIMEOUT, old + " to stop");
    }
}

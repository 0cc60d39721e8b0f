package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.MemberChange;
import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.UnknownServerException;
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
 * A client node whose every known member was replaced found them all deleted and forgot the cluster; then the answer
 * to a members call it had made earlier arrived, naming members some of which run. The node learned them, and even
 * those it had forgotten among them were known again, but not the others it had forgotten: a command addressed to
 * the member it was told of at registration failed before it was sent ("every member of cluster kv known to node n7
 * was deleted"), while the node knew members that run and the same command to them succeeded. Learning a cluster's
 * members after such a conclusion now brings back every member it forgot. The removed members' nodes answer as an
 * older release does, naming no member to ask instead (else the node would not conclude the cluster deleted).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MembersLearnedAfterAllDeletedTest
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
    void membersLearnedAfterEveryKnownMemberWasFoundDeletedBringBackTheOnesForgotten()
    {
        final ServerId n1 = new ServerId("kv", "n1");
        final ServerId n2 = new ServerId("kv", "n2");
        final ServerId n3 = new ServerId("kv", "n3");
        final List<ServerId> initial = List.of(n1, n2, n3);
        nodes.system("n1").startCluster("kv", new KvMachine(), initial);
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
        final List<ServerId> current = new ArrayList<>(initial);
        replace(current, n1, new ServerId("kv", "n4"));

        // The client finds n1 deleted and asks the leader, n3, for the members: n3 answers n2, n3, n4 (held).
        clientTransport.holdReplyToNextCall(call -> call.request() instanceof ServerRequest.Members);
        client.processCommand(n1, new KvMachine.Put("k", "1"), TIMEOUT);
        InJvmCluster.await(clientTransport::holdsReply, TIMEOUT, "n3's answer to the members call");
        replace(current, n2, new ServerId("kv", "n5"));
        replace(current, n3, new ServerId("kv", "n6"));
        assertThatThrownBy(() -> client.processCommand(n1, new KvMachine.Put("k", "2"), TIMEOUT))
            .isInstanceOf(UnknownServerException.class).hasMessageContaining("every member of cluster kv known");

        clientTransport.releaseReply();
        InJvmCluster.await(() -> client.processCommand(current.get(0), new KvMachine.Put("k", "3"), TIMEOUT),
            TIMEOUT, "a command addressed to a member learned");
        assertThat(client.processCommand(n1, new KvMachine.Put("k", "4"), TIMEOUT).leader()).isIn(current);
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

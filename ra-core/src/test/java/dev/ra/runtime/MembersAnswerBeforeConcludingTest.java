package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.CommandResult;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A client node that knew only members since replaced: its call, finding the first one it asks deleted, asked the
 * leader it knew for the members, and the leader answered, but the answer was still on its way when the call found
 * the other members it knew deleted, the leader too (removed meanwhile). The call concluded that the cluster was
 * deleted and the node forgot it, although the answer on its way named the members that run; that answer, learned
 * next, could not undo it, and calls addressed to the forgotten members failed before they were sent. A call now
 * waits for the members call it caused before concluding. The removed members' nodes answer as an older release does,
 * naming no member to ask instead (else the call would go there, and never come to conclude).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MembersAnswerBeforeConcludingTest
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
    void aCallThatFindsEveryMemberItKnowsDeletedWaitsForTheMembersItAskedFor() throws Exception
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
        // The client makes no call while n1 and n2 are replaced: it knows n1, n2, n3, and n3 as the leader.
        final List<ServerId> current = new ArrayList<>(initial);
        replace(current, n1, new ServerId("kv", "n4"));
        replace(current, n2, new ServerId("kv", "n5"));

        clientTransport.holdReplyToNextCall(call -> call.request() instanceof ServerRequest.Members);
        clientTransport.holdNextCall(call -> call.request() instanceof ServerRequest.Command && n3.equals(call.to()));
        final CompletableFuture<CommandResult<Object>> put = client.processCommandAsync(n1,
            new KvMachine.Put("k", "1"), TIMEOUT);
        InJvmCluster.await(() -> clientTransport.holdsCall() && clientTransport.holdsReply(), TIMEOUT,
            "the command to n3 and n3's answer to the members call");
        replace(current, n3, new ServerId("kv", "n6"));
        // n3 answers that it was deleted: with n1's and n2's answers, every member the client knows.
        clientTransport.releaseCall();
        clientTransport.releaseReply();

        assertThat(put.get(TIMEOUT.toSeconds() * 2, TimeUnit.SECONDS).leader()).isIn(current);
        assertThat(client.processCommand(n1, new KvMachine.Put("k", "2"), TIMEOUT).leader()).isIn(current);
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

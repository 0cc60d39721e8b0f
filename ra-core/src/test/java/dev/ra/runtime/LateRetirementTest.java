package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.MemberChange;
import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.protocol.NodeMessage;
import dev.ra.protocol.ServerRequest;
import dev.ra.runtime.injvm.InJvmNetwork;
import dev.ra.spi.TransportListener;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.KvMachine;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The retirement of a removed member (stop and delete, asked by the leader that commits its removal) may reach the
 * member's node late: the call is retried until its timeout, and a message may wait in a connection's queue. If the
 * member was deleted and added back under the same id meanwhile, the late retirement must not delete the new member:
 * the request names the configuration that removed the member, and a member that joined after it refuses.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class LateRetirementTest
{
    private static final Duration WAIT = Duration.ofSeconds(20);

    /** Stop-and-delete requests the member nodes sent to n3, held back until the test lets them go. */
    private final Queue<Held> held = new ConcurrentLinkedQueue<>();
    /** Calls (by id) whose reply came back to the node that sent them. */
    private final Set<Long> answered = ConcurrentHashMap.newKeySet();
    private final InJvmNetwork network = new InJvmNetwork();
    private volatile boolean holding = true;
    private InJvmCluster cluster;

    @AfterEach
    void close()
    {
        if (null != cluster)
        {
            cluster.close();
        }
    }

    @Test
    void aLateRetirementDoesNotDeleteTheMemberAddedBackUnderTheSameId() throws Exception
    {
        cluster = new InJvmCluster(3, node -> new HoldingTransport(node, network.newTransport()), b -> { });
        final List<ServerId> members = cluster.serverIds("kv");
        final ServerId removed = members.get(2);
        final RaSystem n1 = cluster.system("n1");
        final RaSystem n3 = cluster.system("n3");
        n1.startCluster("kv", new KvMachine(), members);
        ServerId leader = cluster.awaitLeader(members, WAIT);
        if (leader.equals(removed))
        {
            n1.transferLeadership(removed, members.get(0));
            InJvmCluster.await(() -> members.get(0).equals(cluster.leaderOf(members)), WAIT, "kv@n1 leading");
            leader = members.get(0);
        }
        final RaSystem leaderNode = cluster.system(leader);

        leaderNode.removeMember(leader, removed);
        InJvmCluster.await(() -> !held.isEmpty(), WAIT, "the retirement of kv@n3 sent");
        // The operator deletes the removed member by hand and adds it back, empty, under the same id.
        n3.forceDeleteServer(removed);
        final MemberChange added = leaderNode.addMember(leader, removed);
        n3.startServer("kv", new KvMachine(), removed, members, added);
        leaderNode.processCommand(leader, new KvMachine.Put("x", "1"));
        InJvmCluster.await(() -> "1".equals(valueOn(n3, removed, "x")), WAIT,
            "the member added back caught up");

        holding = false;
        final List<Held> late = List.copyOf(held);
        for (final Held h : late)
        {
            h.transport.delegate.send("n3", h.call);
        }
        for (final Held h : late)
        {
            InJvmCluster.await(() -> answered.contains(h.call.callId()), WAIT, "the late retirement answered");
        }

        assertThat(n3.isRunning(removed)).as("the member added back still runs").isTrue();
        assertThat(leaderNode.members(leader)).contains(removed);
        leaderNode.processCommand(leader, new KvMachine.Put("y", "2"));
        InJvmCluster.await(() -> "2".equals(valueOn(n3, removed, "y")), WAIT,
            "the member added back goes on applying");
    }

    private static String valueOn(final RaSystem node, final ServerId member, final String key)
    {
        return node.<Map<String, String>, String>localQuery(member, s -> s.get(key)).result();
    }

    private record Held(HoldingTransport transport, NodeMessage.ServerCall call)
    {
    }

    /** Holds back the stop-and-delete requests this node sends to n3, and notes the replies it receives. */
    private final class HoldingTransport extends ForwardingTransport
    {
        private final String node;

        HoldingTransport(final String node, final dev.ra.spi.Transport delegate)
        {
            super(delegate);
            this.node = node;
        }

        @Override
        public void start(final String localNode, final TransportListener listener)
        {
            super.start(localNode, new ForwardingTransportListener(listener)
            {
                @Override
                public void onMessage(final String fromNode, final NodeMessage message)
                {
                    if (message instanceof NodeMessage.CallReply reply)
                    {
                        answered.add(reply.callId());
                    }
                    super.onMessage(fromNode, message);
                }
            });
        }

        @Override
        public void send(final String to, final NodeMessage message)
        {
            if (holding && "n3".equals(to) && !"n3".equals(node) && message instanceof NodeMessage.ServerCall call &&
                call.request() instanceof ServerRequest.ForceDelete)
            {
                held.add(new Held(this, call));
                return;
            }
            super.send(to, message);
        }
    }
}

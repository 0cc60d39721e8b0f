package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ServerId;
import dev.ra.protocol.NodeMessage;
import dev.ra.protocol.ServerRequest;
import dev.ra.runtime.injvm.InJvmNetwork;
import dev.ra.spi.Transport;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.KvMachine;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Deletion notices name server ids only, and a cluster created again under the same ids has the same ids: a notice
 * about the cluster before (a retirement of a removed member, retried until the default timeout; a "deleted with its
 * cluster" answer held up on its way) that reaches the new cluster's member of the id deleted a healthy member. The
 * notices carry the term of what they are about, below every term of the new cluster's log, and such a notice is
 * ignored.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LateDeletionNoticeTest
{
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final InJvmNetwork network = new InJvmNetwork();
    private final Map<String, RecordingTransport> transports = new ConcurrentHashMap<>();
    private final InJvmCluster nodes = new InJvmCluster(3, node -> transports.compute(node,
        (n, old) -> new RecordingTransport(network.newTransport())), b -> { });
    private final List<ServerId> members = nodes.serverIds("kv");

    @AfterEach
    void close()
    {
        nodes.close();
        network.close();
    }

    @Test
    void aLateRetirementOfTheClusterBeforeDoesNotDeleteTheMemberOfTheClusterCreatedAgain()
    {
        nodes.system("n1").startCluster("kv", new KvMachine(), members);
        final ServerId leader = nodes.awaitLeader(members, WAIT);
        nodes.system(leader).processCommand(leader, new KvMachine.Put("a", "1"));
        final ServerId removed = members.stream().filter(m -> !m.equals(leader)).findFirst().orElseThrow();
        nodes.system(leader).removeMember(leader, removed);
        InJvmCluster.await(() -> !nodes.system(removed).isRunning(removed), WAIT, removed + " retired");
        final NodeMessage.ServerCall retirement = transports.get(leader.node()).retirementTo(removed);
        assertThat(retirement).as("the retirement " + leader.node() + " sent").isNotNull();
        final List<ServerId> left = members.stream().filter(m -> !m.equals(removed)).toList();
        nodes.system(leader).deleteCluster(leader);
        InJvmCluster.await(() -> left.stream().noneMatch(m -> nodes.system(m).isRunning(m)), WAIT,
            "every member deleted");

        final ServerId newLeader = createAgain();
        InJvmCluster.await(() -> nodes.system(removed).overview(removed).lastApplied() >= 2 ? true : null, WAIT,
            removed + " holds the new cluster's entries");

        // The retirement, retried, arrives now; a members call sent after it on the same way is answered after it.
        transports.get(leader.node()).send(removed.node(), retirement);
        nodes.system(leader.node()).members(removed);

        assertThat(nodes.system(removed).isRunning(removed)).as(removed + " of the cluster created again runs")
            .isTrue();
        nodes.system(newLeader).processCommand(newLeader, new KvMachine.Put("c", "done"));
        InJvmCluster.await(() -> nodes.system(removed).overview(removed).lastApplied() >=
            nodes.system(newLeader).overview(newLeader).commitIndex() ? true : null, WAIT, removed + " applies on");
    }

    @Test
    void aLateRetirementOfTheClusterBeforeDoesNotDeleteTheMemberCreatedAgainBeforeItHoldsAnEntry()
    {
        nodes.system("n1").startCluster("kv", new KvMachine(), members);
        final ServerId leader = nodes.awaitLeader(members, WAIT);
        nodes.system(leader).processCommand(leader, new KvMachine.Put("a", "1"));
        final ServerId removed = members.stream().filter(m -> !m.equals(leader)).findFirst().orElseThrow();
        nodes.system(leader).removeMember(leader, removed);
        InJvmCluster.await(() -> !nodes.system(removed).isRunning(removed), WAIT, removed + " retired");
        final NodeMessage.ServerCall retirement = transports.get(leader.node()).retirementTo(removed);
        assertThat(retirement).as("the retirement " + leader.node() + " sent").isNotNull();
        final List<ServerId> left = members.stream().filter(m -> !m.equals(removed)).toList();
        nodes.system(leader).deleteCluster(leader);
        InJvmCluster.await(() -> left.stream().noneMatch(m -> nodes.system(m).isRunning(m)), WAIT,
            "every member deleted");

        // The new member of the id holds no entry yet (catching up) when the retirement, retried, arrives.
        left.forEach(m -> transports.get(m.node()).dropRaftTo = removed.node());
        final ServerId newLeader = createAgain();
        transports.get(leader.node()).send(removed.node(), retirement);
        nodes.system(leader.node()).members(removed);

        assertThat(nodes.system(removed).isRunning(removed)).as(removed + " of the cluster created again runs")
            .isTrue();
        left.forEach(m -> transports.get(m.node()).dropRaftTo = null);
        nodes.system(newLeader).processCommand(newLeader, new KvMachine.Put("c", "done"));
        InJvmCluster.await(() -> nodes.system(removed).overview(removed).lastApplied() >=
            nodes.system(newLeader).overview(newLeader).commitIndex() ? true : null, WAIT, removed + " applies on");
    }

    @Test
    void lateDeletedAnswersAboutTheClusterBeforeDoNotDeleteTheMemberOfTheClusterCreatedAgain()
    {
        final ServerId missed = members.get(2);
        nodes.system("n1").startCluster("kv", new KvMachine(), members);
        final ServerId leader = nodes.awaitLeader(members, WAIT);
        nodes.system(leader).processCommand(leader, new KvMachine.Put("a", "1"));
        if (leader.equals(missed))
        {
            nodes.system(missed).transferLeadership(missed, members.get(0));
            InJvmCluster.await(() -> members.get(0).equals(nodes.leaderOf(members)), WAIT, "kv@n1 leading");
        }
        nodes.stopNode(missed.node());
        nodes.system("n1").deleteCluster(members.get(0));
        nodes.startNode(missed.node()).restartServer(missed);
        InJvmCluster.await(() -> !nodes.system(missed).isRunning(missed), WAIT, missed + " heard of the deletion");
        final List<NodeMessage.ServerDown> answers = members.subList(0, 2).stream()
            .map(m -> transports.get(m.node()).deletedAnswerTo(missed)).toList();
        assertThat(answers).as("the answers n1 and n2 sent").doesNotContainNull();

        final ServerId newLeader = createAgain();
        InJvmCluster.await(() -> nodes.system(missed).overview(missed).lastApplied() >= 2 ? true : null, WAIT,
            missed + " holds the new cluster's entries");
        // No Raft message reaches it, and it campaigns: it holds entries and knows no leader, as one that missed a
        // deletion.
        members.subList(0, 2).forEach(m -> transports.get(m.node()).dropRaftTo = missed.node());
        nodes.system(missed).triggerElection(missed);
        InJvmCluster.await(() -> null == nodes.system(missed).overview(missed).leader() ? true : null, WAIT,
            missed + " knows no leader");

        // The old answers arrive now, ahead of what the leader sends once its messages pass again.
        for (int i = 0; i < 2; i++)
        {
            transports.get(members.get(i).node()).send(missed.node(), answers.get(i));
            transports.get(members.get(i).node()).dropRaftTo = null;
        }
        nodes.system(newLeader).processCommand(newLeader, new KvMachine.Put("c", "done"));
        InJvmCluster.await(() -> !nodes.system(missed).isRunning(missed) || nodes.system(missed).overview(missed)
            .lastApplied() >= nodes.system(newLeader).overview(newLeader).commitIndex() ? true : null, WAIT,
            missed + " stopped or applied on");

        assertThat(nodes.system(missed).isRunning(missed)).as(missed + " of the cluster created again runs").isTrue();
    }

    /** Starts the cluster again under the same ids, has it elect a leader and commit a command. */
    private ServerId createAgain()
    {
        for (final ServerId member : members)
        {
            nodes.system(member).startServer("kv", new KvMachine(), member, members);
        }
        nodes.system(members.get(0)).triggerElection(members.get(0));
        final ServerId leader = nodes.awaitLeader(members, WAIT);
        nodes.system(leader).processCommand(leader, new KvMachine.Put("b", "1"));
        return leader;
    }

    /** Keeps the deletion notices its node sends, and drops Raft messages to one node when told. */
    private static final class RecordingTransport extends ForwardingTransport
    {
        private final List<NodeMessage> sent = new CopyOnWriteArrayList<>();
        volatile String dropRaftTo;

        RecordingTransport(final Transport delegate)
        {
            super(delegate);
        }

        @Override
        public void send(final String to, final NodeMessage message)
        {
            if (message instanceof NodeMessage.RaftMessage && to.equals(dropRaftTo))
            {
                return;
            }
            if (message instanceof NodeMessage.ServerDown down && down.clusterDeleted() ||
                message instanceof NodeMessage.ServerCall call && call.request() instanceof ServerRequest.ForceDelete)
            {
                sent.add(message);
            }
            super.send(to, message);
        }

        NodeMessage.ServerCall retirementTo(final ServerId member)
        {
            return sent.stream().filter(m -> m instanceof NodeMessage.ServerCall call && call.to().equals(member))
                .map(NodeMessage.ServerCall.class::cast).reduce((a, b) -> b).orElse(null);
        }

        NodeMessage.ServerDown deletedAnswerTo(final ServerId member)
        {
            return sent.stream().filter(m -> m instanceof NodeMessage.ServerDown down && down.peer().equals(member))
                .map(NodeMessage.ServerDown.class::cast).reduce((a, b) -> b).orElse(null);
        }
    }
}

package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ServerId;
import dev.ra.protocol.NodeMessage;
import dev.ra.runtime.injvm.InJvmNetwork;
import dev.ra.spi.Transport;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.KvMachine;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A node whose member applied its cluster's deletion answers a message for that member with "deleted with its
 * cluster" (DownAtDeletionTest) until a server of the id is registered there again. A cluster created again under the
 * same ids, whose member on that node is not started yet, is a new cluster: its running members must not take that
 * answer, which is about the cluster before, as their own deletion.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class RecreatedAfterDeletionTest
{
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final InJvmNetwork network = new InJvmNetwork();
    /** The "deleted with its cluster" answers n1 sent. */
    private final AtomicInteger deletedAnswersFromN1 = new AtomicInteger();
    private final InJvmCluster nodes = new InJvmCluster(3, node -> "n1".equals(node) ?
        new CountingTransport(network.newTransport()) : network.newTransport(), b -> { });
    private final List<ServerId> members = nodes.serverIds("kv");

    @AfterEach
    void close()
    {
        nodes.close();
    }

    @Test
    void aClusterCreatedAgainIsNotDeletedByTheDeletionOfTheOneBefore()
    {
        nodes.system("n1").startCluster("kv", new KvMachine(), members);
        final ServerId first = nodes.awaitLeader(members, WAIT);
        nodes.system(first).processCommand(first, new KvMachine.Put("a", "1"));
        nodes.system("n1").deleteCluster(members.get(0));
        InJvmCluster.await(() -> members.stream().noneMatch(m -> nodes.system(m).isRunning(m)), WAIT,
            "every member deleted");

        // Created again, its member on n1 starting late: n2 and n3 elect a leader and commit without it.
        final ServerId lateMember = members.get(0);
        for (final ServerId member : members.subList(1, 3))
        {
            nodes.system(member).startServer("kv", new KvMachine(), member, members);
        }
        nodes.system(members.get(1)).triggerElection(members.get(1));
        final ServerId leader = nodes.awaitLeader(members.subList(1, 3), WAIT);
        for (int i = 0; i < 5; i++)
        {
            nodes.system(leader).processCommand(leader, new KvMachine.Put("b", Integer.toString(i)));
        }
        nodes.system(lateMember).startServer("kv", new KvMachine(), lateMember, members);
        nodes.system(leader).processCommand(leader, new KvMachine.Put("c", "done"));

        InJvmCluster.await(() -> nodes.system(lateMember).overview(lateMember).lastApplied() >=
            nodes.system(leader).overview(leader).commitIndex(), WAIT, "the late member caught up");
        assertThat(members).as("members running").allMatch(m -> nodes.system(m).isRunning(m));
    }

    /**
     * The same, and then the new cluster's leader goes away: its other running member, which holds entries and knows
     * no leader, campaigns and hears from n1 that kv@n1 was deleted with its cluster. One peer's word is not enough:
     * the member deletes itself only when the nodes of more voters than a majority leaves out say so (here both
     * others).
     */
    @Test
    void aMemberOfTheClusterCreatedAgainThatLostItsLeaderIsNotDeletedByOnePeersOldDeletion()
    {
        nodes.system("n1").startCluster("kv", new KvMachine(), members);
        final ServerId first = nodes.awaitLeader(members, WAIT);
        nodes.system(first).processCommand(first, new KvMachine.Put("a", "1"));
        nodes.system("n1").deleteCluster(members.get(0));
        InJvmCluster.await(() -> members.stream().noneMatch(m -> nodes.system(m).isRunning(m)), WAIT,
            "every member deleted");
        for (final ServerId member : members.subList(1, 3))
        {
            nodes.system(member).startServer("kv", new KvMachine(), member, members);
        }
        nodes.system(members.get(1)).triggerElection(members.get(1));
        final ServerId leader = nodes.awaitLeader(members.subList(1, 3), WAIT);
        nodes.system(leader).processCommand(leader, new KvMachine.Put("b", "1"));
        final ServerId survivor = leader.equals(members.get(1)) ? members.get(2) : members.get(1);
        InJvmCluster.await(() -> nodes.system(survivor).overview(survivor).lastApplied() >= 2 ? true : null, WAIT,
            "the other member applied the write");

        final int answersBefore = deletedAnswersFromN1.get();
        nodes.stopNode(leader.node());
        InJvmCluster.await(() -> deletedAnswersFromN1.get() >= answersBefore + 3 ||
            !nodes.system(survivor).isRunning(survivor) ? true : null, WAIT,
            "n1 told the campaigning member three times that kv@n1 was deleted, or the member stopped");

        assertThat(nodes.system(survivor).isRunning(survivor)).as("the member that lost its leader runs on").isTrue();
        assertThat(nodes.system(survivor).overview(survivor).lastApplied()).isGreaterThanOrEqualTo(2);
    }

    /**
     * Five members, created again with two of them not started (their nodes remember the deletion before): the three
     * started elect a leader and commit, then the leader's node stops. The two left hold entries and know no leader;
     * each hears from both not started that they were deleted with their cluster: two of four others, fewer than the
     * three a real deletion it missed would have, so both run on.
     */
    @Test
    void twoOldDeletionsOfFiveDoNotDeleteAMemberOfTheClusterCreatedAgain()
    {
        final AtomicInteger answers = new AtomicInteger();
        try (InJvmNetwork ownNetwork = new InJvmNetwork();
            InJvmCluster five = new InJvmCluster(5, node -> "n4".equals(node) || "n5".equals(node) ?
                new CountingTransport(ownNetwork.newTransport(), answers) : ownNetwork.newTransport(), b -> { }))
        {
            final List<ServerId> all = five.serverIds("kv");
            five.system("n1").startCluster("kv", new KvMachine(), all);
            final ServerId first = five.awaitLeader(all, WAIT);
            five.system(first).processCommand(first, new KvMachine.Put("a", "1"));
            five.system("n1").deleteCluster(all.get(0));
            InJvmCluster.await(() -> all.stream().noneMatch(m -> five.system(m).isRunning(m)), WAIT,
                "every member deleted");

            final List<ServerId> started = all.subList(0, 3);
            for (final ServerId member : started)
            {
                five.system(member).startServer("kv", new KvMachine(), member, all);
            }
            five.system(started.get(0)).triggerElection(started.get(0));
            final ServerId leader = five.awaitLeader(started, WAIT);
            five.system(leader).processCommand(leader, new KvMachine.Put("b", "1"));
            final List<ServerId> survivors = started.stream().filter(m -> !m.equals(leader)).toList();
            for (final ServerId survivor : survivors)
            {
                InJvmCluster.await(() -> five.system(survivor).overview(survivor).lastApplied() >= 2 ? true : null,
                    WAIT, survivor + " applied the write");
            }

            final int answersBefore = answers.get();
            five.stopNode(leader.node());
            InJvmCluster.await(() -> answers.get() >= answersBefore + 8 ||
                survivors.stream().anyMatch(m -> !five.system(m).isRunning(m)) ? true : null, WAIT,
                "n4 and n5 told the campaigning members several times that their members were deleted, or one stopped");

            assertThat(survivors).as("the members that lost their leader run on")
                .allMatch(m -> five.system(m).isRunning(m));
        }
    }

    /** Counts the "deleted with its cluster" answers this node sends. */
    private final class CountingTransport extends ForwardingTransport
    {
        private final AtomicInteger counted;

        CountingTransport(final Transport delegate)
        {
            this(delegate, deletedAnswersFromN1);
        }

        CountingTransport(final Transport delegate, final AtomicInteger counted)
        {
            super(delegate);
            this.counted = counted;
        }

        @Override
        public void send(final String to, final NodeMessage message)
        {
            if (message instanceof NodeMessage.ServerDown down && down.clusterDeleted())
            {
                counted.incrementAndGet();
            }
            super.send(to, message);
        }
    }
}

package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.RaSystem;
import dev.ra.RaftRole;
import dev.ra.ServerId;
import dev.ra.runtime.memory.InMemoryStorage;
import dev.ra.testkit.CounterMachine;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.ThreadPerTask;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A server's term and vote write waits for its sync off its event loop ({@link TermAndVoteWriters}): the loop's other
 * servers go on meanwhile (thousands of clusters electing at once no longer queue on each loop's syncs), and nothing
 * the campaigning server does leaves before its term and vote are durable.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TermAndVoteOffTheLoopTest
{
    private final CountDownLatch gate = new CountDownLatch(1);
    private final CountDownLatch writeWaiting = new CountDownLatch(1);
    private volatile boolean gateClosed;
    /** Whether the campaigner's write is held: the other nodes' term and vote writes meanwhile are kept. */
    private volatile boolean held;
    private volatile long campaignTerm;
    private final Queue<String> votesWhileHeld = new ConcurrentLinkedQueue<>();

    @Test
    void aLoopRunsItsOtherServersWhileOneWaitsForItsVoteAndTheCampaignWaitsForTheWrite() throws Exception
    {
        try (InJvmCluster cluster = new InJvmCluster(List.of("n1", "n2", "n3"), (node, builder) -> builder.eventLoops(1)
            .storage(new TermAndVoteInterceptingStorage(new InMemoryStorage(), "n2".equals(node) ? this::waitAtGate :
                this::recordWhileHeld))))
        {
            final List<ServerId> gated = cluster.startCluster("gated", new CounterMachine());
            final List<ServerId> free = cluster.startCluster("free", new CounterMachine());
            ServerId gatedLeader = cluster.awaitLeader(gated, Duration.ofSeconds(30));
            final ServerId freeLeader = cluster.awaitLeader(free, Duration.ofSeconds(30));
            final ServerId campaigner = gated.get(1);
            final ServerId other = gated.get(0);
            if (gatedLeader.equals(campaigner))
            {
                cluster.system(campaigner).transferLeadership(campaigner, other);
                gatedLeader = InJvmCluster.await(() -> cluster.system(other).overview(other).role() == RaftRole.LEADER ?
                    other : null, Duration.ofSeconds(30), other + " to lead");
            }
            final long termBefore = cluster.system(other).overview(other).currentTerm();
            final RaSystem n2 = cluster.system("n2");

            // The leader hands over to the member on n2, whose campaign (a new term, its own vote) is written first.
            gateClosed = true;
            final ServerId from = gatedLeader;
            final CompletableFuture<Void> campaign = CompletableFuture.runAsync(
                () -> cluster.system(from).transferLeadership(from, campaigner), ThreadPerTask.EXECUTOR);
            assertThat(writeWaiting.await(30, TimeUnit.SECONDS)).as("the campaigner's term and vote write started")
                .isTrue();
            gateClosed = false;

            // n2's one loop still runs its servers: the free cluster's member there applies a new command.
            final ServerId freeOnN2 = free.get(1);
            cluster.system(freeLeader).processCommand(freeLeader, 5L);
            final long applied = cluster.system(freeLeader).overview(freeLeader).commitIndex();
            InJvmCluster.await(() -> n2.overview(freeOnN2).lastApplied() >= applied ? true : null,
                Duration.ofSeconds(30), freeOnN2 + " to apply index " + applied + " while n2's other write waits");
            // The campaign has not left n2: no member has voted for the campaigner in its campaign's term. (Looking
            // at the members' terms instead failed on a busy machine: a member whose failure detector timed out
            // campaigned on its own, legitimately.)
            assertThat(votesWhileHeld).as("votes for " + campaigner + " while its own was not durable")
                .doesNotContain(campaigner + " in term " + campaignTerm);

            held = false;
            gate.countDown();
            campaign.get(30, TimeUnit.SECONDS);
            InJvmCluster.await(() -> cluster.system(other).overview(other).currentTerm() > termBefore ? true : null,
                Duration.ofSeconds(30), "the campaign to go out once its write returned");
            final ServerId leader = cluster.awaitLeader(gated, Duration.ofSeconds(30));
            assertThat(cluster.system(leader).overview(leader).role()).isEqualTo(RaftRole.LEADER);
        }
    }

    /** Term and vote writes wait here while the gate is closed. */
    private void waitAtGate(final ServerId server, final long term, final ServerId votedFor)
    {
        if (gateClosed)
        {
            campaignTerm = term;
            held = true;
            writeWaiting.countDown();
            await(gate);
        }
    }

    /** The other nodes' term and vote writes, kept while the campaigner's is held. */
    private void recordWhileHeld(final ServerId server, final long term, final ServerId votedFor)
    {
        if (held && null != votedFor)
        {
            votesWhileHeld.add(votedFor + " in term " + term);
        }
    }

    private static void await(final CountDownLatch latch)
    {
        try
        {
            latch.await(60, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}

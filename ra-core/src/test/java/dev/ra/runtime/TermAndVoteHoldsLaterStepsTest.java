package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.protocol.NodeMessage;
import dev.ra.protocol.RaftRpc;
import dev.ra.runtime.injvm.InJvmNetwork;
import dev.ra.runtime.memory.InMemoryStorage;
import dev.ra.spi.Transport;
import dev.ra.spi.TransportListener;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * While a server's term and vote write runs off its loop, what later steps do waits behind it, and is dropped if the
 * write fails. One real member (on n1) and a candidate played by the test (node r2): the candidate asks for a vote in
 * a new term, and n1's write of that vote is held at a gate; the candidate asks again (a retransmission), which n1
 * grants at once in memory, with no write of its own. That second grant must not leave before the vote is durable
 * (else n1 could crash, forget the vote and grant another candidate the same term), and neither grant may leave if
 * the write fails. A stop that comes while the write waits settles it alike. The sends are seen on n1's transport,
 * on its loop thread; an overview taken after the second request tells the test that n1 handled it.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TermAndVoteHoldsLaterStepsTest
{
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final ServerId member = new ServerId("held", "n1");
    private final ServerId candidate = new ServerId("held", "r2");
    private final List<ServerId> members = List.of(member, candidate, new ServerId("held", "r3"));
    private final CountDownLatch writeStarted = new CountDownLatch(1);
    private final CountDownLatch gate = new CountDownLatch(1);
    private volatile boolean failTheWrite;
    private final Queue<RaftRpc.RequestVoteReply> votesSent = new ConcurrentLinkedQueue<>();
    private final InJvmNetwork network = new InJvmNetwork();
    private final InMemoryStorage memory = new InMemoryStorage();
    private RaSystem n1;
    private Transport r2;

    @AfterEach
    void close()
    {
        gate.countDown(); // never leave a writer (and the close waiting for it) at the gate
        if (null != r2)
        {
            r2.close();
        }
        if (null != n1)
        {
            n1.close();
        }
        memory.close();
        network.close();
    }

    @Test
    void aVoteGrantedAgainWaitsForTheWriteOfTheFirstAndBothLeaveOnceItIsDurable() throws Exception
    {
        startAndHoldTheFirstVote();

        askForTheVoteAgainAndWaitUntilHandled();
        assertThat(votesSent).as("votes that left n1 before its vote was durable").isEmpty();

        gate.countDown();
        InJvmCluster.await(() -> votesSent.size() >= 2 ? true : null, WAIT, "both grants once the vote is durable");
        assertThat(votesSent).containsExactly(new RaftRpc.RequestVoteReply(1, true),
            new RaftRpc.RequestVoteReply(1, true));
    }

    @Test
    void nothingHeldBehindAFailedWriteLeaves() throws Exception
    {
        startAndHoldTheFirstVote();
        askForTheVoteAgainAndWaitUntilHandled();

        failTheWrite = true;
        gate.countDown();
        // The failure stops the member; what it held back (both grants) would leave before the stop, if at all.
        InJvmCluster.await(() -> !n1.isRunning(member) || !votesSent.isEmpty() ? true : null, WAIT,
            member + " to stop after its term and vote could not be stored");
        assertThat(votesSent).as("votes that left n1 although its vote was never stored").isEmpty();
        assertThat(n1.isRunning(member)).isFalse();
    }

    @Test
    void aStopWhileTheWriteWaitsSendsWhatItHeldOnceTheVoteIsDurable() throws Exception
    {
        startAndHoldTheFirstVote();
        askForTheVoteAgainAndWaitUntilHandled();

        final CompletableFuture<Void> stop = stopWhileTheWriteWaits();
        gate.countDown();
        stop.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(votesSent).as("what the member did before it stopped goes out")
            .containsExactly(new RaftRpc.RequestVoteReply(1, true), new RaftRpc.RequestVoteReply(1, true));
    }

    @Test
    void aStopWhileTheWriteWaitsSendsNothingItHeldIfTheWriteFails() throws Exception
    {
        startAndHoldTheFirstVote();
        askForTheVoteAgainAndWaitUntilHandled();

        final CompletableFuture<Void> stop = stopWhileTheWriteWaits();
        failTheWrite = true;
        gate.countDown();
        stop.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(votesSent).as("votes that left n1 although its vote was never stored").isEmpty();
    }

    /**
     * Stop the member from another thread and wait until its loop waits in the stop for the write at the gate (seen
     * in the loop thread's stack), so the stop, not the write's return, settles what was held.
     */
    private CompletableFuture<Void> stopWhileTheWriteWaits()
    {
        final CompletableFuture<Void> stop = CompletableFuture.runAsync(() -> n1.stopServer(member),
            ThreadPerTask.EXECUTOR);
        InJvmCluster.await(() -> Thread.getAllStackTraces().entrySet().stream().anyMatch(thread ->
            thread.getKey().getName().startsWith("ra-n1-loop-") && List.of(thread.getValue()).stream()
                .anyMatch(frame -> frame.getClassName().equals(TermAndVoteHold.class.getName()) &&
                    frame.getMethodName().equals("settle"))) ? true : null, WAIT,
            "the stop of " + member + " to wait for its term and vote write");
        return stop;
    }

    private void startAndHoldTheFirstVote() throws Exception
    {
        n1 = InJvmCluster.testDefaults(RaSystem.builder().nodeId("n1")
                .transport(new VoteRecordingTransport(network.newTransport()))
                .storage(new TermAndVoteInterceptingStorage(memory, this::holdTheVote)))
            // No campaign of n1's own muddles the votes the test counts.
            .electionTimeout(Duration.ofMinutes(10), Duration.ofMinutes(11))
            .build();
        n1.startServer("held", new CounterMachine(), member, members);
        r2 = network.newTransport();
        r2.start("r2", new IgnoringListener());

        r2.send("n1", new NodeMessage.RaftMessage(candidate, member, new RaftRpc.RequestVoteRpc(1, candidate, 0, 0)));
        assertThat(writeStarted.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("n1 started writing its vote")
            .isTrue();
    }

    private void askForTheVoteAgainAndWaitUntilHandled()
    {
        r2.send("n1", new NodeMessage.RaftMessage(candidate, member, new RaftRpc.RequestVoteRpc(1, candidate, 0, 0)));
        // The overview queues behind the request in the member's mailbox: once it is taken, the request was handled.
        assertThat(n1.overview(member).currentTerm()).isEqualTo(1);
    }

    /** On n1's term and vote writer: the write of its vote waits at the gate, and fails if the test says so. */
    private void holdTheVote(final ServerId server, final long term, final ServerId votedFor)
    {
        if (!member.equals(server) || null == votedFor)
        {
            return;
        }
        writeStarted.countDown();
        try
        {
            gate.await(60, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        if (failTheWrite)
        {
            throw new IllegalStateException("the test's disk failed to store " + votedFor + " in term " + term);
        }
    }

    /** n1's transport: every vote it sends is recorded, on the loop thread that sends it. */
    private final class VoteRecordingTransport extends ForwardingTransport
    {
        VoteRecordingTransport(final Transport delegate)
        {
            super(delegate);
        }

        @Override
        public void send(final String node, final NodeMessage message)
        {
            if (message instanceof NodeMessage.RaftMessage raft && raft.rpc() instanceof RaftRpc.RequestVoteReply vote)
            {
                votesSent.add(vote);
            }
            super.send(node, message);
        }
    }

    /** The candidate's node: what n1 sends it is seen on n1's transport instead. */
    private static final class IgnoringListener implements TransportListener
    {
        @Override
        public void onMessage(final String fromNode, final NodeMessage message)
        {
        }

        @Override
        public void onNodeUp(final String node)
        {
        }

        @Override
        public void onNodeDown(final String node)
        {
        }
    }
}

package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.CommandOutcomeUnknownException;
import dev.ra.CommandResult;
import dev.ra.QueryResult;
import dev.ra.RaSystem;
import dev.ra.RaTimeoutException;
import dev.ra.ServerId;
import dev.ra.ServerOverview;
import dev.ra.ServerStoppedException;
import dev.ra.protocol.NodeMessage;
import dev.ra.runtime.injvm.InJvmNetwork;
import dev.ra.spi.Transport;
import dev.ra.spi.TransportListener;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.KvMachine;
import dev.ra.testkit.TransportFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A leader stopped in order hands its leadership to its most up-to-date voter with TimeoutNow before it stops: that
 * voter campaigns at once, without a pre-vote, in the next term. Commands that reach it meanwhile are kept and then
 * redirected to that successor, and the stop waits for it: its callers never learn "outcome unknown".
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LeaderHandOverTest
{
    /** Commands in flight at once from the pipelining client. */
    private static final int WINDOW = 16;
    /** Commands sent in all; the leader's node starts closing after the first third. */
    private static final int COMMANDS = 600;

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
    void stoppingTheLeaderHandsItsLeadershipToAnUpToDateVoter()
    {
        cluster = new InJvmCluster(3);
        final List<ServerId> members = cluster.startCluster("kv", new KvMachine());
        final ServerId leader = cluster.awaitLeader(members, Duration.ofSeconds(10));
        final RaSystem leaderNode = cluster.system(leader);
        leaderNode.processCommand(leader, new KvMachine.Put("a", "1"));
        final long term = leaderNode.overview(leader).currentTerm();
        final Map<ServerId, Long> preVotes = new HashMap<>();
        for (final ServerId member : members)
        {
            if (!member.equals(leader))
            {
                preVotes.put(member, cluster.system(member).overview(member).counters().get("pre_votes"));
            }
        }

        leaderNode.stopServer(leader);

        final List<ServerId> others = members.stream().filter(m -> !m.equals(leader)).toList();
        final ServerId next = cluster.awaitLeader(others, Duration.ofSeconds(10));
        final ServerOverview overview = cluster.system(next).overview(next);
        assertThat(overview.currentTerm()).as("elected in the next term").isEqualTo(term + 1);
        assertThat(overview.counters().get("pre_votes")).as("campaigned on TimeoutNow, without a pre-vote")
            .isEqualTo(preVotes.get(next));
        assertThat(cluster.system(next).processCommand(next, new KvMachine.Put("b", "2")).leader()).isEqualTo(next);
    }

    @Test
    void theStoppingLeaderAcknowledgesItsSuccessorsFirstEntryBeforeItStops() throws Exception
    {
        // Long election timeouts: the hand-over's bound (the minimum) never runs out on a slow machine.
        // Appends durable 10 ms after they are made, as a disk's: the successor's first entry reaches the stopping
        // member's log before it is durable there.
        cluster = new InJvmCluster(3, Duration.ofMillis(10),
            builder -> builder.electionTimeout(Duration.ofSeconds(1), Duration.ofSeconds(2)));
        final List<ServerId> members = cluster.startCluster("kv", new KvMachine());
        final ServerId leader = cluster.awaitLeader(members, Duration.ofSeconds(20));
        final RaSystem leaderNode = cluster.system(leader);
        leaderNode.processCommand(leader, new KvMachine.Put("a", "1"));
        final long lastBefore = leaderNode.overview(leader).lastIndex();

        leaderNode.stopServer(leader);

        final List<ServerId> others = members.stream().filter(m -> !m.equals(leader)).toList();
        final ServerId next = cluster.awaitLeader(others, Duration.ofSeconds(20));
        // The successor's first entry (its noop) follows the old leader's log; the stopped member's acknowledgement of
        // it is its last word, so the new leader's match index for it reaches that entry and stays there.
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        long matched = -1;
        while (System.nanoTime() < deadline)
        {
            matched = cluster.system(next).overview(next).peerMatchIndexes().getOrDefault(leader, -1L);
            if (matched > lastBefore)
            {
                break;
            }
            Thread.sleep(5);
        }
        assertThat(matched).as("the stopped leader acknowledged an entry of its successor's term").isGreaterThan(
            lastBefore);
    }

    @Test
    void commandsSentWhileTheLeadersNodeClosesGoToItsSuccessorWithADefiniteOutcome() throws Exception
    {
        final InJvmNetwork network = new InJvmNetwork();
        final Queue<Redirect> redirects = new ConcurrentLinkedQueue<>();
        // Long election timeouts: the hand-over's bound (the minimum) never runs out on a slow machine, so every
        // redirect it sends names the successor.
        cluster = new InJvmCluster(3, Duration.ofMillis(10), new RecordingTransports(network, redirects),
            builder -> builder.electionTimeout(Duration.ofSeconds(1), Duration.ofSeconds(2)));
        final List<ServerId> members = cluster.startCluster("kv", new KvMachine());
        final ServerId leader = cluster.awaitLeader(members, Duration.ofSeconds(20));
        final ServerId clientServer = members.stream().filter(m -> !m.equals(leader)).findFirst().orElseThrow();
        final RaSystem client = cluster.system(clientServer);
        final AtomicReference<ServerId> knownLeader = new AtomicReference<>(leader);
        final Semaphore window = new Semaphore(WINDOW);
        final List<CompletableFuture<CommandResult<Object>>> calls = new ArrayList<>();
        final List<CompletableFuture<QueryResult<Integer>>> queries = new ArrayList<>();
        Thread closer = null;

        for (int i = 0; i < COMMANDS; i++)
        {
            assertThat(window.tryAcquire(30, TimeUnit.SECONDS)).as("a command completed within 30 s").isTrue();
            if (i == COMMANDS / 3)
            {
                closer = new Thread(() -> cluster.stopNode(leader.node()), "close-" + leader.node());
                closer.start();
            }
            final CompletableFuture<CommandResult<Object>> call =
                client.processCommandAsync(knownLeader.get(), new KvMachine.Put("k" + i, "v" + i));
            call.whenComplete((result, failure) ->
            {
                window.release();
                if (null != result)
                {
                    knownLeader.set(result.leader());
                }
            });
            calls.add(call);
            if (i % 8 == 0)
            {
                // Consistent queries from the client node's member, confirmed by the leader wherever it is.
                queries.add(client.<Map<String, String>, Integer>consistentQueryAsync(clientServer, Map::size));
            }
        }
        closer.join(TimeUnit.SECONDS.toMillis(30));

        final List<ServerId> survivors = members.stream().filter(m -> !m.equals(leader)).toList();
        final ServerId next = cluster.awaitLeader(survivors, Duration.ofSeconds(20));
        final List<String> unknown = new ArrayList<>();
        final List<Integer> succeeded = new ArrayList<>();
        for (int i = 0; i < COMMANDS; i++)
        {
            try
            {
                assertThat(calls.get(i).join().reply()).as("reply to the first Put of k" + i).isNull();
                succeeded.add(i);
            }
            catch (final CompletionException ex)
            {
                final Throwable cause = ex.getCause();
                if (cause instanceof CommandOutcomeUnknownException || cause instanceof ServerStoppedException ||
                    cause instanceof RaTimeoutException)
                {
                    unknown.add("k" + i + ": " + cause);
                }
            }
        }
        assertThat(unknown).as("commands whose outcome is unknown").isEmpty();
        for (final CompletableFuture<QueryResult<Integer>> query : queries)
        {
            assertThat(query.join().result()).as("a consistent query's result").isNotNull();
        }

        // Every command that succeeded is in the successor's state.
        cluster.system(next).processCommand(next, new KvMachine.Put("done", "yes"));
        final Map<String, String> state = cluster.system(next).<Map<String, String>, Map<String, String>>localQuery(
            next, m -> m).result();
        for (final int i : succeeded)
        {
            assertThat(state).as("k" + i + " succeeded").containsEntry("k" + i, "v" + i);
        }
        assertThat(redirects.stream().filter(r -> r.node().equals(leader.node())))
            .as("redirects of commands and queries from the stopping leader's node name its successor (no caller " +
                "backs off to search)")
            .allSatisfy(r -> assertThat(r.hint()).isNotNull().isNotEqualTo(leader));
    }

    /**
     * A REDIRECT answer a node sent.
     *
     * @param node that sent it.
     * @param hint the leader it named, or null.
     */
    private record Redirect(String node, ServerId hint)
    {
    }

    /** In-JVM transports that note every REDIRECT answer their node sends. */
    private static final class RecordingTransports implements TransportFactory
    {
        private final InJvmNetwork network;
        private final Queue<Redirect> redirects;

        RecordingTransports(final InJvmNetwork network, final Queue<Redirect> redirects)
        {
            this.network = network;
            this.redirects = redirects;
        }

        @Override
        public Transport newTransport(final String node)
        {
            final Transport inner = network.newTransport();
            return new Transport()
            {
                @Override
                public void start(final String localNode, final TransportListener listener)
                {
                    inner.start(localNode, listener);
                }

                @Override
                public void send(final String to, final NodeMessage message)
                {
                    if (message instanceof NodeMessage.CallReply reply &&
                        reply.status() == NodeMessage.CallStatus.REDIRECT)
                    {
                        redirects.add(new Redirect(node, reply.leader()));
                    }
                    inner.send(to, message);
                }

                @Override
                public boolean isReachable(final String to)
                {
                    return inner.isReachable(to);
                }

                @Override
                public int maxMessageBytes()
                {
                    return inner.maxMessageBytes();
                }

                @Override
                public void close()
                {
                    inner.close();
                }
            };
        }

        @Override
        public void close()
        {
            network.close();
        }
    }
}

package dev.ra.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.QueryResult;
import dev.ra.RaException;
import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.protocol.NodeMessage;
import dev.ra.spi.CallerReceive;
import dev.ra.spi.LoopHost;
import dev.ra.spi.PeerFeature;
import dev.ra.spi.Transport;
import dev.ra.spi.TransportListener;
import dev.ra.stats.CallKind;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.KvMachine;
import dev.ra.testkit.TransportFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A linearizable named query from a node that hosts no member (n4) to a cluster on n1..n3 over the Netty transport:
 * one call ({@code ServerRequest.ConfirmedNamedQuery}) where the member's node takes it, redirected to the leader like
 * a read index, and the two calls of a read index and a named query where the node speaks only protocol version 2.
 * Calls are counted as the messages n4 writes (heartbeats are counted apart, and n4 sends nothing else). Loopback only.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ConfirmedNamedQueryTest
{
    private static final Duration STARTUP = Duration.ofSeconds(30);
    private static final Duration QUERY_TIMEOUT = Duration.ofSeconds(5);
    private static final String CLIENT = "n4";

    private final List<ServerId> members = List.of(new ServerId("kv", "n1"), new ServerId("kv", "n2"),
        new ServerId("kv", "n3"));
    private LoopbackTransports transports;
    private InJvmCluster cluster;

    @AfterEach
    void close()
    {
        if (null != cluster)
        {
            cluster.close();
        }
    }

    /**
     * @param newest the newest protocol version of node n{i} (its index from 1), e.g. 2 to play an older release.
     * @return the leader.
     */
    private ServerId start(final IntUnaryOperator newest)
    {
        transports = new LoopbackTransports(4, (node, builder) -> builder.callerConnections(false)
            .newestProtocolForTests(newest.applyAsInt(Integer.parseInt(node.substring(1)))));
        cluster = new InJvmCluster(4, transports, b -> b.registerMachine("kv", KvMachine::new));
        transports.awaitConnected(STARTUP);
        cluster.system("n1").startCluster("kv", "kv", members);
        client().registerCluster("kv", new KvMachine(), members);
        return cluster.awaitLeader(members, STARTUP);
    }

    private RaSystem client()
    {
        return cluster.system(CLIENT);
    }

    private long messagesSentByClient()
    {
        return transports.transport(CLIENT).stats().messagesSent();
    }

    private ServerId follower(final ServerId leader)
    {
        return members.stream().filter(m -> !m.equals(leader)).findFirst().orElseThrow();
    }

    /**
     * Writes {@code key = value} through the client and returns once it is acknowledged.
     */
    private void put(final ServerId any, final String key, final long value)
    {
        client().processCommand(any, new KvMachine.Put(key, Long.toString(value)));
    }

    /**
     * @return the messages the client node wrote for one consistent query, which must see {@code expected}.
     */
    private long queryCountingMessages(final ServerId to, final String key, final long expected)
    {
        final long before = messagesSentByClient();
        final QueryResult<String> read = client().namedQuery(to, "get", key, true, QUERY_TIMEOUT);
        final long sent = messagesSentByClient() - before;
        assertThat(read.result()).as("a write acknowledged before the query is visible").isEqualTo(
            Long.toString(expected));
        return sent;
    }

    @Test
    void aConsistentNamedQueryToTheLeaderIsOneCallAndSeesEveryAcknowledgedWrite()
    {
        final ServerId leader = start(node -> ProtocolVersions.NEWEST);
        for (long i = 1; i <= 20; i++)
        {
            put(leader, "k", i);
            assertThat(queryCountingMessages(leader, "k", i)).as("messages for query " + i).isEqualTo(1);
        }
        final QueryResult<String> read = client().namedQuery(leader, "get", "k", true);
        assertThat(read.leader()).isEqualTo(leader);
        assertThat(read.index()).isPositive();
    }

    @Test
    void aConsistentNamedQueryToAFollowerIsRedirectedOnceAndAnswered()
    {
        final ServerId leader = start(node -> ProtocolVersions.NEWEST);
        final ServerId follower = follower(leader);
        put(leader, "k", 1);
        final long redirectsBefore = client().callStatistics().redirects(CallKind.NAMED_QUERY);
        assertThat(queryCountingMessages(follower, "k", 1)).as("to the follower, then to the leader").isEqualTo(2);
        assertThat(client().callStatistics().redirects(CallKind.NAMED_QUERY) - redirectsBefore).isEqualTo(1);
        final QueryResult<String> read = client().namedQuery(follower, "get", "k", true);
        assertThat(read.leader()).as("the leader answered").isEqualTo(leader);
    }

    @Test
    void toNodesOfProtocolVersionTwoTheClientMakesTheTwoCallsAndIsAnswered()
    {
        final ServerId leader = start(node -> node == 4 ? ProtocolVersions.NEWEST : 2);
        assertThat(transports.transport(CLIENT).peerStats().get(leader.node()).protocolVersion()).isEqualTo(2);
        for (long i = 1; i <= 5; i++)
        {
            put(leader, "k", i);
            assertThat(queryCountingMessages(leader, "k", i)).as("read index, then the query").isEqualTo(2);
        }
        assertThat(queryCountingMessages(follower(leader), "k", 5)).as("read index redirected, then the query")
            .isEqualTo(3);
        for (final String node : List.of("n1", "n2", "n3"))
        {
            assertThat(transports.transport(node).stats().framesRejected()).as("frames " + node + " refused")
                .isZero();
        }
    }

    @Test
    void aFollowerOfTheNewVersionRedirectsToALeaderOfVersionTwoAndTheClientMakesTheTwoCallsThere()
    {
        final ServerId leader = start(node -> node == 1 ? 2 : ProtocolVersions.NEWEST);
        final ServerId old = members.get(0);
        if (!leader.equals(old))
        {
            cluster.system(leader).transferLeadership(leader, old);
            InJvmCluster.await(() -> old.equals(cluster.leaderOf(members)), STARTUP, old + " to lead");
        }
        put(old, "k", 7);
        final ServerId follower = members.get(1);
        // One call to the follower (version 3), redirected; the leader's node speaks version 2: two calls there.
        assertThat(queryCountingMessages(follower, "k", 7)).isEqualTo(3);
    }

    /**
     * Leadership moves from member to member while queries are in flight from the client node: every query answers
     * with a value at least that of the last write acknowledged before it started, or fails as a read-index call
     * fails (a timeout, or another {@link RaException}); none outlives its timeout. Seeded.
     */
    @Test
    void queriesInFlightThroughLeadershipChangesAnswerCorrectlyOrFailAsAReadIndexDoes() throws Exception
    {
        final long seed = new Random().nextLong();
        final Random random = new Random(seed);
        ServerId leader = start(node -> ProtocolVersions.NEWEST);
        final AtomicLong acknowledged = new AtomicLong();
        final List<Query> queries = new ArrayList<>();
        final Set<ServerId> leaders = new HashSet<>(List.of(leader));
        long value = 0;
        for (int round = 0; round < 6; round++)
        {
            for (int i = 0; i < 30; i++)
            {
                value++;
                try
                {
                    put(leader, "k", value);
                    acknowledged.set(value);
                }
                catch (final RaException ex)
                {
                    // Unknown outcome during a change: later writes are still ordered after it.
                }
                final ServerId to = members.get(random.nextInt(members.size()));
                queries.add(new Query(acknowledged.get(), client().<String>namedQueryAsync(to, "get", "k", true,
                    QUERY_TIMEOUT)));
            }
            for (int i = 0; i < 20; i++)
            {
                // A burst still in flight when the leadership moves.
                queries.add(new Query(acknowledged.get(), client().<String>namedQueryAsync(
                    members.get(random.nextInt(members.size())), "get", "k", true, QUERY_TIMEOUT)));
            }
            final ServerId current = cluster.awaitLeader(members, STARTUP);
            final List<ServerId> others = members.stream().filter(m -> !m.equals(current)).toList();
            final ServerId target = others.get(random.nextInt(others.size()));
            try
            {
                cluster.system(current).transferLeadership(current, target);
            }
            catch (final RaException ex)
            {
                // A transfer may be refused or time out while another change is under way: the queries go on.
            }
            leader = cluster.awaitLeader(members, STARTUP);
            leaders.add(leader);
        }
        assertThat(leaders).as("seed " + seed + ": leadership moved").hasSizeGreaterThan(1);
        int answered = 0;
        for (final Query query : queries)
        {
            try
            {
                final QueryResult<String> read = query.future.get(QUERY_TIMEOUT.toSeconds() + 30, TimeUnit.SECONDS);
                assertThat(Long.parseLong(read.result())).as("seed " + seed + ": a query after write " +
                    query.floor).isGreaterThanOrEqualTo(query.floor);
                answered++;
            }
            catch (final ExecutionException ex)
            {
                assertThat(ex.getCause()).as("seed " + seed).isInstanceOf(RaException.class);
            }
        }
        assertThat(answered).as("seed " + seed + ": most queries are answered").isGreaterThan(queries.size() / 2);
    }

    /**
     * The client's node checked that the node it asks takes the one call, then that node reconnected with a release
     * that does not (here: its transport says so once, then as it is). The transport once dropped the call it could
     * not encode and the query waited out its timeout; it answers it at once, and the client makes the two calls.
     */
    @Test
    void aConfirmedQueryToANodeThatNoLongerTakesItAfterTheCheckIsAnsweredByTheTwoCalls()
    {
        transports = new LoopbackTransports(4, (node, builder) -> builder.callerConnections(false)
            .newestProtocolForTests(CLIENT.equals(node) ? ProtocolVersions.NEWEST : 2));
        final LoopbackTransports loopback = transports;
        cluster = new InJvmCluster(4, new TransportFactory()
        {
            @Override
            public Transport newTransport(final String node)
            {
                final Transport transport = loopback.newTransport(node);
                return CLIENT.equals(node) ? new CheckedBeforeTheReconnect(transport) : transport;
            }

            @Override
            public void awaitConnected(final Duration timeout)
            {
                loopback.awaitConnected(timeout);
            }

            @Override
            public void close()
            {
                loopback.close();
            }
        }, b -> b.registerMachine("kv", KvMachine::new));
        transports.awaitConnected(STARTUP);
        cluster.system("n1").startCluster("kv", "kv", members);
        client().registerCluster("kv", new KvMachine(), members);
        final ServerId leader = cluster.awaitLeader(members, STARTUP);
        put(leader, "k", 3);

        final QueryResult<String> read = client().namedQuery(leader, "get", "k", true, Duration.ofSeconds(20));

        assertThat(read.result()).isEqualTo("3");
    }

    /**
     * A transport whose first answer to whether a node takes the one call is yes: the check made before the node
     * reconnected.
     */
    private static final class CheckedBeforeTheReconnect implements Transport
    {
        private final Transport transport;
        private final AtomicBoolean asked = new AtomicBoolean();

        CheckedBeforeTheReconnect(final Transport transport)
        {
            this.transport = transport;
        }

        @Override
        public boolean supports(final String node, final PeerFeature feature)
        {
            return feature == PeerFeature.CONFIRMED_NAMED_QUERY && asked.compareAndSet(false, true) ||
                transport.supports(node, feature);
        }

        @Override
        public void start(final String localNode, final TransportListener listener)
        {
            transport.start(localNode, listener);
        }

        @Override
        public List<LoopHost> loopHosts(final String localNode, final int wanted)
        {
            return transport.loopHosts(localNode, wanted);
        }

        @Override
        public void reportSilenceAfter(final Duration silence)
        {
            transport.reportSilenceAfter(silence);
        }

        @Override
        public void send(final String node, final NodeMessage message)
        {
            transport.send(node, message);
        }

        @Override
        public CallerReceive sendAndReceiveOnCaller(final String node, final NodeMessage.ServerCall call,
            final long deadlineNanos)
        {
            return transport.sendAndReceiveOnCaller(node, call, deadlineNanos);
        }

        @Override
        public boolean isReachable(final String node)
        {
            return transport.isReachable(node);
        }

        @Override
        public int maxMessageBytes()
        {
            return transport.maxMessageBytes();
        }

        @Override
        public void close()
        {
            transport.close();
        }
    }

    /**
     * @param floor  the last write acknowledged before the query started.
     * @param future of the query.
     */
    private record Query(long floor, CompletableFuture<QueryResult<String>> future)
    {
    }
}

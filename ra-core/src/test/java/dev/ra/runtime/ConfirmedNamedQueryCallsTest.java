package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.QueryResult;
import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.protocol.NodeMessage;
import dev.ra.protocol.ServerRequest;
import dev.ra.runtime.injvm.InJvmNetwork;
import dev.ra.spi.CallerReceive;
import dev.ra.spi.PeerFeature;
import dev.ra.spi.Transport;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.KvMachine;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Which calls a consistent named query from a node hosting no member (n4) makes, counted by request kind as n4's
 * transport sends them: one {@link ServerRequest.ConfirmedNamedQuery} where the member's node takes it, and the read
 * index and named query of the release before to a node whose transport does not say it does, also after a redirect
 * there. In-JVM network; the client's transport is wrapped to count and to play older nodes.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ConfirmedNamedQueryCallsTest
{
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final List<ServerId> members = List.of(new ServerId("kv", "n1"), new ServerId("kv", "n2"),
        new ServerId("kv", "n3"));
    private final Map<Class<?>, AtomicLong> sent = new ConcurrentHashMap<>();
    /** Nodes the client's transport reports as not taking the feature (an older release). */
    private final Set<String> older = ConcurrentHashMap.newKeySet();
    private InJvmCluster cluster;

    @AfterEach
    void close()
    {
        if (null != cluster)
        {
            cluster.close();
        }
    }

    private ServerId start()
    {
        final InJvmNetwork network = new InJvmNetwork();
        cluster = new InJvmCluster(4, Duration.ZERO,
            node -> "n4".equals(node) ? new CountingTransport(network.newTransport()) : network.newTransport(),
            b -> b.registerMachine("kv", KvMachine::new));
        cluster.system("n1").startCluster("kv", "kv", members);
        client().registerCluster("kv", new KvMachine(), members);
        return cluster.awaitLeader(members, WAIT);
    }

    private RaSystem client()
    {
        return cluster.system("n4");
    }

    private long sent(final Class<? extends ServerRequest> kind)
    {
        final AtomicLong count = sent.get(kind);
        return null == count ? 0 : count.get();
    }

    private QueryResult<String> query(final ServerId to)
    {
        sent.clear();
        return client().namedQuery(to, "get", "k", true, WAIT);
    }

    @Test
    void toTheLeaderItIsOneCall()
    {
        final ServerId leader = start();
        client().processCommand(leader, new KvMachine.Put("k", "1"));

        final QueryResult<String> read = query(leader);

        assertThat(read.result()).isEqualTo("1");
        assertThat(read.leader()).isEqualTo(leader);
        assertThat(sent(ServerRequest.ConfirmedNamedQuery.class)).isEqualTo(1);
        assertThat(sent(ServerRequest.ReadIndex.class)).isZero();
        assertThat(sent(ServerRequest.NamedQuery.class)).isZero();
    }

    @Test
    void toAFollowerItIsRedirectedOnceToTheLeader()
    {
        final ServerId leader = start();
        final ServerId follower = members.stream().filter(m -> !m.equals(leader)).findFirst().orElseThrow();
        client().processCommand(leader, new KvMachine.Put("k", "2"));

        final QueryResult<String> read = query(follower);

        assertThat(read.result()).isEqualTo("2");
        assertThat(read.leader()).isEqualTo(leader);
        assertThat(sent(ServerRequest.ConfirmedNamedQuery.class)).isEqualTo(2);
        assertThat(sent(ServerRequest.ReadIndex.class) + sent(ServerRequest.NamedQuery.class)).isZero();
    }

    @Test
    void toANodeThatDoesNotTakeItItIsAReadIndexAndANamedQuery()
    {
        final ServerId leader = start();
        older.addAll(List.of("n1", "n2", "n3"));
        client().processCommand(leader, new KvMachine.Put("k", "3"));

        final QueryResult<String> read = query(leader);

        assertThat(read.result()).isEqualTo("3");
        assertThat(read.leader()).isEqualTo(leader);
        assertThat(sent(ServerRequest.ConfirmedNamedQuery.class)).isZero();
        assertThat(sent(ServerRequest.ReadIndex.class)).isEqualTo(1);
        assertThat(sent(ServerRequest.NamedQuery.class)).isEqualTo(1);
    }

    @Test
    void aFollowerThatTakesItRedirectsToALeaderThatDoesNotAndTheQueryGoesOnThereInTwoCalls()
    {
        final ServerId leader = start();
        final ServerId follower = members.stream().filter(m -> !m.equals(leader)).findFirst().orElseThrow();
        older.add(leader.node());
        client().processCommand(leader, new KvMachine.Put("k", "4"));

        final QueryResult<String> read = query(follower);

        assertThat(read.result()).isEqualTo("4");
        assertThat(read.leader()).isEqualTo(leader);
        assertThat(sent(ServerRequest.ConfirmedNamedQuery.class)).as("to the follower").isEqualTo(1);
        assertThat(sent(ServerRequest.ReadIndex.class)).as("to the leader").isEqualTo(1);
        assertThat(sent(ServerRequest.NamedQuery.class)).as("to the leader").isEqualTo(1);
    }

    @Test
    void aQueryTheMachineRefusesFailsAsANamedQueryDoes()
    {
        final ServerId leader = start();

        final Throwable refused = org.assertj.core.api.Assertions.catchThrowable(() ->
            client().namedQuery(leader, "nope", null, true, WAIT));

        assertThat(refused).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("query refused")
            .hasMessageContaining("nope");
    }

    /**
     * The client's transport: counts the server calls it sends by request kind, and reports the nodes in
     * {@link #older} as not taking {@link PeerFeature#CONFIRMED_NAMED_QUERY}.
     */
    private final class CountingTransport extends ForwardingTransport
    {
        CountingTransport(final Transport delegate)
        {
            super(delegate);
        }

        @Override
        public void send(final String node, final NodeMessage message)
        {
            if (message instanceof NodeMessage.ServerCall call)
            {
                sent.computeIfAbsent(call.request().getClass(), k -> new AtomicLong()).incrementAndGet();
            }
            delegate.send(node, message);
        }

        @Override
        public CallerReceive sendAndReceiveOnCaller(final String node, final NodeMessage.ServerCall call,
            final long deadlineNanos)
        {
            return CallerReceive.NOT_SENT;
        }

        @Override
        public boolean supports(final String node, final PeerFeature feature)
        {
            return !older.contains(node) && delegate.supports(node, feature);
        }
    }
}

package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ServerId;
import dev.ra.codec.Bytes;
import dev.ra.codec.Codecs;
import dev.ra.protocol.JoinPoint;
import dev.ra.protocol.NodeMessage;
import dev.ra.protocol.ServerRequest;
import dev.ra.runtime.injvm.InJvmNetwork;
import dev.ra.runtime.memory.InMemoryStorage;
import dev.ra.spi.Transport;
import dev.ra.spi.TransportListener;
import dev.ra.testkit.CounterMachine;
import dev.ra.testkit.InJvmCluster;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A named query waiting for an index its member has not applied. One from another node carries no timeout on the
 * wire and nothing says when its caller gave up; one from this node was held apart from its call: on a member that
 * never applies the index (removed while it could not be told, or asked for an index far ahead) both stayed held for
 * the member's whole life, one more per query. The clock is the test's: nothing waits for real time to pass.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RemoteParkedQueryBoundTest
{
    private static final int REMOTE_QUERIES = 20;
    private static final long NEVER_APPLIED = 1_000_000;

    private static final ServerId MEMBER = new ServerId("m", "a");

    private final ManualClock clock = new ManualClock();
    private final AtomicReference<ServerProcess> process = new AtomicReference<>();

    @Test
    void namedQueriesWaitingForAnIndexNeverAppliedAreForgottenAndTheirCallersTold() throws Exception
    {
        final Map<Long, NodeMessage.CallReply> replies = new ConcurrentHashMap<>();
        try (InJvmNetwork network = new InJvmNetwork(); RaRuntime node = startNodeWithMember(network))
        {
            final Transport remote = remoteNode(network, replies);
            try
            {
                final Bytes argument = sendRemoteQueries(remote);
                final CompletableFuture<Object> local = node.call(MEMBER, new ServerRequest.NamedQuery("any",
                    argument, NEVER_APPLIED), Duration.ofSeconds(30));
                awaitCount(() -> process.get().queries.waiting(), REMOTE_QUERIES + 1, "queries waiting");

                // Past the local call's timeout and the longest a named query from another node may wait (an hour).
                clock.advance(Duration.ofHours(2));
                node.clockMoved();

                InJvmCluster.await(() -> local.isDone() ? true : null, Duration.ofSeconds(30), "the local call over");
                awaitCount(() -> process.get().queries.waiting(), 0, "queries waiting");
                awaitCount(replies::size, REMOTE_QUERIES, "remote callers answered");
                for (final NodeMessage.CallReply reply : replies.values())
                {
                    final List<?> answer = (List<?>)Codecs.generic().fromBytes(reply.value().unsafeArray());
                    assertThat(answer.get(0)).isEqualTo(false);
                    assertThat((String)answer.get(3)).contains("index " + NEVER_APPLIED, "waits no longer");
                }
            }
            finally
            {
                remote.close();
            }
        }
        finally
        {
            ServerRegistry.registeredForTests = null;
        }
    }

    /**
     * The node a named query came from went down: its answer can go nowhere (the caller's node moves its call on when
     * it loses this one), yet it was held until its bound, up to an hour.
     */
    @Test
    void namedQueriesFromANodeThatWentDownAreForgottenAtOnce() throws Exception
    {
        try (InJvmNetwork network = new InJvmNetwork(); RaRuntime node = startNodeWithMember(network))
        {
            final Transport remote = remoteNode(network, new ConcurrentHashMap<>());
            sendRemoteQueries(remote);
            awaitCount(() -> process.get().queries.waiting(), REMOTE_QUERIES, "queries waiting");

            remote.close();

            awaitCount(() -> process.get().queries.waiting(), 0, "queries waiting once their node is down");
        }
        finally
        {
            ServerRegistry.registeredForTests = null;
        }
    }

    /** A node "a" on the test's clock, running the one-member cluster m, whose server process the test holds. */
    private RaRuntime startNodeWithMember(final InJvmNetwork network) throws Exception
    {
        ServerRegistry.registeredForTests = process::set;
        final RaRuntime node = new RaRuntime(new RuntimeConfig("a", network.newTransport(), new InMemoryStorage(), 1,
            Duration.ofMillis(20), Duration.ofMillis(150), Duration.ofMillis(300), Duration.ofSeconds(10),
            Duration.ofMillis(2), 16, Map.of(), Map.of(), null, true).withClock(clock));
        node.start();
        node.startLocalServer("m", CounterMachine.class.getName(), new CounterMachine(), MEMBER, List.of(MEMBER),
            true, JoinPoint.NONE).get(30, TimeUnit.SECONDS);
        ServerRegistry.registeredForTests = null;
        return node;
    }

    /** Another node, "remote", keeping the replies to its calls. */
    private static Transport remoteNode(final InJvmNetwork network, final Map<Long, NodeMessage.CallReply> replies)
    {
        final Transport remote = network.newTransport();
        remote.start("remote", new TransportListener()
        {
            @Override
            public void onMessage(final String fromNode, final NodeMessage message)
            {
                if (message instanceof NodeMessage.CallReply reply)
                {
                    replies.put(reply.callId(), reply);
                }
            }

            @Override
            public void onNodeUp(final String node)
            {
            }

            @Override
            public void onNodeDown(final String node)
            {
            }
        });
        return remote;
    }

    /** From the remote node, named queries for an index the member never applies; returns their argument. */
    private static Bytes sendRemoteQueries(final Transport remote)
    {
        final Bytes argument = Bytes.wrap(Codecs.generic().toBytes(0L));
        for (long callId = 1; callId <= REMOTE_QUERIES; callId++)
        {
            remote.send("a", new NodeMessage.ServerCall(callId, MEMBER,
                new ServerRequest.NamedQuery("any", argument, NEVER_APPLIED)));
        }
        return argument;
    }

    private static void awaitCount(final IntSupplier count, final int expected, final String what)
    {
        InJvmCluster.await(() ->
        {
            final int now = count.getAsInt();
            if (now != expected)
            {
                throw new IllegalStateException(what + ": " + now + ", expected " + expected);
            }
            return true;
        }, Duration.ofSeconds(30), what + ": " + expected);
    }
}

package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.RaTimeoutException;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A named query from another node that fails on its member: the answer said only "refused", and the caller got an
 * {@link IllegalArgumentException} ("query refused") whether the machine refused it, the member stopped while the
 * query waited, or the query waited longer than a member holds one. The clock is the test's.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NamedQueryFailureKindsTest
{
    private static final long NEVER_APPLIED = 1_000_000;

    @Test
    void aQueryThatWaitedTooLongIsATimeoutAndOneWhoseMemberStoppedIsAStoppedServer() throws Exception
    {
        final ManualClock clock = new ManualClock();
        final AtomicReference<ServerProcess> process = new AtomicReference<>();
        final Map<Long, NodeMessage.CallReply> replies = new ConcurrentHashMap<>();
        ServerRegistry.registeredForTests = process::set;
        try (InJvmNetwork network = new InJvmNetwork();
            RaRuntime node = new RaRuntime(new RuntimeConfig("a", network.newTransport(), new InMemoryStorage(), 1,
                Duration.ofMillis(20), Duration.ofMillis(150), Duration.ofMillis(300), Duration.ofSeconds(10),
                Duration.ofMillis(2), 16, Map.of(), Map.of(), null, true).withClock(clock)))
        {
            node.start();
            final ServerId member = new ServerId("m", "a");
            node.startLocalServer("m", CounterMachine.class.getName(), new CounterMachine(), member,
                List.of(member), true, JoinPoint.NONE).get(30, TimeUnit.SECONDS);
            ServerRegistry.registeredForTests = null;
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
            try
            {
                final Bytes argument = Bytes.wrap(Codecs.generic().toBytes(0L));
                remote.send("a", new NodeMessage.ServerCall(1, member,
                    new ServerRequest.NamedQuery("any", argument, NEVER_APPLIED)));
                InJvmCluster.await(() -> process.get().queries.waiting() == 1 ? true : null, Duration.ofSeconds(30),
                    "the query waiting");
                // The query may be counted as waiting a moment before its deadline is set: move the clock on
                // until it is answered.
                final NodeMessage.CallReply expired = InJvmCluster.await(() ->
                {
                    clock.advance(Duration.ofHours(2));
                    node.clockMoved();
                    return replies.get(1L);
                }, Duration.ofSeconds(30), "the expired query answered");
                final List<?> answer = (List<?>)Codecs.generic().fromBytes(expired.value().unsafeArray());
                assertThat(answer.get(0)).isEqualTo(false);
                assertThat(NamedQueryFailure.toException(answer)).isInstanceOf(RaTimeoutException.class)
                    .hasMessageContaining("waits no longer");

                remote.send("a", new NodeMessage.ServerCall(2, member,
                    new ServerRequest.NamedQuery("any", argument, NEVER_APPLIED)));
                InJvmCluster.await(() -> process.get().queries.waiting() == 1 ? true : null, Duration.ofSeconds(30),
                    "the second query waiting");
                node.stopLocalServer(member, false).get(30, TimeUnit.SECONDS);
                final NodeMessage.CallReply stopped = InJvmCluster.await(() -> replies.get(2L),
                    Duration.ofSeconds(30), "the query of the stopped member answered");
                assertThat(stopped.status()).as(stopped.toString()).isEqualTo(NodeMessage.CallStatus.STOPPED);
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
}

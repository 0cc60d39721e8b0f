package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.ra.RaTimeoutException;
import dev.ra.ServerId;
import dev.ra.protocol.JoinPoint;
import dev.ra.protocol.ServerRequest;
import dev.ra.runtime.injvm.InJvmNetwork;
import dev.ra.runtime.memory.InMemoryStorage;
import dev.ra.testkit.CounterMachine;
import dev.ra.testkit.InJvmCluster;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A local query waiting for an index its member has not applied is held until it runs or its call completes. One
 * whose timeout passed was forgotten only at the member's next batch of events: on an idle member (nothing to tick,
 * nothing received) not soon, and each such query stayed held, with everything it refers to.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ParkedQueryTimeoutTest
{
    @Test
    void aWaitingQueryWhoseCallTimedOutIsForgottenOnAnIdleMember() throws Exception
    {
        final AtomicReference<ServerProcess> process = new AtomicReference<>();
        ServerRegistry.registeredForTests = process::set;
        try (InJvmNetwork network = new InJvmNetwork();
            RaRuntime node = new RaRuntime(new RuntimeConfig("a", network.newTransport(), new InMemoryStorage(), 1,
                Duration.ofMillis(20), Duration.ofMillis(150), Duration.ofMillis(300), Duration.ofSeconds(10),
                Duration.ofMillis(2), 16, Map.of(), Map.of(), null, true)))
        {
            node.start();
            final ServerId member = new ServerId("idle", "a");
            node.startLocalServer("idle", CounterMachine.class.getName(), new CounterMachine(), member,
                List.of(member), true, JoinPoint.NONE).get(30, TimeUnit.SECONDS);
            ServerRegistry.registeredForTests = null;
            node.call(member, new ServerRequest.TriggerElection(), Duration.ofSeconds(10)).get(30, TimeUnit.SECONDS);
            node.awaitLeader(member, Duration.ofSeconds(30)).get(30, TimeUnit.SECONDS);
            node.call(member, new ServerRequest.Command(node.encodeCommand(member, 1L)), Duration.ofSeconds(10))
                .get(30, TimeUnit.SECONDS);
            InJvmCluster.await(() -> node.serversOfferedTicks() == 0 ? true : null, Duration.ofSeconds(60),
                "the member idle");

            final CompletableFuture<Object> query = node.localQuery(member, s -> s, 1_000, 0, Duration.ofMillis(100));
            final ExecutionException failed = assertThrows(ExecutionException.class,
                () -> query.get(30, TimeUnit.SECONDS));
            assertThat(failed.getCause()).isInstanceOf(RaTimeoutException.class);

            InJvmCluster.await(() -> process.get().queries.waiting() == 0, Duration.ofSeconds(10),
                "the timed-out query forgotten by the idle member (offered ticks: " + node.serversOfferedTicks() +
                ")");
        }
        finally
        {
            ServerRegistry.registeredForTests = null;
        }
    }
}

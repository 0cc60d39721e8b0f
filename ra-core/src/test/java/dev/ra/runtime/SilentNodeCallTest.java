package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.CommandOutcomeUnknownException;
import dev.ra.CommandResult;
import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.KvMachine;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a client node's calls do when the leader's node goes silent (paused, its connections open): the command in
 * flight there fails with an unknown outcome instead of holding its caller until the call's timeout, and a new call
 * addressed to the silent leader goes to the other members, reaching the new leader without waiting out a timeout.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SilentNodeCallTest
{
    /** Far above a failover, so that a call that waits for it is told apart from one that does not. */
    private static final Duration LONG = Duration.ofSeconds(30);

    private final InJvmCluster cluster = new InJvmCluster(List.of("n1", "n2", "n3", "client"), (node, b) -> { });
    private final List<ServerId> members = List.of(new ServerId("kv", "n1"), new ServerId("kv", "n2"),
        new ServerId("kv", "n3"));

    @AfterEach
    void close()
    {
        cluster.close();
    }

    private RaSystem clientOfARunningCluster()
    {
        cluster.system("n1").startCluster("kv", new KvMachine(), members);
        final RaSystem client = cluster.system("client");
        client.registerCluster("kv", new KvMachine(), members);
        cluster.awaitLeader(members, Duration.ofSeconds(10));
        client.processCommand(members.get(0), new KvMachine.Put("warm", "1"), Duration.ofSeconds(10));
        return client;
    }

    @Test
    void aCommandInFlightToALeaderWhoseNodeGoesSilentFailsWithAnUnknownOutcomeBeforeItsTimeout()
    {
        final RaSystem client = clientOfARunningCluster();
        final ServerId leader = cluster.awaitLeader(members, Duration.ofSeconds(10));
        cluster.network().pause(leader.node());

        final CompletableFuture<CommandResult<Object>> inFlight = client.processCommandAsync(leader,
            new KvMachine.Put("a", "1"), LONG);

        final Throwable failure = catchFailure(inFlight);
        assertThat(failure).isInstanceOf(CommandOutcomeUnknownException.class).hasMessageContaining("silent");
    }

    @Test
    void aNewCommandAddressedToASilentLeaderReachesTheNewLeader()
    {
        final RaSystem client = clientOfARunningCluster();
        final ServerId old = cluster.awaitLeader(members, Duration.ofSeconds(10));
        cluster.network().pause(old.node());
        final List<ServerId> survivors = members.stream().filter(m -> !m.equals(old)).toList();
        final ServerId elected = cluster.awaitLeader(survivors, Duration.ofSeconds(20));

        final CommandResult<Object> result = client.processCommand(old, new KvMachine.Put("b", "2"), LONG);

        assertThat(result.leader()).isEqualTo(elected);
    }

    private static Throwable catchFailure(final CompletableFuture<?> future)
    {
        try
        {
            future.join();
            return null;
        }
        catch (final CompletionException ex)
        {
            return ex.getCause();
        }
    }
}

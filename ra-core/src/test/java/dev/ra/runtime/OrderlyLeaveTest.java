package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.CommandOutcomeUnknownException;
import dev.ra.CommandResult;
import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.runtime.injvm.InJvmNetwork;
import dev.ra.spi.Transport;
import dev.ra.testkit.CounterMachine;
import dev.ra.testkit.InJvmCluster;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A node that closes leaves in order (the transport tells its peers it left, after everything it sent them): a call
 * still awaiting its answer was never taken there and moves on to the other members, a command too. A node that
 * goes down without leaving keeps the old rule: a command that may have reached a leader has an unknown outcome. Over
 * the in-JVM network; the message to the leader is held back by a delay on its link, so it is in flight when the
 * leader's node goes.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OrderlyLeaveTest
{
    private final InJvmCluster cluster = new InJvmCluster(3, b -> b.registerMachine("counter", CounterMachine::new));

    @AfterEach
    void close()
    {
        cluster.close();
    }

    @Test
    void aCommandInFlightToANodeThatLeavesGoesToTheNewLeaderAndIsAppliedOnce() throws Exception
    {
        final List<ServerId> members = cluster.startCluster("c", new CounterMachine());
        final ServerId leader = cluster.awaitLeader(members, Duration.ofSeconds(5));
        final ServerId survivor = otherThan(members, leader);
        final RaSystem caller = cluster.system(survivor);
        assertThat(caller.<Long>processCommand(leader, 1L).reply()).isEqualTo(1L);
        cluster.network().delay(survivor.node(), leader.node(), Duration.ofMillis(300));

        final CompletableFuture<CommandResult<Long>> inFlight = caller.processCommandAsync(leader, 10L,
            Duration.ofSeconds(20));
        cluster.stopNode(leader.node());

        assertThat(inFlight.get(30, TimeUnit.SECONDS).reply()).isEqualTo(11L);
        assertThat(caller.<Long>processCommand(survivor, 100L).reply()).as("the command applied once").isEqualTo(111L);
    }

    @Test
    void aCommandInFlightToANodeThatGoesDownWithoutLeavingHasAnUnknownOutcome()
    {
        final List<ServerId> members = cluster.startCluster("c", new CounterMachine());
        final ServerId leader = cluster.awaitLeader(members, Duration.ofSeconds(5));
        final ServerId survivor = otherThan(members, leader);
        final RaSystem caller = cluster.system(survivor);
        assertThat(caller.<Long>processCommand(leader, 1L).reply()).isEqualTo(1L);
        cluster.network().delay(survivor.node(), leader.node(), Duration.ofMillis(300));

        final CompletableFuture<CommandResult<Long>> inFlight = caller.processCommandAsync(leader, 10L,
            Duration.ofSeconds(20));
        cluster.network().partition(survivor.node(), leader.node());

        assertThatThrownBy(() -> inFlight.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
            .hasCauseInstanceOf(CommandOutcomeUnknownException.class);
    }

    @Test
    void aCallToANodeThatLeftJustBeforeTheCallWasRegisteredIsSentOnToo() throws Exception
    {
        // The caller's transport still reports the leaving node reachable after telling the runtime that it left, as
        // when a call checks reachability just before the news arrives: the call registers to a node that left.
        final InJvmNetwork network = new InJvmNetwork();
        final Map<String, StaleReachability> transports = new ConcurrentHashMap<>();
        try (InJvmCluster stale = new InJvmCluster(3,
            node -> transports.computeIfAbsent(node, n -> new StaleReachability(network.newTransport())),
            b -> b.registerMachine("counter", CounterMachine::new)))
        {
            final List<ServerId> members = stale.startCluster("c", new CounterMachine());
            final ServerId leader = stale.awaitLeader(members, Duration.ofSeconds(5));
            final ServerId survivor = otherThan(members, leader);
            final RaSystem caller = stale.system(survivor);
            assertThat(caller.<Long>processCommand(leader, 1L).reply()).isEqualTo(1L);
            transports.get(survivor.node()).staleUp.add(leader.node());

            stale.stopNode(leader.node());
            final CompletableFuture<CommandResult<Long>> call = caller.processCommandAsync(leader, 10L,
                Duration.ofSeconds(5));

            assertThat(call.get(30, TimeUnit.SECONDS).reply()).isEqualTo(11L);
        }
        finally
        {
            network.close();
        }
    }

    /**
     * A transport that reports some nodes reachable whatever they did.
     */
    private static final class StaleReachability extends ForwardingTransport
    {
        final Set<String> staleUp = ConcurrentHashMap.newKeySet();

        StaleReachability(final Transport transport)
        {
            super(transport);
        }

        @Override
        public boolean isReachable(final String node)
        {
            return staleUp.contains(node) || delegate.isReachable(node);
        }
    }

    private static ServerId otherThan(final List<ServerId> members, final ServerId leader)
    {
        return members.stream().filter(m -> !m.equals(leader)).findFirst().orElseThrow();
    }
}

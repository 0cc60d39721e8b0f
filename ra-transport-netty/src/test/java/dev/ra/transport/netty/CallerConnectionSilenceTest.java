package dev.ra.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.CommandOutcomeUnknownException;
import dev.ra.CommandResult;
import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.spi.LoopHost;
import dev.ra.testkit.CounterMachine;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.ThreadPerTask;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A synchronous call waiting on its caller connection for a node that goes silent (its I/O threads held, as in a
 * paused process: connections open, nothing sent) ends with an unknown outcome once the runtime gives up on the node,
 * instead of holding the calling thread in its socket read until the call's deadline.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CallerConnectionSilenceTest
{
    /** Far above the silence and a failover, so that a caller held until its deadline is told apart. */
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(60);
    /** Each commit takes this long, so that the command is in flight when the leader's node goes silent. */
    private static final Duration SLOW_SYNC = Duration.ofSeconds(1);
    /**
     * Far above the test default (150 ms, which reports a node silent after 75 ms unheard): on a busy machine a node's
     * threads can go unscheduled that long, and a silence or election before the pause would take the leadership, or
     * the call, elsewhere. Nodes are then reported silent after 500 ms, with heartbeats every 100 ms.
     */
    private static final Duration ELECTION_TIMEOUT_MIN = Duration.ofSeconds(1);

    private final List<ServerId> members = List.of(new ServerId("c", "n2"), new ServerId("c", "n3"),
        new ServerId("c", "n4"));
    private final CountDownLatch resume = new CountDownLatch(1);
    private LoopbackTransports transports;
    private InJvmCluster cluster;

    @AfterEach
    void close()
    {
        resume.countDown();
        if (null != cluster)
        {
            cluster.close();
        }
    }

    @Test
    void aSynchronousCallToALeaderWhoseNodeGoesSilentEndsWithAnUnknownOutcomeBeforeItsDeadline()
    {
        transports = new LoopbackTransports(4, b -> b);
        cluster = new InJvmCluster(4, SLOW_SYNC, transports, b -> b.registerMachine("counter", CounterMachine::new)
            .electionTimeout(ELECTION_TIMEOUT_MIN, ELECTION_TIMEOUT_MIN.multipliedBy(2)));
        transports.awaitConnected(Duration.ofSeconds(20));
        final ServerId leader = cluster.system("n1").startCluster("c", "counter", members);
        final RaSystem client = cluster.system("n1");
        assertThat(client.<Long>processCommand(leader, 1L).reply()).isEqualTo(1L);

        final CompletableFuture<CommandResult<Long>> call =
            CompletableFuture.supplyAsync(() -> client.processCommand(leader, 1L, CALL_TIMEOUT),
                ThreadPerTask.EXECUTOR);
        final PeerLink fromClient = transports.transport(leader.node()).link("n1");
        InJvmCluster.await(() -> fromClient.callerChannels.isEmpty() ? null : Boolean.TRUE, Duration.ofSeconds(20),
            "the call to reach the leader over a caller connection");
        // The leader's node stops sending anything, its connections open: what a paused process looks like.
        for (final LoopHost host : transports.transport(leader.node()).loopHosts(leader.node(), 0))
        {
            host.execute(this::awaitResume);
        }

        assertThat(call).failsWithin(CALL_TIMEOUT.dividedBy(2))
            .withThrowableOfType(ExecutionException.class)
            .withCauseInstanceOf(CommandOutcomeUnknownException.class);
    }

    private void awaitResume()
    {
        try
        {
            resume.await(CALL_TIMEOUT.toSeconds() * 2, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}

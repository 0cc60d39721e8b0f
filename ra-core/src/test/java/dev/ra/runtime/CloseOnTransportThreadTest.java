package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.ServerOverview;
import dev.ra.testkit.InJvmCluster;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An application closes a node from a callback of a call another node answered. The answer is delivered, and the
 * callback runs, on a thread of the transport (in this JVM's transport: the answering node's thread that sent it, or
 * the delivery thread of a delayed link; with Netty and {@code useTransportThreads(false)}: an I/O thread), which the
 * close's leadership hand-over needs to carry its messages. Waiting there held the hand-over up until its bound ran
 * out: the leader stopped without a successor.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CloseOnTransportThreadTest
{
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
    void aLeaderNodeClosedFromACallbackOnATransportThreadHandsItsLeadershipOver() throws Exception
    {
        // Two members: the successor is the member whose answer runs the callback. Election timeouts long enough
        // that the hand-over's bound never runs out on a slow machine.
        cluster = new InJvmCluster(List.of("n1", "n2"), (node, builder) ->
            builder.electionTimeout(Duration.ofSeconds(1), Duration.ofSeconds(2)));
        final List<ServerId> members = cluster.startCluster("counter", new CloseOnOwnLoopTest.ClosingCounter());
        final ServerId leader = cluster.awaitLeader(members, Duration.ofSeconds(20));
        final RaSystem leaderNode = cluster.system(leader);
        leaderNode.processCommand(leader, 1L);
        final long term = leaderNode.overview(leader).currentTerm();
        final ServerId follower = members.stream().filter(m -> !m.equals(leader)).findFirst().orElseThrow();
        final long lastIndex = leaderNode.overview(leader).lastIndex();
        // A cluster of its own on the follower's node, whose commands from the leader's node that node answers.
        final ServerId remote = leaderNode.startCluster("remote", new CloseOnOwnLoopTest.ClosingCounter(),
            List.of(new ServerId("remote", follower.node())));

        // Delayed, the answer is delivered by the network's delivery thread, after the callback is in place. The
        // successor's vote request and its first entry come that way too.
        cluster.network().delay(follower.node(), leader.node(), Duration.ofMillis(100));
        final CompletableFuture<String> closedOn = new CompletableFuture<>();
        leaderNode.processCommandAsync(remote, 1L).whenComplete((result, failure) ->
        {
            final String thread = Thread.currentThread().getName();
            leaderNode.close();
            closedOn.complete(thread);
        });

        assertThat(closedOn.get()).as("the thread of the callback").isEqualTo("ra-injvm-delivery");
        // The successor's first entry committed: the closing member voted for it and acknowledged it (of two
        // members, it cannot commit otherwise). A member that campaigned only once its leader had stopped never
        // commits, and may not lead for long after its lone peer left, so its role is not what is checked.
        final ServerOverview overview = InJvmCluster.await(() ->
        {
            final ServerOverview now = cluster.system(follower).overview(follower);
            return now.commitIndex() > lastIndex ? now : null;
        }, Duration.ofSeconds(30), "an entry of the successor to commit");
        assertThat(overview.currentTerm()).as("elected in the next term").isEqualTo(term + 1);
    }
}

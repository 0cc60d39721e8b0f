package dev.ra.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ApplyResult;
import dev.ra.CommandMeta;
import dev.ra.InitArgs;
import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.ServerOverview;
import dev.ra.StateMachine;
import dev.ra.codec.Codec;
import dev.ra.codec.Codecs;
import dev.ra.testkit.InJvmCluster;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * With {@code useTransportThreads(false)}, a callback of a call to another node runs on the Netty I/O thread that read
 * the answer. A node closed from there must not wait on that thread for its leader's hand-over, whose messages (the
 * successor's vote request, its first entry) come in on it.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CloseFromIoThreadCallbackTest
{
    private static final CountDownLatch ANSWER = new CountDownLatch(1);

    private InJvmCluster cluster;

    @AfterEach
    void close()
    {
        ANSWER.countDown();
        if (null != cluster)
        {
            cluster.close();
        }
    }

    @Test
    void aLeaderNodeClosedFromACallbackOnAnIoThreadHandsItsLeadershipOver() throws Exception
    {
        final LoopbackTransports transports = new LoopbackTransports(2, b -> b.ioThreads(1));
        // Election timeouts long enough that the hand-over's bound never runs out on a slow machine.
        cluster = new InJvmCluster(List.of("n1", "n2"), transports, (node, builder) -> builder
            .useTransportThreads(false).electionTimeout(Duration.ofSeconds(1), Duration.ofSeconds(2))
            .registerMachine("counter", Counter::new).registerMachine("held", HeldCounter::new));
        transports.awaitConnected(Duration.ofSeconds(20));
        final RaSystem first = cluster.system("n1");
        final List<ServerId> members = List.of(new ServerId("counter", "n1"), new ServerId("counter", "n2"));
        first.startCluster("counter", "counter", members);
        final ServerId leader = cluster.awaitLeader(members, Duration.ofSeconds(20));
        final RaSystem leaderNode = cluster.system(leader);
        leaderNode.processCommand(leader, 1L);
        final long term = leaderNode.overview(leader).currentTerm();
        final ServerId follower = members.stream().filter(m -> !m.equals(leader)).findFirst().orElseThrow();
        final long lastIndex = leaderNode.overview(leader).lastIndex();
        // A cluster of its own on the follower's node, whose answer is held until the callback is in place.
        final ServerId remote = new ServerId("held", follower.node());
        leaderNode.startCluster("held", "held", List.of(remote));

        final CompletableFuture<String> closedOn = new CompletableFuture<>();
        leaderNode.processCommandAsync(remote, 1L).whenComplete((result, failure) ->
        {
            final String thread = Thread.currentThread().getName();
            leaderNode.close();
            closedOn.complete(thread);
        });
        ANSWER.countDown();

        assertThat(closedOn.get()).as("the thread of the callback").startsWith("ra-" + leader.node() + "-net");
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

    /** Adds each command to its state. */
    public static class Counter implements StateMachine<Long, Long>
    {
        @Override
        public Long init(final InitArgs args)
        {
            return 0L;
        }

        @Override
        public ApplyResult<Long> apply(final CommandMeta meta, final Long amount, final Long state)
        {
            return ApplyResult.of(state + amount, state + amount);
        }

        @Override
        public Class<Long> commandType()
        {
            return Long.class;
        }

        @Override
        public Codec<Long> commandCodec()
        {
            return Codecs.int64();
        }

        @Override
        public Codec<Long> stateCodec()
        {
            return Codecs.int64();
        }
    }

    /** A counter whose applies wait until the test lets the answer go. */
    public static final class HeldCounter extends Counter
    {
        @Override
        public ApplyResult<Long> apply(final CommandMeta meta, final Long amount, final Long state)
        {
            try
            {
                ANSWER.await(60, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            return super.apply(meta, amount, state);
        }
    }
}

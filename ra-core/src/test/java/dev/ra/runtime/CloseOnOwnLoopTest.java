package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ApplyResult;
import dev.ra.CommandMeta;
import dev.ra.Effect;
import dev.ra.InitArgs;
import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.ServerOverview;
import dev.ra.StateMachine;
import dev.ra.codec.Codec;
import dev.ra.codec.Codecs;
import dev.ra.testkit.InJvmCluster;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An application closes a node from code its event loop runs: a mod-call handler, as here, or a callback of a call
 * that the loop completed ({@code processCommandAsync(...).whenComplete((r, e) -> node.close())}). The close must stop
 * the servers in order, as one from any other thread does, so that a leader hands its leadership over, rather than
 * wait on that loop for them to stop, give up, and leave the others to notice the silence and hold an election.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CloseOnOwnLoopTest
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
    void aLeaderNodeClosedFromAHandlerOnItsLoopHandsItsLeadershipOver() throws Exception
    {
        // Election timeouts long enough that the hand-over's bound never runs out on a slow machine.
        final Map<String, CompletableFuture<String>> closedOn = new HashMap<>();
        final AtomicReference<String> firstToClose = new AtomicReference<>();
        cluster = new InJvmCluster(List.of("n1", "n2", "n3"), (node, builder) ->
        {
            final CompletableFuture<String> closed = new CompletableFuture<>();
            closedOn.put(node, closed);
            builder.electionTimeout(Duration.ofSeconds(1), Duration.ofSeconds(2)).modCallHandler("close-node", x ->
            {
                // Only the first leader to apply the command closes its node: its successor applies it too.
                if (firstToClose.compareAndSet(null, node))
                {
                    final String thread = Thread.currentThread().getName();
                    cluster.system(node).close();
                    closed.complete(thread);
                }
            });
        });
        final List<ServerId> members = cluster.startCluster("counter", new ClosingCounter());
        final ServerId leader = cluster.awaitLeader(members, Duration.ofSeconds(20));
        final RaSystem leaderNode = cluster.system(leader);
        leaderNode.processCommand(leader, 1L);
        final long term = leaderNode.overview(leader).currentTerm();
        final List<ServerId> others = members.stream().filter(m -> !m.equals(leader)).toList();
        final Map<ServerId, Long> preVotes = new HashMap<>();
        for (final ServerId member : others)
        {
            preVotes.put(member, cluster.system(member).overview(member).counters().get("pre_votes"));
        }

        leaderNode.processCommandAsync(leader, -1L);

        assertThat(closedOn.get(leader.node()).get()).as("the thread of the handler").contains("-loop-");
        final ServerId next = cluster.awaitLeader(others, Duration.ofSeconds(30));
        final ServerOverview overview = cluster.system(next).overview(next);
        assertThat(overview.currentTerm()).as("elected in the next term").isEqualTo(term + 1);
        assertThat(overview.counters().get("pre_votes")).as("campaigned on TimeoutNow, without a pre-vote")
            .isEqualTo(preVotes.get(next));
    }

    /**
     * A close called on the node's loop returns before the servers have stopped; {@link RaSystem#whenClosed} tells
     * another thread when that close is done (there was no way to know but polling).
     */
    @Test
    void whenClosedTellsWhenACloseFromTheLoopIsDone() throws Exception
    {
        final CompletableFuture<Boolean> doneWhenCloseReturned = new CompletableFuture<>();
        cluster = new InJvmCluster(List.of("n1"), (node, builder) -> builder.modCallHandler("close-node", x ->
        {
            final RaSystem system = cluster.system(node);
            system.close();
            doneWhenCloseReturned.complete(system.whenClosed().isDone());
        }));
        final List<ServerId> members = cluster.startCluster("counter", new ClosingCounter());
        final ServerId leader = cluster.awaitLeader(members, Duration.ofSeconds(20));
        final RaSystem node = cluster.system(leader);
        assertThat(node.whenClosed()).as("before any close").isNotDone();

        node.processCommandAsync(leader, -1L);

        assertThat(doneWhenCloseReturned.get(30, TimeUnit.SECONDS)).as("done when close() returned on the loop")
            .isFalse();
        node.whenClosed().get(30, TimeUnit.SECONDS);
        assertThat(node.isRunning(leader)).as("the server once the close is done").isFalse();
        assertThat(node.runningServers()).isEmpty();
        node.close();
        assertThat(node.whenClosed()).as("after a second close").isCompleted();
    }

    /**
     * What waits on {@link RaSystem#whenClosed} ran while the close still held the lock a close made meanwhile waits
     * for: one that made a close on another thread and waited for it (System.exit in it, whose shutdown hook closes the
     * node) waited for ever, the close never returning.
     */
    @Test
    void aCloseMadeByWhatWaitsOnWhenClosedIsNotHeldUp() throws Exception
    {
        cluster = new InJvmCluster(List.of("n1"), (node, builder) -> { });
        final RaSystem node = cluster.system("n1");
        final CompletableFuture<Boolean> otherCloseReturned = new CompletableFuture<>();
        node.whenClosed().thenRun(() ->
        {
            final Thread hook = new Thread(node::close, "another-close");
            hook.start();
            try
            {
                hook.join(TimeUnit.SECONDS.toMillis(30));
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            otherCloseReturned.complete(!hook.isAlive());
        });

        node.close();

        assertThat(otherCloseReturned.get(60, TimeUnit.SECONDS)).as("the close made on another thread returned")
            .isTrue();
    }

    /** A counter whose leader runs the mod-call "close-node" when it applies a negative amount. */
    public static final class ClosingCounter implements StateMachine<Long, Long>
    {
        @Override
        public Long init(final InitArgs args)
        {
            return 0L;
        }

        @Override
        public ApplyResult<Long> apply(final CommandMeta meta, final Long amount, final Long state)
        {
            final Long next = state + amount;
            return amount < 0 ? ApplyResult.of(next, next, new Effect.ModCall("close-node", null)) :
                ApplyResult.of(next, next);
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
}

package dev.ra.examples.latch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.RaTimeoutException;
import dev.ra.examples.support.Inbox;
import dev.ra.examples.support.ReleaseCursorPolicy;
import dev.ra.examples.support.ToolboxCluster;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.ThreadPerTask;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Latches and barriers on a 3-node in-JVM cluster, used from the application node n4, which hosts no member (a
 * client-only node): the leader is killed while parties wait, and a party's process ends while it waits.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LatchScenarioTest
{
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final ToolboxCluster world = ToolboxCluster.start("sync", (node, builder) -> builder
        .registerMachine("sync", () -> new LatchMachine(ReleaseCursorPolicy.every(8)))
        .minSnapshotInterval(8));

    @AfterEach
    void close()
    {
        world.close();
    }

    @Test
    void shouldOpenTheLatchForItsWaiterAcrossALeaderFailoverWithoutCountingTwice() throws Exception
    {
        final LatchClient latches = new LatchClient(world.app(), world.members());
        assertThat(latches.trySetCount("start", 3)).isTrue();
        final CompletableFuture<Boolean> waiter = CompletableFuture.supplyAsync(() -> latches.await("start", WAIT),
            ThreadPerTask.EXECUTOR);
        assertThat(latches.countDown("start")).isEqualTo(2);
        // A count-down whose reply is lost with the leader is sent again after the failover, as a client retries.
        final LatchCommand.CountDown retried = new LatchCommand.CountDown("start", 1, "count-down-7");
        assertThat(world.app().<Long>processCommand(world.awaitLeader(), retried, WAIT).reply()).isEqualTo(1);

        world.killLeader();

        assertThat(world.app().<Long>processCommand(world.awaitLeader(), retried, WAIT).reply()).as("counted once")
            .isEqualTo(1);
        assertThat(latches.getCount("start")).isEqualTo(1);
        assertThat(waiter).isNotDone();
        assertThat(latches.countDown("start")).isZero();
        assertThat(waiter.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(latches.countDown("start")).as("an open latch stays at 0").isZero();
        assertThat(latches.trySetCount("start", 1)).as("a new round").isTrue();
        assertThat(latches.getRound("start")).isEqualTo(2);
    }

    @Test
    void shouldTripTheBarrierForPartiesThatWaitedThroughALeaderFailover() throws Exception
    {
        final BarrierClient barriers = new BarrierClient(world.app(), world.members());
        final CompletableFuture<Long> first = CompletableFuture.supplyAsync(() -> barriers.await("b", 3, WAIT),
            ThreadPerTask.EXECUTOR);
        final CompletableFuture<Long> second = CompletableFuture.supplyAsync(() -> barriers.await("b", 3, WAIT),
            ThreadPerTask.EXECUTOR);
        awaitWaiting(barriers, 2);

        world.killLeader();

        assertThat(barriers.await("b", 3, WAIT)).isEqualTo(1);
        assertThat(first.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(second.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(barriers.barrier("b").orElseThrow().generation()).isEqualTo(2);
    }

    @Test
    void shouldBreakTheBarrierForEveryoneWhenAWaitingPartysProcessEnds() throws Exception
    {
        final BarrierClient barriers = new BarrierClient(world.app(), world.members());
        final CompletableFuture<Long> waiting = CompletableFuture.supplyAsync(() -> barriers.await("b", 3, WAIT),
            ThreadPerTask.EXECUTOR);
        try (Inbox party = new Inbox(world.app()))
        {
            // A raw arrival by a process of its own, which the test then ends as a crash would.
            final Object reply = world.app().processCommand(world.awaitLeader(),
                new LatchCommand.BarrierAwait("b", 3, party.ref()), WAIT).reply();
            assertThat(reply).isInstanceOf(BarrierReply.Waiting.class);
            awaitWaiting(barriers, 2);
            party.close();
        }

        assertThatThrownBy(() -> waiting.join()).hasCauseInstanceOf(BrokenBarrierException.class);
        assertThatThrownBy(() -> barriers.await("b", 3, WAIT)).isInstanceOf(BrokenBarrierException.class);
        assertThat(barriers.reset("b")).isEqualTo(2);
    }

    @Test
    void shouldBreakTheBarrierWhenAnAwaitTimesOut()
    {
        final BarrierClient barriers = new BarrierClient(world.app(), world.members());

        assertThatThrownBy(() -> barriers.await("b", 2, Duration.ofMillis(300)))
            .isInstanceOf(RaTimeoutException.class).hasMessageContaining("now broken");
        assertThat(barriers.barrier("b").orElseThrow().broken()).isTrue();
    }

    private static void awaitWaiting(final BarrierClient barriers, final int parties)
    {
        InJvmCluster.await(() -> barriers.barrier("b").map(b -> b.waiting().size() == parties)
            .orElse(false), WAIT, parties + " parties waiting");
    }
}

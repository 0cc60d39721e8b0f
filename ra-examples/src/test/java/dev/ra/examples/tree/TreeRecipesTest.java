package dev.ra.examples.tree;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.examples.lease.Lease;
import dev.ra.examples.support.ToolboxCluster;
import dev.ra.examples.tree.recipes.DistributedBarrier;
import dev.ra.examples.tree.recipes.DistributedDoubleBarrier;
import dev.ra.examples.tree.recipes.LeaderLatch;
import dev.ra.examples.tree.recipes.TreeLock;
import dev.ra.testkit.InJvmCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Curator-style recipes and the client on a 3-node in-JVM cluster, clients on member nodes and on the client-only
 * node: lock mutual exclusion among contending clients, leader latch handover when the leader's session expires,
 * barrier and double barrier, and the basic client calls they rest on.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TreeRecipesTest
{
    private static final Duration TTL = Duration.ofMillis(1_500);
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final TreeWorld world = new TreeWorld();
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void close()
    {
        threads.shutdownNow();
        world.close();
    }

    @Test
    void aClientOnAClientOnlyNodeWritesReadsAndIsToldOfChangesOnce() throws Exception
    {
        final TreeClient tree = world.clientOn(ToolboxCluster.APP_NODE);
        tree.ensurePath("/app/config");
        assertThat(tree.setData("/app/config", "v1", 0)).isInstanceOf(TreeReply.DataSet.class);
        assertThat(tree.setData("/app/config", "v2", 0)).isEqualTo(new TreeReply.BadVersion("/app/config", 0, 1));
        final List<TreeWatchMessage.Event> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        assertThat(tree.getData("/app/config", events::add)).isInstanceOf(TreeReply.NodeData.class);
        final TreeClient other = world.clientOn("n2");
        other.setData("/app/config", "v2", 1);
        other.setData("/app/config", "v3", 2);
        InJvmCluster.await(() -> !events.isEmpty(), WAIT, "the data watch to fire");
        assertThat(events).singleElement().satisfies(e ->
        {
            assertThat(e.type()).isEqualTo(TreeEventType.NODE_DATA_CHANGED);
            assertThat(e.path()).isEqualTo("/app/config");
        });

        final TreeReply.MultiResult failed = tree.multi(List.of(
            new TreeOp.Create("/app/a", "", CreateMode.PERSISTENT, 0), new TreeOp.Check("/app/config", 0)));
        assertThat(failed.committed()).isFalse();
        assertThat(tree.exists("/app/a")).isEmpty();

        try (Lease session = tree.openSession(TTL, () -> { }))
        {
            final TreeReply created = tree.create("/app/member-", "me", CreateMode.EPHEMERAL_SEQUENTIAL,
                session.id());
            assertThat(created).isInstanceOfSatisfying(TreeReply.Created.class,
                c -> assertThat(c.path()).matches("/app/member-\\d{10}"));
            tree.closeSession(session.id());
            assertThat(tree.getChildren("/app")).hasValue(List.of("config"));
        }
    }

    @Test
    void aLockIsHeldByOneContenderAtATime() throws Exception
    {
        final AtomicInteger inside = new AtomicInteger();
        final AtomicInteger maxInside = new AtomicInteger();
        final AtomicInteger entries = new AtomicInteger();
        final java.util.concurrent.atomic.AtomicLong lastToken = new java.util.concurrent.atomic.AtomicLong();
        final List<Future<?>> contenders = new ArrayList<>();
        final List<String> nodes = List.of("n1", ToolboxCluster.APP_NODE, "n3");
        final List<Lease> sessions = new ArrayList<>();
        for (final String node : nodes)
        {
            final TreeClient tree = world.clientOn(node);
            final Lease session = tree.openSession(TTL, () -> { });
            sessions.add(session);
            final TreeLock lock = new TreeLock(tree, "/locks/printer", session.id());
            contenders.add(threads.submit(() ->
            {
                for (int i = 0; i < 5; i++)
                {
                    assertThat(lock.acquire(WAIT)).isTrue();
                    try
                    {
                        assertThat(lock.acquire(WAIT)).as("reentrant").isTrue();
                        lock.release();
                        maxInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
                        final long token = lock.fencingToken();
                        assertThat(token).as("fencing tokens grow with every holder").isGreaterThan(lastToken.get());
                        lastToken.set(token);
                        entries.incrementAndGet();
                        Thread.sleep(10);
                        inside.decrementAndGet();
                    }
                    finally
                    {
                        lock.release();
                    }
                }
                return null;
            }));
        }
        for (final Future<?> contender : contenders)
        {
            contender.get(90, TimeUnit.SECONDS);
        }
        sessions.forEach(Lease::close);
        assertThat(maxInside.get()).as("holders at once").isEqualTo(1);
        assertThat(entries.get()).isEqualTo(15);
    }

    @Test
    void aWaiterLeavesNoWatchOnPredecessorsThatWentBeforeItLooked() throws Exception
    {
        final TreeClient holderTree = world.clientOn("n1");
        final TreeClient waiterTree = world.clientOn("n1");
        try (Lease holderSession = holderTree.openSession(TTL, () -> { });
            Lease waiterSession = waiterTree.openSession(TTL, () -> { }))
        {
            final TreeLock held = new TreeLock(holderTree, "/locks/churn", holderSession.id());
            assertThat(held.acquire(WAIT)).isTrue();
            final int others = 300;
            final List<String> queued = new ArrayList<>();
            for (int i = 0; i < others; i++)
            {
                final TreeReply created =
                    holderTree.create("/locks/churn/other-", "", CreateMode.PERSISTENT_SEQUENTIAL, 0);
                queued.add(((TreeReply.Created)created).path());
            }
            final TreeLock waiting = new TreeLock(waiterTree, "/locks/churn", waiterSession.id());
            final Future<Boolean> acquired = threads.submit(() ->
            {
                final boolean got = waiting.acquire(WAIT.multipliedBy(2));
                waiting.release();
                return got;
            });
            InJvmCluster.await(() -> holderTree.getChildren("/locks/churn").orElseThrow().size() == others + 2, WAIT,
                "the waiter to queue");
            // Deleted last first: each is the waiter's predecessor when it goes, so the waiter often finds the one it
            // just listed gone by the time it sets its watch.
            for (int i = others - 1; i >= 0; i--)
            {
                holderTree.delete(queued.get(i), TreeOp.ANY_VERSION);
            }
            held.release();
            assertThat(acquired.get(60, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(leaderWatchesUnder("/locks/")).as("watches left on lock nodes gone for good").isEmpty();
    }

    @Test
    void aBarrierFoundDownLeavesNoWatchBehind() throws Exception
    {
        final TreeClient tree = world.clientOn("n1");
        final DistributedBarrier barrier = new DistributedBarrier(tree, "/barriers/down");
        barrier.setBarrier();
        barrier.removeBarrier();
        assertThat(barrier.waitOnBarrier(WAIT)).isTrue();
        assertThat(leaderWatchesUnder("/barriers/")).isEmpty();
    }

    @Test
    void recipesWaitWithoutBoundWhenAskedTo() throws Exception
    {
        final Duration forever = java.time.temporal.ChronoUnit.FOREVER.getDuration();
        final TreeClient tree = world.clientOn("n1");
        try (Lease session = tree.openSession(TTL, () -> { });
            LeaderLatch latch = new LeaderLatch(tree, "/election/forever", session.id(), b -> { }))
        {
            final TreeLock lock = new TreeLock(tree, "/locks/forever", session.id());
            assertThat(lock.acquire(forever)).isTrue();
            lock.release();
            assertThat(lock.acquire(Duration.ofMillis(Long.MAX_VALUE))).isTrue();
            lock.release();
            latch.start();
            assertThat(latch.await(forever)).isTrue();
            assertThat(new DistributedBarrier(tree, "/barriers/never-set").waitOnBarrier(forever)).isTrue();
        }
    }

    @Test
    void aLeaderLatchPassesLeadershipOnWhenTheLeadersSessionExpires() throws Exception
    {
        final TreeClient first = world.clientOn(ToolboxCluster.APP_NODE);
        final TreeClient second = world.clientOn("n2");
        final Lease firstSession = first.openSession(TTL, () -> { });
        try (Lease secondSession = second.openSession(TTL, () -> { });
            LeaderLatch one = new LeaderLatch(first, "/election", firstSession.id(), b -> { });
            LeaderLatch two = new LeaderLatch(second, "/election", secondSession.id(), b -> { }))
        {
            one.start();
            assertThat(one.await(WAIT)).isTrue();
            two.start();
            Thread.sleep(TTL.toMillis());
            assertThat(two.hasLeadership()).isFalse();
            assertThat(one.currentLeader()).isEqualTo(one.nodePath());

            // The leader's process stops keeping its session alive (as if it died): the session expires.
            final long stoppedAtNanos = System.nanoTime();
            firstSession.close();
            assertThat(two.await(WAIT)).isTrue();
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stoppedAtNanos)).as("not before the TTL")
                .isGreaterThanOrEqualTo(TTL.toMillis() - TTL.toMillis() / 4);
            InJvmCluster.await(() -> !one.hasLeadership(), WAIT, "the old leader to see it lost");
            assertThat(two.currentLeader()).isEqualTo(two.nodePath());
        }
    }

    @Test
    void aFollowingLatchHoldsOneWatchCallbackHoweverManyTimesItLooks() throws Exception
    {
        final TreeClient first = world.clientOn("n1");
        final TreeClient second = world.clientOn(ToolboxCluster.APP_NODE);
        try (Lease firstSession = first.openSession(TTL, () -> { });
            Lease secondSession = second.openSession(TTL, () -> { });
            LeaderLatch one = new LeaderLatch(first, "/election/long", firstSession.id(), b -> { });
            LeaderLatch two = new LeaderLatch(second, "/election/long", secondSession.id(), b -> { }))
        {
            one.start();
            assertThat(one.await(WAIT)).isTrue();
            two.start();
            InJvmCluster.await(() -> second.heldWatchCallbacks() > 0, WAIT, "the follower to watch the leader");
            // The follower looks again every second: give it several looks.
            waitForLooks(() -> second.heldWatchCallbacks() > 2);
            assertThat(second.heldWatchCallbacks()).as("callbacks held on the leader's node").isEqualTo(1);
            assertThat(two.hasLeadership()).isFalse();
        }
    }

    @Test
    void aLockWaiterAndABarrierWaiterHoldOneWatchCallbackHoweverManyTimesTheyLook() throws Exception
    {
        final TreeClient holderTree = world.clientOn("n1");
        final TreeClient waiterTree = world.clientOn(ToolboxCluster.APP_NODE);
        try (Lease holderSession = holderTree.openSession(TTL, () -> { });
            Lease waiterSession = waiterTree.openSession(TTL, () -> { }))
        {
            final TreeLock held = new TreeLock(holderTree, "/locks/long", holderSession.id());
            assertThat(held.acquire(WAIT)).isTrue();
            final TreeLock waiting = new TreeLock(waiterTree, "/locks/long", waiterSession.id());
            final Future<Boolean> acquired = threads.submit(() ->
            {
                final boolean got = waiting.acquire(WAIT.multipliedBy(3));
                waiting.release();
                return got;
            });
            InJvmCluster.await(() -> waiterTree.heldWatchCallbacks() > 0, WAIT, "the waiter to watch the holder");
            waitForLooks(() -> waiterTree.heldWatchCallbacks() > 2);
            assertThat(waiterTree.heldWatchCallbacks()).as("callbacks held by the lock waiter").isEqualTo(1);
            held.release();
            assertThat(acquired.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
            InJvmCluster.await(() -> waiterTree.heldWatchCallbacks() == 0, WAIT, "the fired watch forgotten");

            final DistributedBarrier barrier = new DistributedBarrier(holderTree, "/barriers/long");
            barrier.setBarrier();
            final Future<Boolean> through = threads.submit(() ->
                new DistributedBarrier(waiterTree, "/barriers/long").waitOnBarrier(WAIT.multipliedBy(3)));
            InJvmCluster.await(() -> waiterTree.heldWatchCallbacks() > 0, WAIT, "the waiter to watch the barrier");
            waitForLooks(() -> waiterTree.heldWatchCallbacks() > 2);
            assertThat(waiterTree.heldWatchCallbacks()).as("callbacks held by the barrier waiter").isEqualTo(1);
            barrier.removeBarrier();
            assertThat(through.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        }
    }

    /**
     * Give a recipe time for several of its periodic looks (one a second), ending early once {@code enough} holds.
     */
    private static void waitForLooks(final java.util.function.BooleanSupplier enough) throws InterruptedException
    {
        for (int i = 0; i < 60 && !enough.getAsBoolean(); i++)
        {
            Thread.sleep(100);
        }
    }

    @Test
    void aLatchStartedTwiceIsRefusedInsteadOfLeavingASecondNodeThatBlocksTheElection() throws Exception
    {
        final TreeClient tree = world.clientOn("n1");
        final TreeClient other = world.clientOn("n2");
        try (Lease session = tree.openSession(TTL, () -> { });
            Lease otherSession = other.openSession(TTL, () -> { });
            LeaderLatch latch = new LeaderLatch(tree, "/election/twice", session.id(), b -> { });
            LeaderLatch next = new LeaderLatch(other, "/election/twice", otherSession.id(), b -> { }))
        {
            latch.start();
            assertThat(latch.await(WAIT)).isTrue();
            final String first = latch.nodePath();
            assertThatThrownBy(latch::start).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("/election/twice").hasMessageContaining("started");
            assertThat(latch.nodePath()).isEqualTo(first);
            assertThat(tree.getChildren("/election/twice")).hasValueSatisfying(c -> assertThat(c).hasSize(1));

            next.start();
            latch.close();
            assertThat(next.await(WAIT)).as("the next contender leads once the first closes its latch").isTrue();
        }
    }

    @Test
    void aBarrierHoldsItsWaitersUntilRemoved() throws Exception
    {
        final TreeClient tree = world.clientOn("n1");
        final DistributedBarrier barrier = new DistributedBarrier(tree, "/barriers/start");
        barrier.setBarrier();
        final List<Future<Boolean>> waiters = new ArrayList<>();
        for (final String node : List.of(ToolboxCluster.APP_NODE, "n3"))
        {
            final DistributedBarrier mine = new DistributedBarrier(world.clientOn(node), "/barriers/start");
            waiters.add(threads.submit(() -> mine.waitOnBarrier(WAIT)));
        }
        assertThat(new DistributedBarrier(tree, "/barriers/start").waitOnBarrier(Duration.ofMillis(200))).isFalse();
        assertThat(waiters).noneMatch(Future::isDone);
        barrier.removeBarrier();
        for (final Future<Boolean> waiter : waiters)
        {
            assertThat(waiter.get(30, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void aDoubleBarrierLetsMembersInWhenAllHaveEnteredAndOutWhenAllHaveLeft() throws Exception
    {
        final int members = 3;
        final AtomicInteger entered = new AtomicInteger();
        final List<Future<Integer>> running = new ArrayList<>();
        final List<Lease> sessions = new ArrayList<>();
        for (int i = 0; i < members; i++)
        {
            final TreeClient tree = world.clientOn(i == 0 ? ToolboxCluster.APP_NODE : "n" + i);
            final Lease session = tree.openSession(TTL, () -> { });
            sessions.add(session);
            final DistributedDoubleBarrier barrier =
                new DistributedDoubleBarrier(tree, "/barriers/phase", members, session.id());
            if (i == members - 1)
            {
                InJvmCluster.await(() -> tree.getChildren("/barriers/phase").map(List::size).orElse(0) ==
                    members - 1, WAIT, "the first members to be waiting inside");
                assertThat(entered.get()).as("nobody through before the last member arrives").isZero();
            }
            running.add(threads.submit(() ->
            {
                assertThat(barrier.enter(WAIT)).isTrue();
                final int seen = entered.incrementAndGet();
                assertThat(barrier.leave(WAIT)).isTrue();
                return seen;
            }));
        }
        for (final Future<Integer> member : running)
        {
            member.get(60, TimeUnit.SECONDS);
        }
        assertThat(entered.get()).isEqualTo(members);
        assertThat(world.clientOn("n1").getChildren("/barriers/phase")).hasValue(List.of());
        sessions.forEach(Lease::close);
    }

    /**
     * @param prefix of the paths.
     * @return the watches on paths under it, in the leader's state (the reads that set them were applied there).
     */
    private List<TreeWatch> leaderWatchesUnder(final String prefix)
    {
        return world.watches(world.cluster().awaitLeader().node()).watches().stream()
            .filter(w -> w.path().startsWith(prefix)).toList();
    }
}

package dev.ra.examples.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.ServerId;
import dev.ra.examples.support.Inbox;
import dev.ra.examples.support.ReleaseCursorPolicy;
import dev.ra.examples.support.ToolboxCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The fencing-token lock on a 3-node in-JVM cluster, holders and waiters on a fourth node: contention, crashes,
 * leader failover in the middle, a stale holder fenced off, and a full restart.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class LockScenarioTest
{
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final ToolboxCluster world = ToolboxCluster.start("locks", (node, builder) -> builder
        .registerMachine("locks", () -> new LockMachine(ReleaseCursorPolicy.every(8)))
        .minSnapshotInterval(8));

    @AfterEach
    void close()
    {
        world.close();
    }

    private LockClient clientOn(final String node)
    {
        return new LockClient(world.system(node), world.members());
    }

    private static long tokenOf(final LockReply reply)
    {
        assertThat(reply).isInstanceOf(LockReply.Acquired.class);
        return ((LockReply.Acquired)reply).token();
    }

    @Test
    void shouldHandTheLockToTheNextWaiterWithALargerToken()
    {
        final LockClient locks = clientOn("n1");
        final Inbox a = new Inbox(world.app());
        final Inbox b = new Inbox(world.app());

        final long first = tokenOf(locks.acquire("k", a.ref()));
        assertThat(locks.acquire("k", a.ref())).isEqualTo(new LockReply.Acquired(first));
        assertThat(locks.acquire("k", b.ref())).isEqualTo(new LockReply.Queued(1));
        assertThat(locks.release("k", b.ref())).isFalse();
        assertThat(locks.release("k", a.ref())).isTrue();

        final LockGranted granted = b.await(LockGranted.class, WAIT);
        assertThat(granted.token()).isGreaterThan(first);
        assertThat(locks.lockInfo("k")).contains(new LockEntry(b.ref(), granted.token(), List.of()));
    }

    @Test
    void shouldPassTheLockOnWhenTheHolderCrashes()
    {
        final LockClient locks = clientOn("n2");
        final Inbox a = new Inbox(world.app());
        final Inbox b = new Inbox(world.app());
        final long first = tokenOf(locks.acquire("k", a.ref()));
        locks.acquire("k", b.ref());

        a.process().fail();

        assertThat(b.await(LockGranted.class, WAIT).token()).isGreaterThan(first);
    }

    @Test
    void shouldLoseNoWaiterAndKeepTokensIncreasingAcrossALeaderFailover()
    {
        final Inbox a = new Inbox(world.app());
        final Inbox b = new Inbox(world.app());
        final Inbox c = new Inbox(world.app());
        final LockClient before = clientOn(world.followerNode());
        final long tokenA = tokenOf(before.acquire("k", a.ref()));
        assertThat(before.acquire("k", b.ref())).isEqualTo(new LockReply.Queued(1));
        assertThat(before.acquire("k", c.ref())).isEqualTo(new LockReply.Queued(2));

        world.killLeader();
        final LockClient after = clientOn(world.awaitLeader().node());
        // The waiters survived the failover, in order.
        assertThat(after.lockInfo("k")).contains(new LockEntry(a.ref(), tokenA, List.of(b.ref(), c.ref())));

        assertThat(after.release("k", a.ref())).isTrue();
        final long tokenB = b.await(LockGranted.class, WAIT).token();
        // The new leader's monitors (re-issued on becoming leader) see B crash and pass the lock to C.
        b.process().fail();
        final long tokenC = c.await(LockGranted.class, WAIT).token();

        assertThat(tokenB).isGreaterThan(tokenA);
        assertThat(tokenC).isGreaterThan(tokenB);
        assertThat(after.lockInfo("k")).contains(new LockEntry(c.ref(), tokenC, List.of()));
        // A, the holder during the failover, is told again by the new leader (grants are at-least-once), but only
        // about its own tenure. A process receives on its own executor, so the re-grant sent on the election may
        // arrive after B's and C's grants: wait for it rather than look once.
        assertThat(a.await(LockGranted.class, WAIT)).isEqualTo(new LockGranted("k", tokenA));
        assertThat(a.received()).filteredOn(LockGranted.class::isInstance)
            .containsOnly(new LockGranted("k", tokenA));
    }

    @Test
    void shouldFenceOffAHolderThatWasCutOffWhileTheLockPassedOn()
    {
        final LockClient locks = clientOn("n1");
        final FencingTokenValidator storage = new FencingTokenValidator();
        final Inbox stale = new Inbox(world.app());
        final Inbox next = new Inbox(world.system("n2"));
        final long staleToken = tokenOf(locks.acquire("k", stale.ref()));
        storage.validate("k", staleToken);
        locks.acquire("k", next.ref());

        // The plain lock treats an unreachable holder as gone: liveness first, the token keeps it safe.
        world.isolateAppNode();
        final long nextToken = next.await(LockGranted.class, WAIT).token();
        storage.validate("k", nextToken);

        assertThatThrownBy(() -> storage.validate("k", staleToken)).isInstanceOf(StaleFencingTokenException.class);
        world.reconnectAppNode();
    }

    @Test
    void shouldNeverGrantTwiceToContendingClientsAndIssueIncreasingTokens() throws Exception
    {
        final FencingTokenValidator storage = new FencingTokenValidator();
        final List<Long> tokens = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger inside = new AtomicInteger();
        final ExecutorService pool = Executors.newFixedThreadPool(3);
        try
        {
            final List<Future<?>> done = new ArrayList<>();
            for (final String node : ToolboxCluster.RA_NODES)
            {
                final LockClient locks = clientOn(node);
                done.add(pool.submit(() ->
                {
                    for (int i = 0; i < 5; i++)
                    {
                        final Optional<FencedLock> lock = locks.tryLock("k", Duration.ofSeconds(20));
                        assertThat(lock).isPresent();
                        try (FencedLock held = lock.get())
                        {
                            assertThat(inside.incrementAndGet()).as("holders at once").isEqualTo(1);
                            storage.validate("k", held.token());
                            tokens.add(held.token());
                            assertThat(held.isHeld()).isTrue();
                            inside.decrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (final Future<?> f : done)
            {
                f.get(60, TimeUnit.SECONDS);
            }
        }
        finally
        {
            pool.shutdownNow();
        }
        assertThat(tokens).hasSize(15).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void shouldNeverGrantTwiceAtOnceWhileTheLeaderFailsInTheMiddle() throws Exception
    {
        final ServerId leader = world.awaitLeader();
        final List<String> clientNodes = ToolboxCluster.RA_NODES.stream().filter(n -> !n.equals(leader.node()))
            .toList();
        final FencingTokenValidator storage = new FencingTokenValidator();
        final List<Long> tokens = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger inside = new AtomicInteger();
        final AtomicInteger overlaps = new AtomicInteger();
        final ExecutorService pool = Executors.newFixedThreadPool(clientNodes.size());
        try
        {
            final List<Future<?>> done = new ArrayList<>();
            for (final String node : clientNodes)
            {
                final LockClient locks = clientOn(node);
                done.add(pool.submit(() ->
                {
                    for (int i = 0; i < 12; i++)
                    {
                        final Optional<FencedLock> lock = locks.tryLock("k", Duration.ofSeconds(20));
                        assertThat(lock).isPresent();
                        try (FencedLock held = lock.get())
                        {
                            if (inside.incrementAndGet() != 1)
                            {
                                overlaps.incrementAndGet();
                            }
                            storage.validate("k", held.token());
                            tokens.add(held.token());
                            Thread.sleep(20);
                            inside.decrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            Thread.sleep(300);
            world.killLeader();
            for (final Future<?> f : done)
            {
                f.get(60, TimeUnit.SECONDS);
            }
        }
        finally
        {
            pool.shutdownNow();
        }
        assertThat(overlaps.get()).as("tenures that overlapped").isZero();
        assertThat(tokens).hasSize(12 * clientNodes.size()).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void shouldRecoverHoldersAndWaitersFromSnapshotsAfterAFullRestart()
    {
        final LockClient locks = clientOn("n1");
        final Inbox a = new Inbox(world.app());
        final Inbox b = new Inbox(world.app());
        final Inbox c = new Inbox(world.app());
        for (int i = 0; i < 10; i++)
        {
            locks.acquire("churn", a.ref());
            locks.release("churn", a.ref());
        }
        final long tokenA = tokenOf(locks.acquire("k", a.ref()));
        locks.acquire("k", b.ref());
        locks.acquire("k", c.ref());
        world.awaitSnapshotsEverywhere();

        world.restartAll();
        world.awaitLeader();

        final LockClient restarted = clientOn("n3");
        assertThat(restarted.lockInfo("k")).contains(new LockEntry(a.ref(), tokenA, List.of(b.ref(), c.ref())));
        assertThat(restarted.lockInfo("churn")).isEmpty();
        // Monitors were re-established by the new leader: a crash after the restart still passes the lock on.
        a.process().fail();
        assertThat(b.await(LockGranted.class, WAIT).token()).isGreaterThan(tokenA);
    }

    @Test
    void aTryLockWhoseWaiterWasDroppedForABlipOfItsNodeStillGetsTheLockOnceFree() throws Exception
    {
        final ServerId leader = world.awaitLeader();
        final String waiterNode = world.followerNode();
        final LockClient locks = clientOn(leader.node());
        final Inbox holder = new Inbox(world.app());
        final long first = tokenOf(locks.acquire("k", holder.ref()));
        final LockClient waiterLocks = clientOn(waiterNode);
        final ExecutorService pool = Executors.newSingleThreadExecutor();
        try
        {
            final Future<Optional<FencedLock>> waiting = pool.submit(() -> waiterLocks.tryLock("k",
                Duration.ofSeconds(60)));
            dev.ra.testkit.InJvmCluster.await(() -> locks.lockInfo("k").map(l -> l.waiters().size()).orElse(0) == 1,
                WAIT, "the tryLock to wait in line");

            // The waiter's node blips: the leader reports the waiter down (unreachable) and the lock drops it.
            world.network().partition(leader.node(), waiterNode);
            dev.ra.testkit.InJvmCluster.await(() -> clientOn(otherNode(leader.node(), waiterNode)).lockInfo("k")
                .map(l -> l.waiters().isEmpty()).orElse(true), WAIT, "the cut-off waiter dropped from the line");
            world.network().heal(leader.node(), waiterNode);

            final LockClient any = clientOn(otherNode(leader.node(), waiterNode));
            assertThat(any.release("k", holder.ref())).isTrue();
            dev.ra.testkit.InJvmCluster.await(() -> any.lockInfo("k")
                .map(l -> l.holder().node().equals(waiterNode)).orElse(false), WAIT,
                "the lock, free while the tryLock still waits for it, to go to it");
            final Optional<FencedLock> got = waiting.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(got).hasValueSatisfying(lock -> assertThat(lock.token()).isGreaterThan(first));
            got.get().close();
        }
        finally
        {
            pool.shutdownNow();
        }
    }

    private static String otherNode(final String one, final String two)
    {
        return ToolboxCluster.RA_NODES.stream().filter(n -> !n.equals(one) && !n.equals(two)).findFirst()
            .orElseThrow();
    }
}

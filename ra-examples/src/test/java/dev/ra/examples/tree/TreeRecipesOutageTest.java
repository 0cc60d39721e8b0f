package dev.ra.examples.tree;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.examples.lease.Lease;
import dev.ra.examples.support.ToolboxCluster;
import dev.ra.examples.tree.recipes.LeaderLatch;
import dev.ra.examples.tree.recipes.TreeLock;
import dev.ra.testkit.InJvmCluster;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The lock and the latch when the node of one contender (the node hosting no member) is cut off from the cluster for a
 * while: a release or a close made meanwhile takes effect once it is back, while its session lives on; a leader that
 * cannot look at the tree gives leadership up, so that it never claims it along with the contender that took over.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TreeRecipesOutageTest
{
    private static final Duration LONG_TTL = Duration.ofSeconds(60);
    private static final Duration SHORT_TTL = Duration.ofMillis(1_500);
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final TreeWorld world = new TreeWorld();

    @AfterEach
    void close()
    {
        world.close();
    }

    @Test
    void aLockReleasedWhileItsHolderIsCutOffPassesOnOnceTheHolderIsBack() throws Exception
    {
        final TreeClient holderTree = world.clientOn(ToolboxCluster.APP_NODE);
        final TreeClient waiterTree = world.clientOn("n1");
        final AtomicBoolean holderLost = new AtomicBoolean();
        try (Lease holderSession = holderTree.openSession(LONG_TTL, () -> holderLost.set(true));
            Lease waiterSession = waiterTree.openSession(LONG_TTL, () -> { }))
        {
            final TreeLock held = new TreeLock(holderTree, "/locks/outage", holderSession.id());
            assertThat(held.acquire(WAIT)).isTrue();
            final String holderNode = held.holdingNode();

            world.cluster().isolateAppNode();
            held.release();
            assertThat(held.holdingNode()).as("released as far as the holder is concerned").isNull();
            assertThat(waiterTree.exists(holderNode)).as("the delete could not reach the cluster").isPresent();
            world.cluster().reconnectAppNode();

            final TreeLock waiter = new TreeLock(waiterTree, "/locks/outage", waiterSession.id());
            assertThat(waiter.acquire(WAIT)).as("the lock once the holder's node is deleted (now held by %s)",
                waiter.currentHolder()).isTrue();
            assertThat(holderLost).as("the holder's session lives on").isFalse();
            waiter.release();
        }
    }

    @Test
    void aLatchClosedWhileItsLeaderIsCutOffLetsTheNextContenderLeadOnceItIsBack() throws Exception
    {
        final TreeClient firstTree = world.clientOn(ToolboxCluster.APP_NODE);
        final TreeClient secondTree = world.clientOn("n1");
        try (Lease firstSession = firstTree.openSession(LONG_TTL, () -> { });
            Lease secondSession = secondTree.openSession(LONG_TTL, () -> { });
            LeaderLatch two = new LeaderLatch(secondTree, "/election/outage", secondSession.id(), b -> { }))
        {
            final LeaderLatch one = new LeaderLatch(firstTree, "/election/outage", firstSession.id(), b -> { });
            one.start();
            assertThat(one.await(WAIT)).isTrue();
            two.start();
            final String oneNode = one.nodePath();

            world.cluster().isolateAppNode();
            one.close();
            one.close();
            assertThat(secondTree.exists(oneNode)).as("the delete could not reach the cluster").isPresent();
            world.cluster().reconnectAppNode();

            assertThat(two.await(WAIT)).as("a leader after the old one closed its latch (leader node now: %s)",
                two.currentLeader()).isTrue();
        }
    }

    @Test
    void aLeaderThatCannotLookAtTheTreeGivesLeadershipUpUntilItCanAgain() throws Exception
    {
        final TreeClient firstTree = world.clientOn(ToolboxCluster.APP_NODE);
        final TreeClient secondTree = world.clientOn("n1");
        final List<Boolean> told = new CopyOnWriteArrayList<>();
        try (Lease firstSession = firstTree.openSession(LONG_TTL, () -> { });
            Lease secondSession = secondTree.openSession(LONG_TTL, () -> { });
            LeaderLatch one = new LeaderLatch(firstTree, "/election/cut", firstSession.id(), told::add);
            LeaderLatch two = new LeaderLatch(secondTree, "/election/cut", secondSession.id(), b -> { }))
        {
            one.start();
            assertThat(one.await(WAIT)).isTrue();
            two.start();

            world.cluster().isolateAppNode();
            InJvmCluster.await(() -> !one.hasLeadership(), WAIT, "the cut-off leader to give leadership up");
            world.cluster().reconnectAppNode();

            assertThat(one.await(WAIT)).as("leading again: its session lived on, its node is still first").isTrue();
            assertThat(two.hasLeadership()).isFalse();
            assertThat(told).startsWith(true, false).endsWith(true);
        }
    }

    @Test
    void aCutOffLeaderStopsClaimingLeadershipOnceAnotherLeads() throws Exception
    {
        final TreeClient firstTree = world.clientOn(ToolboxCluster.APP_NODE);
        final TreeClient secondTree = world.clientOn("n1");
        try (Lease firstSession = firstTree.openSession(SHORT_TTL, () -> { });
            Lease secondSession = secondTree.openSession(SHORT_TTL, () -> { });
            LeaderLatch one = new LeaderLatch(firstTree, "/election/expired", firstSession.id(), b -> { });
            LeaderLatch two = new LeaderLatch(secondTree, "/election/expired", secondSession.id(), b -> { }))
        {
            one.start();
            assertThat(one.await(WAIT)).isTrue();
            two.start();

            world.cluster().isolateAppNode();
            assertThat(two.await(WAIT)).as("the other contender leads once the cut-off one's session expired")
                .isTrue();
            InJvmCluster.await(() -> !one.hasLeadership(), WAIT, "the cut-off leader to stop claiming leadership");
            world.cluster().reconnectAppNode();
            InJvmCluster.await(() -> firstTree.exists(one.nodePath()).isEmpty(), WAIT,
                "the cut-off leader's node to be gone with its session");
            assertThat(one.hasLeadership()).as("its node went with its session: it is out for good").isFalse();
            assertThat(two.hasLeadership()).isTrue();
        }
    }
}

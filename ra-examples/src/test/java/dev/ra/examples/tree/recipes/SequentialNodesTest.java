package dev.ra.examples.tree.recipes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.RaException;
import dev.ra.ServerId;
import dev.ra.examples.lease.Lease;
import dev.ra.examples.support.ClusterClient;
import dev.ra.examples.support.SwitchNotYetApplied;
import dev.ra.examples.support.ToolboxCluster;
import dev.ra.examples.tree.CreateMode;
import dev.ra.examples.tree.NumberedWrite;
import dev.ra.examples.tree.TreeClient;
import dev.ra.examples.tree.TreeOp;
import dev.ra.examples.tree.TreePaths;
import dev.ra.examples.tree.TreeReply;
import dev.ra.examples.tree.TreeWorld;
import dev.ra.testkit.InJvmCluster;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A contender's protected create whose outcome is unknown never leaves, besides the node it reports, a node of its own
 * that nobody deletes: such a node would stand in line, ahead of or behind the contender, for as long as the session
 * lives, and hold the lock or the leadership from everyone once it is first.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SequentialNodesTest
{
    private static final Duration LAG = Duration.ofSeconds(1);

    @Test
    void createsWhoseCommitsOutlastTheCallLeaveNoNodeBehindOnceTheCallFailed()
    {
        try (TreeWorld world = new TreeWorld())
        {
            final ToolboxCluster cluster = world.cluster();
            final ServerId leader = cluster.awaitLeader();
            final TreeClient plain = world.clientOn(leader.node());
            plain.ensurePath("/locks/l");
            try (Lease session = plain.openSession(Duration.ofSeconds(60), () -> { }))
            {
                final List<String> followers = ToolboxCluster.RA_NODES.stream()
                    .filter(n -> !n.equals(leader.node())).toList();
                try (TreeClient lagging = new TreeClient(new ClusterClient(cluster.system(leader.node()),
                    cluster.members(), Duration.ofMillis(500), Duration.ofMillis(200))))
                {
                    String created = null;
                    // Every commit takes a LAG, longer than the lagging client's whole call.
                    followers.forEach(f -> cluster.network().delay(f, leader.node(), LAG));
                    try
                    {
                        created = SequentialNodes.create(lagging, "/locks/l", "lock-", session.id());
                    }
                    catch (final RaException expected)
                    {
                        // The outcome is unknown; what matters is what stays in the tree.
                    }
                    finally
                    {
                        followers.forEach(f -> cluster.network().delay(f, leader.node(), Duration.ZERO));
                    }

                    // The create the call gave up on is applied after all (its commit only took a LAG).
                    InJvmCluster.await(() -> plain.exists("/locks/l").orElseThrow().cversion() > 0 ?
                        Boolean.TRUE : null, Duration.ofSeconds(30), "a create applied under /locks/l");
                    final List<String> expected = null == created ? List.of() : List.of(created);
                    InJvmCluster.await(() -> plain.getChildren("/locks/l").orElseThrow().equals(expected) ?
                        Boolean.TRUE : null, Duration.ofSeconds(30), "only " + expected + " under /locks/l, not " +
                        plain.getChildren("/locks/l").orElseThrow());
                }
            }
        }
    }

    /**
     * A copy of the create that made a contender's node, held up on its way (the runtime sends a call again to another
     * member when the one it was sent to goes silent), landed after the contender deleted its node and made one more:
     * a contender nobody knows of, first in line once those before it go, holding the lock from everyone for as long
     * as the session lives.
     */
    @Test
    void aCopyOfAContendersCreateLandingAfterItsNodeWasDeletedMakesNoNode()
    {
        final Queue<Object> applied = new ConcurrentLinkedQueue<>();
        try (TreeWorld world = TreeWorld.recording(applied))
        {
            final TreeClient tree = world.clientOn(world.cluster().awaitLeader().node());
            tree.ensurePath("/locks/l");
            try (Lease session = tree.openSession(Duration.ofSeconds(60), () -> { }))
            {
                final String mine = SequentialNodes.create(tree, "/locks/l", "lock-", session.id());
                // What the contender sent to make its node, as a copy of it held up on its way would be.
                final Object late = applied.stream().filter(SequentialNodesTest::createsAContender).findFirst()
                    .orElseThrow();
                assertThat(tree.delete("/locks/l/" + mine, TreeOp.ANY_VERSION)).isInstanceOf(TreeReply.Deleted.class);

                tree.cluster().<Object>command(late, false);

                assertThat(tree.getChildren("/locks/l").orElseThrow()).as("contenders after the only one left")
                    .isEmpty();
            }
        }
    }

    /**
     * A contender's numbered create whose first attempt's reply came after the attempt's time, and whose retry was
     * refused before the log (a leader elected since has not applied the switch to machine version 4): the call's
     * outcome is unknown, and the contender finds the node its first attempt made by its protected name, rather than
     * making a second one.
     */
    @Test
    void aContenderWhoseRetryIsRefusedAfterAnUnknownOutcomeFindsItsNodeByName()
    {
        try (TreeWorld world = TreeWorld.running(machine ->
            SwitchNotYetApplied.refusingFromTheFirstRetry(machine, NumberedWrite.class)))
        {
            final ToolboxCluster cluster = world.cluster();
            final String leader = cluster.awaitLeader().node();
            // A client on another node than the leader's: only the caller's node encodes the command.
            final String caller = cluster.followerNode();
            try (TreeClient tree = new TreeClient(new ClusterClient(cluster.system(caller), cluster.members(),
                Duration.ofSeconds(60), Duration.ofMillis(300))))
            {
                tree.ensurePath("/locks/l");
                try (Lease session = tree.openSession(Duration.ofSeconds(60), () -> { }))
                {
                    final String mine;
                    // The leader's answers come after an attempt's first time: the create's retry is the one refused.
                    cluster.network().delay(leader, caller, LAG);
                    try
                    {
                        mine = SequentialNodes.create(tree, "/locks/l", "lock-", session.id());
                    }
                    finally
                    {
                        cluster.network().delay(leader, caller, Duration.ZERO);
                    }

                    assertThat(TreePaths.sequence(mine)).as("the node of the create's first attempt").isZero();
                    assertThat(tree.getChildren("/locks/l").orElseThrow()).as("the contenders").containsExactly(mine);
                }
            }
        }
    }

    private static boolean createsAContender(final Object command)
    {
        final Object write = command instanceof NumberedWrite numbered ? numbered.write() : command;
        return write instanceof TreeOp.Create create && create.mode() == CreateMode.EPHEMERAL_SEQUENTIAL;
    }
}

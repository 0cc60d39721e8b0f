package dev.ra.examples.tree;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.CommandOutcomeUnknownException;
import dev.ra.InvalidCommandException;
import dev.ra.RaTimeoutException;
import dev.ra.ServerId;
import dev.ra.examples.support.ClusterClient;
import dev.ra.examples.support.MachineDriver;
import dev.ra.examples.support.ReleaseCursorPolicy;
import dev.ra.examples.support.ToolboxCluster;
import dev.ra.testkit.InJvmCluster;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A delete whose outcome is unknown is never sent blindly again: it answers {@link TreeReply.Deleted} for its own
 * success (not {@link TreeReply.NoNode}), and never deletes a node another client created at the path meanwhile.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TreeClientDeleteTest
{
    private static final Duration LAG = Duration.ofSeconds(1);
    /** A deadline no test reaches. */
    private static final long FAR = System.nanoTime() + TimeUnit.HOURS.toNanos(1);

    @Test
    void aDeleteWhoseCommitOutlastsOneAttemptAnswersDeletedForItsOwnSuccess()
    {
        try (TreeWorld world = new TreeWorld())
        {
            final ToolboxCluster cluster = world.cluster();
            final ServerId leader = cluster.awaitLeader();
            world.clientOn(leader.node()).create("/n", "", CreateMode.PERSISTENT, 0);
            final List<String> followers = ToolboxCluster.RA_NODES.stream().filter(n -> !n.equals(leader.node()))
                .toList();
            final TreeReply reply;
            // Every commit takes a LAG, longer than one attempt of a client on the leader's node: an attempt that
            // may be retried runs out of time while its delete is being committed.
            followers.forEach(f -> cluster.network().delay(f, leader.node(), LAG));
            try (TreeClient lagging = new TreeClient(new ClusterClient(cluster.system(leader.node()),
                cluster.members(), Duration.ofSeconds(30), Duration.ofMillis(200))))
            {
                reply = lagging.delete("/n", TreeOp.ANY_VERSION);
            }
            finally
            {
                followers.forEach(f -> cluster.network().delay(f, leader.node(), Duration.ZERO));
            }

            assertThat(reply).isEqualTo(new TreeReply.Deleted("/n"));
            assertThat(world.clientOn(leader.node()).exists("/n")).isEmpty();
        }
    }

    @Test
    void aClusterAtMachineVersionOneTakesTheGuardedDeleteThroughItsLeader()
    {
        try (TreeWorld world = new TreeWorld())
        {
            final ToolboxCluster cluster = world.cluster();
            final ServerId leader = cluster.awaitLeader();
            final TreeClient tree = world.clientOn(ToolboxCluster.APP_NODE);
            final long first = ((TreeReply.Created)tree.create("/n", "", CreateMode.PERSISTENT, 0)).stat().czxid();
            tree.delete("/n", TreeOp.ANY_VERSION);
            final long second = ((TreeReply.Created)tree.create("/n", "", CreateMode.PERSISTENT, 0)).stat().czxid();
            InJvmCluster.await(() -> cluster.system(leader.node()).overview(leader).machineVersion().effective() >= 1 ?
                Boolean.TRUE : null, Duration.ofSeconds(30), "the switch to machine version 1 or later");

            assertThat(tree.cluster().<TreeReply>command(new TreeOp.DeleteCreated("/n", TreeOp.ANY_VERSION, first),
                false)).isEqualTo(new TreeReply.NoNode("/n"));
            assertThat(tree.cluster().<TreeReply>command(new TreeOp.DeleteCreated("/n", TreeOp.ANY_VERSION, second),
                false)).isEqualTo(new TreeReply.Deleted("/n"));
        }
    }

    @Test
    void aClusterHeldAtMachineVersionZeroByAnOlderBuildRefusesTheGuardedDeleteAndGoesOn()
    {
        try (TreeWorld world = new TreeWorld(TreeMachine.DEFAULT_UNREACHABLE_WATCH_EXPIRY, "n3"))
        {
            final ToolboxCluster cluster = world.cluster();
            cluster.awaitLeader();
            final TreeClient tree = world.clientOn(ToolboxCluster.APP_NODE);
            final long czxid = ((TreeReply.Created)tree.create("/n", "", CreateMode.PERSISTENT, 0)).stat().czxid();

            assertThatThrownBy(() -> tree.cluster().command(new TreeOp.DeleteCreated("/n", TreeOp.ANY_VERSION,
                czxid), false)).isInstanceOf(InvalidCommandException.class);
            // The plain delete the client falls back to, and the members of both builds applying alike.
            assertThat(tree.delete("/n", TreeOp.ANY_VERSION)).isEqualTo(new TreeReply.Deleted("/n"));
            tree.create("/after", "", CreateMode.PERSISTENT, 0);
            for (final String node : ToolboxCluster.RA_NODES)
            {
                final ServerId member = new ServerId(TreeWorld.CLUSTER, node);
                InJvmCluster.await(() -> null != cluster.system(node).<TreeState, ZNode>localQuery(member,
                    s -> s.node("/after")).result() ? Boolean.TRUE : null, Duration.ofSeconds(30), node + " applying");
                assertThat(cluster.system(node).overview(member).machineVersion().effective()).isZero();
            }
        }
    }

    @Test
    void aDeleteWhoseNodeWasCreatedAnewMeanwhileIsNotSentAgainAndAnswersDeleted()
    {
        final Script script = new Script();
        script.replies.add(new CommandOutcomeUnknownException("leader lost", null));
        // The first attempt did delete the node; another client created one at the path since.
        script.reads.add(Optional.of(stat(9, 0)));

        assertThat(TreeClient.deleteNode("/n", TreeOp.ANY_VERSION, 3, FAR, script::send, script::read))
            .isEqualTo(new TreeReply.Deleted("/n"));
        assertThat(script.sent).containsExactly(new TreeOp.DeleteCreated("/n", TreeOp.ANY_VERSION, 3));
    }

    @Test
    void aDeleteWhoseNodeIsGoneAfterAnUnknownOutcomeAnswersDeleted()
    {
        final Script script = new Script();
        script.replies.add(new RaTimeoutException("no answer"));
        script.reads.add(Optional.empty());

        assertThat(TreeClient.deleteNode("/n", 2, 3, FAR, script::send, script::read))
            .isEqualTo(new TreeReply.Deleted("/n"));
        assertThat(script.sent).hasSize(1);
    }

    @Test
    void aDeleteWhoseNodeIsStillThereIsSentAgainGuardedByTheNodesCreationZxid()
    {
        final Script script = new Script();
        script.replies.add(new RaTimeoutException("no answer"));
        script.reads.add(Optional.of(stat(3, 4)));
        script.replies.add(new TreeReply.Deleted("/n"));

        assertThat(TreeClient.deleteNode("/n", TreeOp.ANY_VERSION, 3, FAR, script::send, script::read))
            .isEqualTo(new TreeReply.Deleted("/n"));
        assertThat(script.sent).containsExactly(new TreeOp.DeleteCreated("/n", TreeOp.ANY_VERSION, 3),
            new TreeOp.DeleteCreated("/n", TreeOp.ANY_VERSION, 3));
    }

    @Test
    void aClusterStillAtMachineVersionZeroIsSentThePlainDeleteWithTheVersionRead()
    {
        final Script script = new Script();
        script.replies.add(new InvalidCommandException("needs machine version 1"));
        script.replies.add(new RaTimeoutException("no answer"));
        script.reads.add(Optional.of(stat(3, 4)));
        // Changed between the read and the attempt: looked at again, then deleted.
        script.replies.add(new TreeReply.BadVersion("/n", 4, 5));
        script.reads.add(Optional.of(stat(3, 5)));
        script.replies.add(new TreeReply.Deleted("/n"));

        assertThat(TreeClient.deleteNode("/n", TreeOp.ANY_VERSION, 3, FAR, script::send, script::read))
            .isEqualTo(new TreeReply.Deleted("/n"));
        assertThat(script.sent).containsExactly(new TreeOp.DeleteCreated("/n", TreeOp.ANY_VERSION, 3),
            new TreeOp.Delete("/n", TreeOp.ANY_VERSION), new TreeOp.Delete("/n", 4), new TreeOp.Delete("/n", 5));
    }

    @Test
    void aDeleteOfAnExpectedVersionIsSentAgainWithThatVersionAndItsAnswerIsTheTruth()
    {
        final Script script = new Script();
        script.replies.add(new RaTimeoutException("no answer"));
        script.reads.add(Optional.of(stat(3, 7)));
        script.replies.add(new TreeReply.BadVersion("/n", 6, 7));

        assertThat(TreeClient.deleteNode("/n", 6, 3, FAR, script::send, script::read))
            .isEqualTo(new TreeReply.BadVersion("/n", 6, 7));
        assertThat(script.sent).containsExactly(new TreeOp.DeleteCreated("/n", 6, 3),
            new TreeOp.DeleteCreated("/n", 6, 3));
    }

    @Test
    void anEarlierAttemptStillInFlightAndAnotherClientsCreateDoNotMakeTheResendDeleteTheNewNode()
    {
        // The tree itself: the first attempt's outcome is unknown to the client, but it is still on its way and is
        // applied after the client's look, followed by another client's create of a node at the same path (version
        // 0 again, like the node looked at); only then does the client's second attempt arrive.
        final MachineDriver<TreeMachineCommand, TreeState> tree =
            new MachineDriver<>(new TreeMachine("lessor", ReleaseCursorPolicy.every(64)), TreeMachineCommand.class);
        tree.apply(new TreeOp.Create("/n", "", CreateMode.PERSISTENT, 0));
        final long czxid = tree.state().node("/n").stat().czxid();
        final Deque<TreeOp> inFlight = new ArrayDeque<>();
        final Function<TreeOp, TreeReply> send = op ->
        {
            if (inFlight.isEmpty() && tree.state().node("/n").stat().czxid() == czxid)
            {
                inFlight.add(op);
                throw new CommandOutcomeUnknownException("leader lost", null);
            }
            tree.apply(inFlight.removeFirst());
            tree.apply(new TreeOp.Create("/n", "theirs", CreateMode.PERSISTENT, 0));
            return (TreeReply)tree.apply(op).reply();
        };
        final Function<String, Optional<Stat>> read = path -> Optional.ofNullable(tree.state().node(path))
            .map(ZNode::stat);

        assertThat(TreeClient.deleteNode("/n", TreeOp.ANY_VERSION, czxid, FAR, send, read))
            .isEqualTo(new TreeReply.Deleted("/n"));
        assertThat(tree.state().node("/n")).as("the other client's node").isNotNull()
            .satisfies(n -> assertThat(n.data()).isEqualTo("theirs"));
    }

    @Test
    void aRefusalAfterAnUnknownOutcomeSendsNoPlainDeleteThatCouldDeleteANodeCreatedSince()
    {
        // The first attempt is taken (outcome unknown) and still on its way; a leader elected since holds the switch
        // to version 1 in its log without having applied it, and refuses the second attempt as version 0 would. A
        // plain delete sent then could land after the first attempt and another client's create (version 0 again).
        final MachineDriver<TreeMachineCommand, TreeState> tree =
            new MachineDriver<>(new TreeMachine("lessor", ReleaseCursorPolicy.every(64)), TreeMachineCommand.class);
        tree.apply(new TreeOp.Create("/n", "", CreateMode.PERSISTENT, 0));
        final long czxid = tree.state().node("/n").stat().czxid();
        final Deque<TreeOp> inFlight = new ArrayDeque<>();
        final List<TreeOp> sent = new ArrayList<>();
        final Function<TreeOp, TreeReply> send = op ->
        {
            sent.add(op);
            if (sent.size() == 1)
            {
                inFlight.add(op);
                throw new CommandOutcomeUnknownException("leader lost", null);
            }
            if (op instanceof TreeOp.DeleteCreated)
            {
                throw new InvalidCommandException("TreeOp.DeleteCreated needs machine version 1 of TreeMachine");
            }
            if (!inFlight.isEmpty())
            {
                tree.apply(inFlight.removeFirst());
                tree.apply(new TreeOp.Create("/n", "theirs", CreateMode.PERSISTENT, 0));
            }
            return (TreeReply)tree.apply(op).reply();
        };
        final Function<String, Optional<Stat>> read = path -> Optional.ofNullable(tree.state().node(path))
            .map(ZNode::stat);

        assertThatThrownBy(() -> TreeClient.deleteNode("/n", TreeOp.ANY_VERSION, czxid, FAR, send, read))
            .isInstanceOf(CommandOutcomeUnknownException.class);
        assertThat(sent).as("attempts sent").allMatch(TreeOp.DeleteCreated.class::isInstance);
        if (!inFlight.isEmpty())
        {
            tree.apply(inFlight.removeFirst());
            tree.apply(new TreeOp.Create("/n", "theirs", CreateMode.PERSISTENT, 0));
        }
        assertThat(tree.state().node("/n")).as("the other client's node").isNotNull()
            .satisfies(n -> assertThat(n.data()).isEqualTo("theirs"));
    }

    @Test
    void aFirstAttemptLandingAfterItsRetryAndALaterCreateLeavesTheNewNodeAlone()
    {
        // The first attempt's outcome is unknown to the client, and it is still on its way when the client looks,
        // finds the node, and deletes it with its second attempt. The call is over; a node is created at the path
        // again (this client's next create, say); only then does the first attempt land.
        final MachineDriver<TreeMachineCommand, TreeState> tree =
            new MachineDriver<>(new TreeMachine("lessor", ReleaseCursorPolicy.every(64)), TreeMachineCommand.class);
        tree.apply(new TreeOp.Create("/n", "", CreateMode.PERSISTENT, 0));
        final long czxid = tree.state().node("/n").stat().czxid();
        final Deque<TreeOp> inFlight = new ArrayDeque<>();
        final Function<TreeOp, TreeReply> send = op ->
        {
            if (inFlight.isEmpty())
            {
                inFlight.add(op);
                throw new CommandOutcomeUnknownException("leader lost", null);
            }
            return (TreeReply)tree.apply(op).reply();
        };
        final Function<String, Optional<Stat>> read = path -> Optional.ofNullable(tree.state().node(path))
            .map(ZNode::stat);

        assertThat(TreeClient.deleteNode("/n", TreeOp.ANY_VERSION, czxid, FAR, send, read))
            .isEqualTo(new TreeReply.Deleted("/n"));
        tree.apply(new TreeOp.Create("/n", "next", CreateMode.PERSISTENT, 0));
        final Object late = tree.apply(inFlight.removeFirst()).reply();

        assertThat(late).isEqualTo(new TreeReply.NoNode("/n"));
        assertThat(tree.state().node("/n")).as("the node created after the call").isNotNull()
            .satisfies(n -> assertThat(n.data()).isEqualTo("next"));
    }

    @Test
    void aNodeDeletedAndCreatedAgainBetweenTheLookAndTheFirstAttemptIsLeftAlone()
    {
        final MachineDriver<TreeMachineCommand, TreeState> tree =
            new MachineDriver<>(new TreeMachine("lessor", ReleaseCursorPolicy.every(64)), TreeMachineCommand.class);
        tree.apply(new TreeOp.Create("/n", "", CreateMode.PERSISTENT, 0));
        final long czxid = tree.state().node("/n").stat().czxid();
        tree.apply(new TreeOp.Delete("/n", TreeOp.ANY_VERSION));
        tree.apply(new TreeOp.Create("/n", "theirs", CreateMode.PERSISTENT, 0));

        assertThat(TreeClient.deleteNode("/n", TreeOp.ANY_VERSION, czxid, FAR,
            op -> (TreeReply)tree.apply(op).reply(), path -> Optional.ofNullable(tree.state().node(path))
                .map(ZNode::stat))).isEqualTo(new TreeReply.NoNode("/n"));
        assertThat(tree.state().node("/n").data()).isEqualTo("theirs");
    }

    @Test
    void noLookOrAttemptStartsAfterTheCallsDeadline()
    {
        // Every attempt's outcome is unknown and the node is still there at every look: without the call's one
        // deadline each look and attempt would be given a timeout of its own, up to a dozen timeouts in all.
        final Script script = new Script();
        for (int i = 0; i < 10; i++)
        {
            script.replies.add(new RaTimeoutException("no answer " + i));
            script.reads.add(Optional.of(stat(3, 0)));
        }
        final long passed = System.nanoTime() - 1;

        assertThatThrownBy(() -> TreeClient.deleteNode("/n", TreeOp.ANY_VERSION, 3, passed, script::send,
            script::read)).isInstanceOf(RaTimeoutException.class).hasMessage("no answer 0");
        assertThat(script.sent).hasSize(1);
    }

    @Test
    void aRefusalIsNotAnUnknownOutcome()
    {
        final Script script = new Script();
        script.replies.add(new IllegalStateException("refused"));

        assertThatThrownBy(() -> TreeClient.deleteNode("/n", 6, 3, FAR, script::send, script::read))
            .isInstanceOf(IllegalStateException.class);
        assertThat(script.sent).hasSize(1);
    }

    private static Stat stat(final long czxid, final int version)
    {
        return new Stat(czxid, czxid, czxid, version, 0, 0, 0);
    }

    /**
     * The cluster as a script: each attempt takes the next reply (or throws it), each read the next stat.
     */
    private static final class Script
    {
        final Deque<Object> replies = new ArrayDeque<>();
        final Deque<Optional<Stat>> reads = new ArrayDeque<>();
        final List<TreeOp> sent = new ArrayList<>();

        TreeReply send(final TreeOp op)
        {
            sent.add(op);
            final Object next = replies.removeFirst();
            if (next instanceof RuntimeException ex)
            {
                throw ex;
            }
            return (TreeReply)next;
        }

        Optional<Stat> read(final String path)
        {
            return reads.removeFirst();
        }
    }
}

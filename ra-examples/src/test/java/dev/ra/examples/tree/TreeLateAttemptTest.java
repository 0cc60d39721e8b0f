package dev.ra.examples.tree;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.BuiltinCommand;
import dev.ra.DownReason;
import dev.ra.ProcessRef;
import dev.ra.StateMachine;
import dev.ra.codec.CodecException;
import dev.ra.examples.support.CommandNumber;
import dev.ra.examples.support.CommandNumbering;
import dev.ra.examples.support.MachineDriver;
import dev.ra.examples.support.ReleaseCursorPolicy;
import dev.ra.examples.support.StaleCommand;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The tree's writes with their attempts applied in the orders retries and late attempts make: a retry whose first
 * attempt was applied gets that attempt's reply and changes nothing more (no second sequential node, no NodeExists
 * for the call's own node, no BadVersion for its own write), and a first attempt that lands after its client went on
 * with later calls is refused as stale without effect.
 */
class TreeLateAttemptTest
{
    private static final String CLIENT = "client-a";
    private static final ProcessRef CALLER = new ProcessRef("n9", 1);

    private final MachineDriver<TreeMachineCommand, TreeState> tree =
        new MachineDriver<>(new TreeMachine("lessor", ReleaseCursorPolicy.every(64)), TreeMachineCommand.class);

    @Test
    void aRetriedSequentialCreateGetsItsFirstNodeAndMakesNoSecond()
    {
        tree.apply(new TreeOp.Create("/q", "", CreateMode.PERSISTENT, 0));
        final TreeCommand create = new TreeOp.Create("/q/job-", "x", CreateMode.PERSISTENT_SEQUENTIAL, 0);
        final Object first = send(create, number(1, 1));
        final Object retry = send(create, number(1, 1));

        assertThat(first).isInstanceOf(TreeReply.Created.class);
        assertThat(retry).isEqualTo(first);
        assertThat(tree.state().children("/q")).containsExactly("job-0000000000");
    }

    @Test
    void aRetriedEphemeralCreateAnswersCreatedNotNodeExists()
    {
        tree.apply(new TreeOp.Create("/svc", "", CreateMode.PERSISTENT, 0));
        final long session = ((dev.ra.examples.lease.SessionReply.Granted)tree.apply(
            new dev.ra.examples.lease.SessionCommand.Grant(60_000, CALLER)).reply()).sessionId();
        final TreeCommand create = new TreeOp.Create("/svc/me", "addr", CreateMode.EPHEMERAL, session);
        final Object first = send(create, number(1, 1));

        assertThat(send(create, number(1, 1))).isEqualTo(first).isInstanceOf(TreeReply.Created.class);
    }

    @Test
    void aRetriedVersionedWriteAnswersItsOwnSuccessNotBadVersion()
    {
        tree.apply(new TreeOp.Create("/n", "", CreateMode.PERSISTENT, 0));
        final TreeCommand set = new TreeOp.SetData("/n", "v1", 0);
        final Object first = send(set, number(1, 1));

        assertThat(first).isInstanceOf(TreeReply.DataSet.class);
        assertThat(send(set, number(1, 1))).isEqualTo(first);
        final TreeCommand delete = new TreeOp.Delete("/n", 1);
        final Object deleted = send(delete, number(2, 2));

        assertThat(deleted).isEqualTo(new TreeReply.Deleted("/n"));
        assertThat(send(delete, number(2, 2))).isEqualTo(deleted);
    }

    @Test
    void aRetriedMultiAnswersItsCommitAndAppliesOnce()
    {
        tree.apply(new TreeOp.Create("/m", "", CreateMode.PERSISTENT, 0));
        final TreeCommand multi = new TreeCommand.Multi(List.of(new TreeOp.SetData("/m", "a", 0),
            new TreeOp.Create("/m/s-", "", CreateMode.PERSISTENT_SEQUENTIAL, 0)));
        final Object first = send(multi, number(1, 1));

        assertThat(first).isInstanceOfSatisfying(TreeReply.MultiResult.class, r -> assertThat(r.committed()).isTrue());
        assertThat(send(multi, number(1, 1))).isEqualTo(first);
        assertThat(tree.state().children("/m")).hasSize(1);
    }

    @Test
    void aLateFirstWriteAfterTheClientsNextWriteIsRefusedAndOverwritesNothing()
    {
        tree.apply(new TreeOp.Create("/n", "", CreateMode.PERSISTENT, 0));
        final TreeCommand older = new TreeOp.SetData("/n", "old", TreeOp.ANY_VERSION);
        // The first call's retry is applied; its first attempt is still on its way when the client writes again.
        send(older, number(1, 1));
        send(new TreeOp.SetData("/n", "new", TreeOp.ANY_VERSION), number(2, 2));
        final Object late = send(older, number(1, 1));

        assertThat(late).isInstanceOf(StaleCommand.class);
        assertThat(tree.state().node("/n").data()).isEqualTo("new");
    }

    @Test
    void twoClientsOfOneNumberingRefuseNoneOfEachOthersCallsWhileOneIsUnderWay()
    {
        // Two TreeClients of one JVM (one numbering, two watch processes): A's create is slow; B writes twice, and A
        // writes again from another thread; then A's create is retried.
        final ProcessRef other = new ProcessRef("n9", 2);
        final CommandNumbering numbering = new CommandNumbering();
        tree.apply(new TreeOp.Create("/q", "", CreateMode.PERSISTENT, 0));
        try (CommandNumbering.Call slow = numbering.start())
        {
            for (int i = 0; i < 2; i++)
            {
                try (CommandNumbering.Call fast = numbering.start())
                {
                    assertThat(tree.apply(new NumberedWrite(new TreeOp.SetData("/q", "b" + i, TreeOp.ANY_VERSION),
                        other, fast.number())).reply()).isInstanceOf(TreeReply.DataSet.class);
                }
            }
            try (CommandNumbering.Call mine = numbering.start())
            {
                assertThat(tree.apply(new NumberedWrite(new TreeOp.Create("/q/a-", "", CreateMode.PERSISTENT_SEQUENTIAL,
                    0), CALLER, mine.number())).reply()).isInstanceOf(TreeReply.Created.class);
            }
            final NumberedWrite create = new NumberedWrite(
                new TreeOp.Create("/q/s-", "", CreateMode.PERSISTENT_SEQUENTIAL, 0), CALLER, slow.number());

            final Object first = tree.apply(create).reply();
            assertThat(first).isInstanceOf(TreeReply.Created.class);
            assertThat(tree.apply(create).reply()).isEqualTo(first);
            assertThat(tree.state().children("/q")).containsExactly("a-0000000000", "s-0000000001");
        }
    }

    @Test
    void aLateCreateAfterTheClientDeletedItsNodeMakesNothing()
    {
        tree.apply(new TreeOp.Create("/p", "", CreateMode.PERSISTENT, 0));
        final TreeCommand create = new TreeOp.Create("/p/x", "", CreateMode.PERSISTENT, 0);
        send(create, number(1, 1));
        send(new TreeOp.Delete("/p/x", TreeOp.ANY_VERSION), number(2, 2));

        assertThat(send(create, number(1, 1))).isInstanceOf(StaleCommand.class);
        assertThat(tree.state().node("/p/x")).isNull();
    }

    @Test
    void aFailedWriteIsRememberedToo()
    {
        final TreeCommand set = new TreeOp.SetData("/absent", "x", TreeOp.ANY_VERSION);
        assertThat(send(set, number(1, 1))).isEqualTo(new TreeReply.NoNode("/absent"));
        tree.apply(new TreeOp.Create("/absent", "", CreateMode.PERSISTENT, 0));
        // A retry of the failed write gets its failure, not a success it never had.
        assertThat(send(set, number(1, 1))).isEqualTo(new TreeReply.NoNode("/absent"));
        assertThat(tree.state().node("/absent").data()).isEmpty();
    }

    @Test
    void aLateCreateAfterTheClientDeletedItsNodeAndClosedMakesNothing()
    {
        // The client held a watch, so the tree monitors its watch process and hears of its end when it closes.
        tree.apply(new TreeCommand.Exists("/w", CALLER));
        tree.apply(new TreeOp.Create("/p", "", CreateMode.PERSISTENT, 0));
        final TreeCommand create = new TreeOp.Create("/p/x", "", CreateMode.PERSISTENT, 0);
        // The retry is applied; the first attempt is still on its way while the client deletes the node and closes.
        final Object first = send(create, number(1, 1));
        tree.apply(new TreeOp.DeleteCreated("/p/x", TreeOp.ANY_VERSION, tree.state().node("/p/x").stat().czxid()));
        tree.builtin(new BuiltinCommand.Down(CALLER, DownReason.NORMAL));

        // Taken for a retry of the call (its delete was not numbered): the first reply again, and nothing made.
        assertThat(send(create, number(1, 1))).isEqualTo(first);
        assertThat(tree.state().node("/p/x")).as("a node the client deleted, made again after it closed").isNull();
    }

    @Test
    void aLateSetDataAfterTheClientsNextWriteAndItsEndOverwritesNothing()
    {
        tree.apply(new TreeCommand.Exists("/w", CALLER));
        tree.apply(new TreeOp.Create("/n", "", CreateMode.PERSISTENT, 0));
        final TreeCommand older = new TreeOp.SetData("/n", "old", TreeOp.ANY_VERSION);
        send(older, number(1, 1));
        send(new TreeOp.SetData("/n", "new", TreeOp.ANY_VERSION), number(2, 2));
        tree.builtin(new BuiltinCommand.Down(CALLER, DownReason.NOPROC));

        assertThat(send(older, number(1, 1))).isInstanceOf(StaleCommand.class);
        assertThat(tree.state().node("/n").data()).isEqualTo("new");
    }

    @Test
    void theNumberedCallsAreInTheSnapshot()
    {
        tree.apply(new TreeOp.Create("/q", "", CreateMode.PERSISTENT, 0));
        final TreeCommand create = new TreeOp.Create("/q/job-", "x", CreateMode.PERSISTENT_SEQUENTIAL, 0);
        final Object first = send(create, number(1, 1));
        final TreeMachine machine = new TreeMachine("lessor", ReleaseCursorPolicy.every(64));
        final TreeState restored = machine.stateCodec().fromBytes(machine.stateCodec().toBytes(tree.state()));
        tree.restore(restored);

        assertThat(restored.sequences()).isEqualTo(tree.state().sequences());
        assertThat(send(create, number(1, 1))).isEqualTo(first);
        assertThat(tree.state().children("/q")).hasSize(1);
    }

    @Test
    void aVersionThreeSnapshotSwitchedToFourMidLogTakesNumberedWritesAndKeepsThemInItsSnapshots()
    {
        final TreeMachine newest = new TreeMachine("lessor", ReleaseCursorPolicy.every(64));
        final StateMachine<TreeMachineCommand, TreeState> three = newest.machineFor(3);
        final MachineDriver<TreeMachineCommand, TreeState> old = new MachineDriver<>(three, TreeMachineCommand.class);
        old.apply(new TreeOp.Create("/q", "", CreateMode.PERSISTENT, 0));
        tree.restore(three.stateCodec().fromBytes(three.stateCodec().toBytes(old.state())));
        tree.skip(old.nextIndex() - tree.nextIndex());
        tree.builtin(new BuiltinCommand.MachineVersionChanged(3, 4));

        final TreeCommand create = new TreeOp.Create("/q/job-", "x", CreateMode.PERSISTENT_SEQUENTIAL, 0);
        final Object first = send(create, number(1, 1));
        tree.restore(newest.stateCodec().fromBytes(newest.stateCodec().toBytes(tree.state())));

        assertThat(send(create, number(1, 1))).isEqualTo(first);
        assertThat(tree.state().children("/q")).containsExactly("job-0000000000");
        assertThat(tree.state().sequences().clients()).hasSize(1);
    }

    @Test
    void versionThreeRefusesANumberedWriteBeforeTheLogAndAppliesNone()
    {
        final StateMachine<TreeMachineCommand, TreeState> three =
            new TreeMachine("lessor", ReleaseCursorPolicy.every(64)).machineFor(3);
        final NumberedWrite numbered = new NumberedWrite(new TreeOp.Create("/x", "", CreateMode.PERSISTENT, 0),
            CALLER, number(1, 1));

        assertThatThrownBy(() -> three.commandCodec().toBytes(numbered)).isInstanceOf(CodecException.class)
            .hasMessageContaining("machine version 4");
        final MachineDriver<TreeMachineCommand, TreeState> old = new MachineDriver<>(three, TreeMachineCommand.class);
        assertThat(old.apply(numbered).reply()).isInstanceOf(TreeReply.BadArguments.class);
        assertThat(old.state().node("/x")).isNull();
    }

    @Test
    void aNumberedWriteOfSomethingElseThanAWriteIsRefusedWhereItIsMade()
    {
        assertThatThrownBy(() -> new NumberedWrite(new TreeCommand.Exists("/x", CALLER), CALLER, number(1, 1)))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a TreeOp, a Multi, a Reregister or a");
    }

    private Object send(final TreeCommand write, final CommandNumber number)
    {
        return tree.apply(new NumberedWrite(write, CALLER, number)).reply();
    }

    private static CommandNumber number(final long number, final long firstUnanswered)
    {
        return new CommandNumber(CLIENT, number, firstUnanswered);
    }
}

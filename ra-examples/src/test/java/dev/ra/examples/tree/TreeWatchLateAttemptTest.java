package dev.ra.examples.tree;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.ApplyResult;
import dev.ra.Effect;
import dev.ra.ProcessRef;
import dev.ra.StateMachine;
import dev.ra.codec.CodecException;
import dev.ra.examples.support.ClientSequences;
import dev.ra.examples.support.CommandNumber;
import dev.ra.examples.support.MachineDriver;
import dev.ra.examples.support.ReleaseCursorPolicy;
import dev.ra.examples.support.StaleCommand;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The tree's re-registrations and watch removals with their attempts applied in the orders retries and late attempts
 * make (machine version 5): a copy of one held up on its way, landing after the client set the watch again, must
 * leave the watch the client now holds. The plain re-registration fired that watch with the older change, which the
 * client drops as older than its watch ({@link ClientWatches}), and the plain removal removed it: the watch was gone
 * unseen.
 */
class TreeWatchLateAttemptTest
{
    private static final String CLIENT = "client-a";
    private static final ProcessRef WATCHER = new ProcessRef("n9", 1);

    private final MachineDriver<TreeMachineCommand, TreeState> tree =
        new MachineDriver<>(machine(), TreeMachineCommand.class);

    @Test
    void aLateCopyOfAReregistrationRetriedWithItsNumberLeavesTheWatchTheClientSetSince()
    {
        final TreeCommand.Reregister reregister = watchThenReregister();
        tree.apply(new NumberedWrite(reregister, WATCHER, number(1, 1)));
        fireAndSetAgain();

        final ApplyResult<TreeState> late = tree.apply(new NumberedWrite(reregister, WATCHER, number(1, 1)));

        assertThat(late.effects()).isEmpty();
        assertThat(eventsTo(tree.apply(new TreeOp.SetData("/a", "2", TreeOp.ANY_VERSION))))
            .as("the watch the client set after the change its first registration saw").hasSize(1);
    }

    @Test
    void aLateCopyOfAReregistrationGivenUpLeavesTheWatchTheClientSetSince()
    {
        final TreeCommand.Reregister reregister = watchThenReregister();
        // The first call was given up; the next leader's resync made the client re-register again, which landed.
        tree.apply(new NumberedWrite(reregister, WATCHER, number(2, 2)));
        fireAndSetAgain();

        final ApplyResult<TreeState> late = tree.apply(new NumberedWrite(reregister, WATCHER, number(1, 1)));

        assertThat(late.reply()).isInstanceOf(StaleCommand.class);
        assertThat(late.effects()).isEmpty();
        assertThat(eventsTo(tree.apply(new TreeOp.SetData("/a", "2", TreeOp.ANY_VERSION)))).hasSize(1);
    }

    @Test
    void aLateCopyOfARemovalLeavesTheWatchTheClientSetSince()
    {
        tree.apply(new TreeOp.Create("/a", "0", CreateMode.PERSISTENT, 0));
        tree.apply(new TreeCommand.GetData("/a", WATCHER));
        // The client removes its watches on /a; the first attempt is held up, its retry lands.
        final NumberedWrite remove = new NumberedWrite(new TreeCommand.RemoveWatches("/a", WATCHER, null), WATCHER,
            number(1, 1));
        assertThat(tree.apply(remove).reply()).isEqualTo(new TreeReply.WatchesRemoved(1));
        // The client watches /a again.
        tree.apply(new TreeCommand.GetData("/a", WATCHER));

        assertThat(tree.apply(remove).reply()).as("the first reply").isEqualTo(new TreeReply.WatchesRemoved(1));

        assertThat(eventsTo(tree.apply(new TreeOp.SetData("/a", "1", TreeOp.ANY_VERSION))))
            .as("the watch the client set after its removal").hasSize(1);
    }

    @Test
    void aNumberedReregistrationThatIsNewFiresWhatChangedAsThePlainOneDoes()
    {
        final TreeCommand.Reregister reregister = watchThenReregister();
        tree.apply(new TreeOp.SetData("/a", "1", TreeOp.ANY_VERSION));

        final ApplyResult<TreeState> numbered = tree.apply(new NumberedWrite(reregister, WATCHER, number(1, 1)));

        assertThat(numbered.reply()).isInstanceOf(TreeReply.WatchSet.class);
        assertThat(eventsTo(numbered)).extracting(TreeWatchMessage.Event::type)
            .containsExactly(TreeEventType.NODE_DATA_CHANGED);
        assertThat(tree.state().sequences()).isNotEqualTo(ClientSequences.NONE);
    }

    @Test
    void versionsBeforeFiveRefuseANumberedWatchCallBeforeTheLogAndApplyNone()
    {
        final NumberedWrite numbered = new NumberedWrite(new TreeCommand.Reregister(WATCHER,
            List.of(new TreeCommand.HeldWatch("/a", WatchMode.DATA, 1))), WATCHER, number(1, 1));
        final NumberedWrite removal = new NumberedWrite(new TreeCommand.RemoveWatches("/a", WATCHER, null), WATCHER,
            number(2, 2));
        for (final int version : new int[] {0, 3, 4})
        {
            for (final NumberedWrite call : List.of(numbered, removal))
            {
                assertThatThrownBy(() -> machine().machineFor(version).commandCodec().toBytes(call))
                    .isInstanceOf(CodecException.class).hasMessageContaining("machine version");
            }
        }
        final StateMachine<TreeMachineCommand, TreeState> four = machine().machineFor(4);
        assertThatThrownBy(() -> four.commandCodec().toBytes(numbered)).hasMessageContaining("machine version 5");
        final MachineDriver<TreeMachineCommand, TreeState> old = new MachineDriver<>(four, TreeMachineCommand.class);
        old.apply(new TreeOp.Create("/a", "0", CreateMode.PERSISTENT, 0));

        assertThat(old.apply(numbered).reply()).isInstanceOf(TreeReply.BadArguments.class);
        assertThat(old.state().sequences()).isEqualTo(ClientSequences.NONE);
        assertThat(old.state().watches().watches()).isEmpty();
    }

    /**
     * A node, the client's watch on it, and the re-registration of that watch a new leader's resync makes it send.
     */
    private TreeCommand.Reregister watchThenReregister()
    {
        tree.apply(new TreeOp.Create("/a", "0", CreateMode.PERSISTENT, 0));
        final long setAt = ((TreeReply.NodeData)tree.apply(new TreeCommand.GetData("/a", WATCHER)).reply()).zxid();
        return new TreeCommand.Reregister(WATCHER, List.of(new TreeCommand.HeldWatch("/a", WatchMode.DATA, setAt)));
    }

    /** The watch fires, and the client reads again, setting it anew. */
    private void fireAndSetAgain()
    {
        assertThat(eventsTo(tree.apply(new TreeOp.SetData("/a", "1", TreeOp.ANY_VERSION)))).hasSize(1);
        tree.apply(new TreeCommand.GetData("/a", WATCHER));
    }

    private static List<TreeWatchMessage.Event> eventsTo(final ApplyResult<TreeState> result)
    {
        return result.effects().stream().filter(effect -> effect instanceof Effect.SendMsg send &&
            send.to().equals(WATCHER)).map(effect -> (TreeWatchMessage.Event)((Effect.SendMsg)effect).message())
            .toList();
    }

    private static TreeMachine machine()
    {
        return new TreeMachine("lessor", ReleaseCursorPolicy.every(64));
    }

    private static CommandNumber number(final long number, final long firstUnanswered)
    {
        return new CommandNumber(CLIENT, number, firstUnanswered);
    }
}

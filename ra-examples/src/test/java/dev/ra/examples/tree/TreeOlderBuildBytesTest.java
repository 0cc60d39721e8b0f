package dev.ra.examples.tree;

import dev.ra.BuiltinCommand;
import dev.ra.DownReason;
import dev.ra.ProcessRef;
import dev.ra.RaftRole;
import dev.ra.StateMachine;
import dev.ra.examples.lease.SessionCommand;
import dev.ra.examples.lease.SessionReply;
import dev.ra.examples.support.CommandNumber;
import dev.ra.examples.support.GoldenFiles;
import dev.ra.examples.support.GoldenTranscript;
import dev.ra.examples.support.ReleaseCursorPolicy;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Versions 2, 3 and 4 of the tree machine against the bytes and replies of the builds that ran them last (captured
 * from those builds, in the resources named below): a member of this build replaying a log of any of them must
 * write the snapshots and give the replies and effects that build did, sessions, ephemeral and sequential nodes,
 * watches and their expiry, version 3's child checks and version 4's numbered writes and plain re-registrations
 * included.
 */
class TreeOlderBuildBytesTest
{
    /** The machine version the resource was captured at: the newest of the build before version 3. */
    static final int OLDER_VERSION = 2;
    /** The version the second resource was captured at: the newest of the build before version 4. */
    static final int VERSION_THREE = 3;
    /** The version the third resource was captured at: the newest of the build before version 5. */
    static final int VERSION_FOUR = 4;
    private static final ProcessRef OWNER = new ProcessRef("n1", 1);
    private static final ProcessRef W1 = new ProcessRef("n2", 1);
    private static final ProcessRef W2 = new ProcessRef("n3", 1);

    static List<String> transcript(final StateMachine<TreeMachineCommand, TreeState> machine)
    {
        final GoldenTranscript<TreeMachineCommand, TreeState> tree =
            new GoldenTranscript<>(machine, TreeMachineCommand.class);
        playVersionTwo(tree);
        return tree.lines();
    }

    /**
     * Version 2's scenario, then the child checks version 3 added: alone, fencing a create in a multi, failing, and
     * on a missing node.
     */
    static List<String> transcriptOfVersionThree(final StateMachine<TreeMachineCommand, TreeState> machine)
    {
        final GoldenTranscript<TreeMachineCommand, TreeState> tree =
            new GoldenTranscript<>(machine, TreeMachineCommand.class);
        playVersionTwo(tree);
        tree.apply(new TreeOp.Create("/f", "", CreateMode.PERSISTENT, 0));
        tree.apply(new TreeOp.CheckChildren("/f", 0));
        tree.apply(new TreeCommand.Multi(List.of(new TreeOp.CheckChildren("/f", 0),
            new TreeOp.Create("/f/one", "1", CreateMode.PERSISTENT, 0))));
        tree.apply(new TreeCommand.Multi(List.of(new TreeOp.CheckChildren("/f", 0),
            new TreeOp.Create("/f/two", "2", CreateMode.PERSISTENT, 0))));
        tree.apply(new TreeOp.CheckChildren("/f", 1));
        tree.apply(new TreeOp.CheckChildren("/missing", 0));
        tree.apply(new TreeOp.Create("/f/s-", "", CreateMode.PERSISTENT_SEQUENTIAL, 0));
        tree.apply(new TreeOp.SetData("/f/one", "one", TreeOp.ANY_VERSION));
        tree.apply(new TreeOp.Delete("/f/one", 0));
        tree.apply(new TreeOp.Delete("/f/one", 1));
        tree.snapshot();
        return tree.lines();
    }

    /**
     * Version 3's scenario, then version 4's numbered writes (new, retried, late) and a re-registration landing
     * after the watch it names fired and was set again.
     */
    static List<String> transcriptOfVersionFour(final StateMachine<TreeMachineCommand, TreeState> machine)
    {
        final GoldenTranscript<TreeMachineCommand, TreeState> tree =
            new GoldenTranscript<>(machine, TreeMachineCommand.class);
        playVersionTwo(tree);
        final NumberedWrite create = new NumberedWrite(new TreeOp.Create("/g", "0", CreateMode.PERSISTENT, 0), W2,
            number(1, 1));
        tree.apply(create);
        tree.apply(create);
        tree.apply(new NumberedWrite(new TreeOp.Create("/g/s-", "", CreateMode.PERSISTENT_SEQUENTIAL, 0), W2,
            number(2, 2)));
        final NumberedWrite set = new NumberedWrite(new TreeOp.SetData("/g", "1", TreeOp.ANY_VERSION), W2,
            number(3, 3));
        tree.apply(set);
        tree.apply(new NumberedWrite(new TreeCommand.Multi(List.of(new TreeOp.Check("/g", 1),
            new TreeOp.SetData("/g", "2", 1))), W2, number(4, 4)));
        tree.apply(set);
        tree.snapshot();
        final TreeReply.NodeData read = (TreeReply.NodeData)tree.apply(new TreeCommand.GetData("/g", W2)).reply();
        final TreeCommand.Reregister reregister = new TreeCommand.Reregister(W2,
            List.of(new TreeCommand.HeldWatch("/g", WatchMode.DATA, read.zxid())));
        tree.apply(reregister);
        tree.apply(new NumberedWrite(new TreeOp.SetData("/g", "3", TreeOp.ANY_VERSION), W2, number(5, 5)));
        tree.apply(new TreeCommand.GetData("/g", W2));
        tree.apply(reregister);
        tree.apply(new TreeOp.SetData("/g", "4", TreeOp.ANY_VERSION));
        tree.snapshot();
        return tree.lines();
    }

    private static CommandNumber number(final long number, final long firstUnanswered)
    {
        return new CommandNumber("client-a", number, firstUnanswered);
    }

    private static void playVersionTwo(final GoldenTranscript<TreeMachineCommand, TreeState> tree)
    {
        tree.enter(RaftRole.LEADER);
        tree.apply(new TreeCommand.Configure(20_000));
        final long session = ((SessionReply.Granted)tree.apply(new SessionCommand.Grant(60_000, OWNER)).reply())
            .sessionId();
        tree.apply(new TreeOp.Create("/a", "x", CreateMode.PERSISTENT, 0));
        tree.apply(new TreeOp.Create("/a/e", "y", CreateMode.EPHEMERAL, session));
        tree.apply(new TreeOp.Create("/a/s-", "", CreateMode.PERSISTENT_SEQUENTIAL, 0));
        tree.apply(new TreeOp.Create("/a/s-", "", CreateMode.EPHEMERAL_SEQUENTIAL, session));
        tree.apply(new TreeOp.Create("/a", "again", CreateMode.PERSISTENT, 0));
        tree.apply(new TreeCommand.GetData("/a", W1));
        tree.apply(new TreeCommand.Exists("/b", W1));
        tree.apply(new TreeCommand.GetChildren("/a", W2));
        tree.apply(new TreeCommand.AddWatch("/a", W2, true));
        tree.apply(new TreeOp.SetData("/a", "z", 0));
        tree.apply(new TreeOp.SetData("/a", "w", 0));
        tree.apply(new TreeCommand.Multi(List.of(new TreeOp.Check("/a", 1),
            new TreeOp.Create("/b", "b", CreateMode.PERSISTENT, 0), new TreeOp.Create("/b/c", "", CreateMode.PERSISTENT,
                0))));
        tree.apply(new TreeCommand.Multi(List.of(new TreeOp.Check("/a", 7),
            new TreeOp.Create("/d", "", CreateMode.PERSISTENT, 0))));
        tree.apply(new TreeOp.DeleteCreated("/b/c", TreeOp.ANY_VERSION, 1));
        tree.apply(new TreeCommand.Exists("/b/c", W1));
        tree.builtin(new BuiltinCommand.Down(W1, DownReason.NOCONNECTION));
        tree.builtin(new BuiltinCommand.Down(OWNER, DownReason.NOCONNECTION));
        tree.apply(new TreeOp.Delete("/b/c", TreeOp.ANY_VERSION));
        tree.snapshot();
        tree.enter(RaftRole.LEADER);
        tree.advance(5_000);
        tree.builtin(new BuiltinCommand.NodeUp(W1.node()));
        tree.apply(new TreeCommand.Reregister(W1, List.of(new TreeCommand.HeldWatch("/a", WatchMode.DATA, 2),
            new TreeCommand.HeldWatch("/b/c", WatchMode.EXIST, 3))));
        tree.builtin(new BuiltinCommand.Down(W2, DownReason.NOCONNECTION));
        tree.advance(25_000);
        tree.builtin(new BuiltinCommand.Timeout(TreeWatches.EXPIRY_TIMER));
        tree.apply(new TreeCommand.RemoveWatches("/a", W1, WatchMode.DATA));
        tree.apply(new TreeCommand.GetData("/a/e", W1));
        tree.apply(new SessionCommand.Revoke(session));
        tree.apply(new TreeOp.Delete("/a", TreeOp.ANY_VERSION));
        tree.apply(new TreeCommand.Configure(45_000));
        tree.builtin(new BuiltinCommand.Down(W1, DownReason.ERROR));
        tree.snapshot();
    }

    @Test
    void shouldWriteTheSnapshotsAndGiveTheRepliesOfTheOlderBuild()
    {
        final StateMachine<TreeMachineCommand, TreeState> machine = older();
        GoldenFiles.check("/dev/ra/examples/tree/tree-v2.golden", transcript(machine), machine);
    }

    @Test
    void shouldWriteTheSnapshotsAndGiveTheRepliesOfVersionThree()
    {
        final StateMachine<TreeMachineCommand, TreeState> machine = versionThree();
        GoldenFiles.check("/dev/ra/examples/tree/tree-v3.golden", transcriptOfVersionThree(machine), machine);
    }

    @Test
    void shouldWriteTheSnapshotsAndGiveTheRepliesOfVersionFour()
    {
        final StateMachine<TreeMachineCommand, TreeState> machine = versionFour();
        GoldenFiles.check("/dev/ra/examples/tree/tree-v4.golden", transcriptOfVersionFour(machine), machine);
    }

    static StateMachine<TreeMachineCommand, TreeState> versionFour()
    {
        return new TreeMachine("lessor", Duration.ofSeconds(15), ReleaseCursorPolicy.every(7))
            .machineFor(VERSION_FOUR);
    }

    static StateMachine<TreeMachineCommand, TreeState> versionThree()
    {
        return new TreeMachine("lessor", Duration.ofSeconds(15), ReleaseCursorPolicy.every(7))
            .machineFor(VERSION_THREE);
    }

    static StateMachine<TreeMachineCommand, TreeState> older()
    {
        return new TreeMachine("lessor", Duration.ofSeconds(15), ReleaseCursorPolicy.every(7))
            .machineFor(OLDER_VERSION);
    }
}

package dev.ra.examples.group;

import dev.ra.BuiltinCommand;
import dev.ra.DownReason;
import dev.ra.ProcessRef;
import dev.ra.RaftRole;
import dev.ra.StateMachine;
import dev.ra.examples.support.GoldenFiles;
import dev.ra.examples.support.GoldenTranscript;
import dev.ra.examples.support.ReleaseCursorPolicy;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Version 0 of the group machine against the bytes and replies of the build that ran it last (captured from that
 * build, in the resource named below): a member of this build replaying a version 0 log must write the snapshots and
 * give the replies that build did.
 */
class GroupOlderBuildBytesTest
{
    /** The machine version the resource was captured at: the newest of the build before version 1. */
    static final int OLDER_VERSION = 0;
    private static final ProcessRef A = new ProcessRef("n1", 1);
    private static final ProcessRef B = new ProcessRef("n2", 1);
    private static final ProcessRef C = new ProcessRef("n3", 1);
    private static final ProcessRef D = new ProcessRef("n4", 1);

    static List<String> transcript(final StateMachine<GroupCommand, GroupState> machine)
    {
        final GoldenTranscript<GroupCommand, GroupState> group = new GoldenTranscript<>(machine, GroupCommand.class);
        group.apply(new GroupCommand.Join("g1", A));
        group.apply(new GroupCommand.Join("g1", B));
        group.apply(new GroupCommand.Join("g2", A));
        group.apply(new GroupCommand.Join("g1", A));
        group.apply(new GroupCommand.Join("g2", C));
        group.apply(new GroupCommand.Join("g3", B));
        group.builtin(new BuiltinCommand.Down(B, DownReason.NOCONNECTION));
        group.builtin(new BuiltinCommand.NodeUp(B.node()));
        group.builtin(new BuiltinCommand.Down(C, DownReason.NORMAL));
        group.apply(new GroupCommand.Leave("g1", D));
        group.apply(new GroupCommand.Leave("g3", B));
        group.snapshot();
        group.enter(RaftRole.LEADER);
        group.apply(new GroupCommand.Join("g3", D));
        group.builtin(new BuiltinCommand.Down(A, DownReason.NOPROC));
        group.apply(new GroupCommand.Leave("g1", A));
        group.apply(new GroupCommand.Leave("g1", B));
        group.builtin(new BuiltinCommand.NodeDown(D.node()));
        group.snapshot();
        return group.lines();
    }

    @Test
    void shouldWriteTheSnapshotsAndGiveTheRepliesOfTheOlderBuild()
    {
        final StateMachine<GroupCommand, GroupState> machine = older();
        GoldenFiles.check("/dev/ra/examples/group/group-v0.golden", transcript(machine), machine);
    }

    static StateMachine<GroupCommand, GroupState> older()
    {
        return new GroupMachine(ReleaseCursorPolicy.every(4)).machineFor(OLDER_VERSION);
    }
}

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
 * Versions 0 and 1 of the group machine against the bytes and replies of the builds that ran them last (captured from
 * those builds, in the resources named below): a member of this build replaying an older version's log must write
 * the snapshots and give the replies that build did.
 */
class GroupOlderBuildBytesTest
{
    /** The machine version the resource was captured at: the newest of the build before version 1. */
    static final int OLDER_VERSION = 0;
    private static final ProcessRef A = new ProcessRef("n1", 1);
    private static final ProcessRef B = new ProcessRef("n2", 1);
    private static final ProcessRef C = new ProcessRef("n3", 1);
    private static final ProcessRef D = new ProcessRef("n4", 1);

    /** The version the second resource was captured at: the newest of the build before version 2. */
    static final int VERSION_ONE = 1;

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

    /**
     * Joins and leaves carrying a request id, which version 1 added: retries of each, other calls', and a retry after
     * the member ended, mixed with the plain commands.
     */
    static List<String> transcriptOfVersionOne(final StateMachine<GroupCommand, GroupState> machine)
    {
        final GoldenTranscript<GroupCommand, GroupState> group = new GoldenTranscript<>(machine, GroupCommand.class);
        group.apply(new GroupCommand.JoinOnce("g1", A, "j1"));
        group.apply(new GroupCommand.JoinOnce("g1", A, "j1"));
        group.apply(new GroupCommand.JoinOnce("g1", A, "j2"));
        group.apply(new GroupCommand.Join("g1", B));
        group.apply(new GroupCommand.JoinOnce("g2", C, "j3"));
        group.snapshot();
        group.apply(new GroupCommand.LeaveOnce("g1", A, "l1"));
        group.apply(new GroupCommand.LeaveOnce("g1", A, "l1"));
        group.apply(new GroupCommand.LeaveOnce("g1", A, "l2"));
        group.builtin(new BuiltinCommand.Down(C, DownReason.NOCONNECTION));
        group.builtin(new BuiltinCommand.Down(B, DownReason.NORMAL));
        group.apply(new GroupCommand.JoinOnce("g1", B, "j4"));
        group.apply(new GroupCommand.Leave("g2", C));
        group.snapshot();
        group.enter(RaftRole.LEADER);
        group.apply(new GroupCommand.JoinOnce("g3", D, "j5"));
        group.apply(new GroupCommand.LeaveOnce("g3", D, "l3"));
        group.apply(new GroupCommand.JoinOnce("g3", D, "j5"));
        group.snapshot();
        return group.lines();
    }

    @Test
    void shouldWriteTheSnapshotsAndGiveTheRepliesOfVersionOne()
    {
        final StateMachine<GroupCommand, GroupState> machine = new GroupMachine(ReleaseCursorPolicy.every(4))
            .machineFor(VERSION_ONE);
        GoldenFiles.check("/dev/ra/examples/group/group-v1.golden", transcriptOfVersionOne(machine), machine);
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

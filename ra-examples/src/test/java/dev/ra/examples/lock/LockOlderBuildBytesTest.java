package dev.ra.examples.lock;

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
 * Version 0 of the lock machine against the bytes and replies of the build that ran it last (captured from that
 * build, in the resource named below): a member of this build replaying a version 0 log must write the snapshots and
 * give the replies that build did.
 */
class LockOlderBuildBytesTest
{
    /** The machine version the resource was captured at: the newest of the build before version 1. */
    static final int OLDER_VERSION = 0;
    private static final ProcessRef A = new ProcessRef("n1", 1);
    private static final ProcessRef B = new ProcessRef("n2", 1);
    private static final ProcessRef C = new ProcessRef("n3", 1);
    private static final ProcessRef D = new ProcessRef("n4", 1);

    static List<String> transcript(final StateMachine<LockCommand, LockState> machine)
    {
        final GoldenTranscript<LockCommand, LockState> lock = new GoldenTranscript<>(machine, LockCommand.class);
        lock.apply(new LockCommand.Acquire("k1", A));
        lock.apply(new LockCommand.Acquire("k1", B));
        lock.apply(new LockCommand.Acquire("k1", C));
        lock.apply(new LockCommand.Acquire("k1", B));
        lock.apply(new LockCommand.Acquire("k1", A));
        lock.apply(new LockCommand.Acquire("k2", B));
        lock.apply(new LockCommand.Acquire("k2", D));
        lock.apply(new LockCommand.Acquire("k3", D));
        lock.apply(new LockCommand.Release("k1", B));
        lock.apply(new LockCommand.Cancel("k2", A));
        lock.snapshot();
        lock.apply(new LockCommand.Release("k1", A));
        lock.apply(new LockCommand.Cancel("k1", C));
        lock.builtin(new BuiltinCommand.Down(B, DownReason.NOCONNECTION));
        lock.apply(new LockCommand.Acquire("k1", C));
        lock.apply(new LockCommand.Acquire("k3", A));
        lock.snapshot();
        lock.enter(RaftRole.LEADER);
        lock.apply(new LockCommand.Release("k3", D));
        lock.apply(new LockCommand.Release("k3", D));
        lock.builtin(new BuiltinCommand.Down(A, DownReason.ERROR));
        lock.apply(new LockCommand.Acquire("k1", D));
        lock.builtin(new BuiltinCommand.NodeUp(B.node()));
        lock.snapshot();
        return lock.lines();
    }

    @Test
    void shouldWriteTheSnapshotsAndGiveTheRepliesOfTheOlderBuild()
    {
        final StateMachine<LockCommand, LockState> machine = older();
        GoldenFiles.check("/dev/ra/examples/lock/lock-v0.golden", transcript(machine), machine);
    }

    static StateMachine<LockCommand, LockState> older()
    {
        return new LockMachine(ReleaseCursorPolicy.every(5)).machineFor(OLDER_VERSION);
    }
}

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
 * Versions 0 and 1 of the lock machine against the bytes and replies of the builds that ran them last (captured from
 * those builds, in the resources named below): a member of this build replaying an older version's log must write
 * the snapshots and give the replies that build did.
 */
class LockOlderBuildBytesTest
{
    /** The machine version the resource was captured at: the newest of the build before version 1. */
    static final int OLDER_VERSION = 0;
    private static final ProcessRef A = new ProcessRef("n1", 1);
    private static final ProcessRef B = new ProcessRef("n2", 1);
    private static final ProcessRef C = new ProcessRef("n3", 1);
    private static final ProcessRef D = new ProcessRef("n4", 1);

    /** The version the second resource was captured at: the newest of the build before version 2. */
    static final int VERSION_ONE = 1;

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

    /**
     * Version 0's scenario, then the releases carrying a request id that version 1 added: a retry of one, another
     * call's, and one whose owner does not hold the lock.
     */
    static List<String> transcriptOfVersionOne(final StateMachine<LockCommand, LockState> machine)
    {
        final GoldenTranscript<LockCommand, LockState> lock = new GoldenTranscript<>(machine, LockCommand.class);
        lock.apply(new LockCommand.Acquire("k1", A));
        lock.apply(new LockCommand.Acquire("k1", B));
        lock.apply(new LockCommand.Acquire("k1", C));
        lock.apply(new LockCommand.ReleaseOnce("k1", A, "r1"));
        lock.apply(new LockCommand.ReleaseOnce("k1", A, "r1"));
        lock.apply(new LockCommand.ReleaseOnce("k1", A, "r2"));
        lock.snapshot();
        lock.apply(new LockCommand.Cancel("k1", C));
        lock.apply(new LockCommand.Cancel("k1", C));
        lock.apply(new LockCommand.ReleaseOnce("k1", B, "r3"));
        lock.apply(new LockCommand.Acquire("k2", D));
        lock.apply(new LockCommand.Acquire("k2", A));
        lock.builtin(new BuiltinCommand.Down(D, DownReason.NOPROC));
        lock.apply(new LockCommand.ReleaseOnce("k2", D, "r4"));
        lock.apply(new LockCommand.Release("k2", A));
        lock.apply(new LockCommand.ReleaseOnce("k1", B, "r3"));
        lock.snapshot();
        lock.enter(RaftRole.LEADER);
        lock.apply(new LockCommand.Acquire("k3", B));
        lock.builtin(new BuiltinCommand.Down(B, DownReason.NOCONNECTION));
        lock.snapshot();
        return lock.lines();
    }

    @Test
    void shouldWriteTheSnapshotsAndGiveTheRepliesOfVersionOne()
    {
        final StateMachine<LockCommand, LockState> machine = new LockMachine(ReleaseCursorPolicy.every(5))
            .machineFor(VERSION_ONE);
        GoldenFiles.check("/dev/ra/examples/lock/lock-v1.golden", transcriptOfVersionOne(machine), machine);
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

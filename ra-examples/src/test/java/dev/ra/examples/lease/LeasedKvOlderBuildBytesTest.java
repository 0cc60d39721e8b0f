package dev.ra.examples.lease;

import dev.ra.BuiltinCommand;
import dev.ra.DownReason;
import dev.ra.ProcessRef;
import dev.ra.RaftRole;
import dev.ra.StateMachine;
import dev.ra.examples.support.GoldenFiles;
import dev.ra.examples.support.GoldenTranscript;
import dev.ra.examples.support.ReleaseCursorPolicy;
import dev.ra.examples.watch.WatchCommand;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Version 3 of the leased KV machine against the bytes and replies of the build that ran it last (captured from that
 * build, in the resource named below): a member of a later build replaying a version 3 log must write the snapshots
 * and give the replies and effects that build did, sessions, keys bound to them, conditional puts, prefix deletes,
 * watches and the settings in force included.
 */
class LeasedKvOlderBuildBytesTest
{
    /** The machine version the resource was captured at: the newest of the build it was captured from. */
    static final int OLDER_VERSION = 3;
    private static final ProcessRef OWNER = new ProcessRef("n1", 1);
    private static final ProcessRef WATCHER = new ProcessRef("n2", 1);

    static List<String> transcript(final StateMachine<LeasedKvMachineCommand, LeasedKvState> machine)
    {
        final GoldenTranscript<LeasedKvMachineCommand, LeasedKvState> kv =
            new GoldenTranscript<>(machine, LeasedKvMachineCommand.class);
        kv.enter(RaftRole.LEADER);
        kv.apply(new LeasedKvCommand.Configure(new LeasedKvSettings(16, 20_000)));
        final long session = ((SessionReply.Granted)kv.apply(new SessionCommand.Grant(60_000, OWNER)).reply())
            .sessionId();
        kv.apply(new LeasedKvCommand.Put("a", "1", 0));
        kv.apply(new LeasedKvCommand.Put("svc/x", "x", session));
        kv.apply(new LeasedKvCommand.PutIf("svc/y", 0, "y", session));
        kv.apply(new LeasedKvCommand.PutIf("svc/y", 0, "again", session));
        kv.apply(new LeasedKvCommand.Put("b", "2", 424242));
        kv.apply(new WatchCommand.Register("w1", WATCHER, "svc/", 0));
        kv.apply(new LeasedKvCommand.Put("svc/z", "z", 0));
        kv.snapshot();
        kv.apply(new LeasedKvCommand.Delete("a", false));
        kv.apply(new LeasedKvCommand.Delete("absent", false));
        kv.builtin(new BuiltinCommand.Down(WATCHER, DownReason.NOCONNECTION));
        kv.apply(new LeasedKvCommand.Delete("svc/", true));
        kv.apply(new WatchCommand.CancelOwn("w1", WATCHER));
        kv.apply(new SessionCommand.Revoke(session));
        kv.builtin(new BuiltinCommand.Down(OWNER, DownReason.ERROR));
        kv.snapshot();
        return kv.lines();
    }

    @Test
    void shouldWriteTheSnapshotsAndGiveTheRepliesOfTheOlderBuild()
    {
        final StateMachine<LeasedKvMachineCommand, LeasedKvState> machine = older();
        GoldenFiles.check("/dev/ra/examples/lease/leasedkv-v3.golden", transcript(machine), machine);
    }

    static StateMachine<LeasedKvMachineCommand, LeasedKvState> older()
    {
        return new LeasedKvMachine("lessor", 8, Duration.ofSeconds(15), ReleaseCursorPolicy.every(6))
            .machineFor(OLDER_VERSION);
    }
}

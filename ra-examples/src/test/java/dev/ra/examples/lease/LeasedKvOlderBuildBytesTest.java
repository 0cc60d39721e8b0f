package dev.ra.examples.lease;

import dev.ra.BuiltinCommand;
import dev.ra.DownReason;
import dev.ra.ProcessRef;
import dev.ra.RaftRole;
import dev.ra.StateMachine;
import dev.ra.examples.support.CommandNumber;
import dev.ra.examples.support.GoldenFiles;
import dev.ra.examples.support.GoldenTranscript;
import dev.ra.examples.support.ReleaseCursorPolicy;
import dev.ra.examples.watch.WatchCommand;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Versions 3 and 4 of the leased KV machine against the bytes and replies of the builds that ran them last (captured
 * from those builds, in the resources named below): a member of a later build replaying a log of either version must
 * write the snapshots and give the replies and effects that build did, sessions, keys bound to them, conditional
 * puts, prefix deletes, watches and the settings in force included, and version 4's numbered writes and its watch
 * resumes (one whose start was compacted away ends the watch it resumes).
 */
class LeasedKvOlderBuildBytesTest
{
    /** The machine version the resource was captured at: the newest of the build it was captured from. */
    static final int OLDER_VERSION = 3;
    /** The version the second resource was captured at: the newest of the build before version 5. */
    static final int VERSION_FOUR = 4;
    private static final ProcessRef OWNER = new ProcessRef("n1", 1);
    private static final ProcessRef WATCHER = new ProcessRef("n2", 1);

    static List<String> transcript(final StateMachine<LeasedKvMachineCommand, LeasedKvState> machine)
    {
        final GoldenTranscript<LeasedKvMachineCommand, LeasedKvState> kv =
            new GoldenTranscript<>(machine, LeasedKvMachineCommand.class);
        playVersionThree(kv);
        return kv.lines();
    }

    /**
     * Version 3's scenario, then version 4's numbered writes (new, retried, late) and watch registrations: a resume
     * from a revision still in the history, a resume from one compacted away, and a register again.
     */
    static List<String> transcriptOfVersionFour(final StateMachine<LeasedKvMachineCommand, LeasedKvState> machine)
    {
        final GoldenTranscript<LeasedKvMachineCommand, LeasedKvState> kv =
            new GoldenTranscript<>(machine, LeasedKvMachineCommand.class);
        playVersionThree(kv);
        kv.apply(new LeasedKvCommand.Configure(new LeasedKvSettings(3, 20_000)));
        final long session = ((SessionReply.Granted)kv.apply(new LeasedKvCommand.Numbered(
            new SessionCommand.Grant(60_000, OWNER), number(1, 1))).reply()).sessionId();
        kv.apply(new LeasedKvCommand.Numbered(new LeasedKvCommand.Put("svc/a", "a", session), number(2, 2)));
        final LeasedKvCommand.PutIf putIf = new LeasedKvCommand.PutIf("lock", 0, "me", session);
        kv.apply(new LeasedKvCommand.Numbered(putIf, number(3, 3)));
        kv.apply(new LeasedKvCommand.Numbered(putIf, number(3, 3)));
        final LeasedKvCommand.Delete delete = new LeasedKvCommand.Delete("svc/a", false);
        kv.apply(new LeasedKvCommand.Numbered(delete, number(4, 4)));
        kv.apply(new WatchCommand.Register("w2", WATCHER, "svc/", 0));
        kv.apply(new LeasedKvCommand.Numbered(new LeasedKvCommand.Put("svc/a", "again", 0), number(5, 5)));
        kv.apply(new LeasedKvCommand.Numbered(delete, number(4, 4)));
        kv.apply(new LeasedKvCommand.Numbered(new SessionCommand.Revoke(session), number(6, 6)));
        kv.snapshot();
        kv.apply(new WatchCommand.Register("w2", WATCHER, "svc/", 1));
        kv.apply(new LeasedKvCommand.Put("svc/b", "b", 0));
        kv.apply(new LeasedKvCommand.Put("svc/c", "c", 0));
        kv.apply(new LeasedKvCommand.Put("svc/d", "d", 0));
        kv.apply(new WatchCommand.Register("w2", WATCHER, "svc/", 2));
        kv.apply(new LeasedKvCommand.Put("svc/e", "e", 0));
        kv.apply(new WatchCommand.Register("w2", WATCHER, "svc/", 0));
        kv.apply(new LeasedKvCommand.Put("svc/f", "f", 0));
        kv.apply(new WatchCommand.CancelOwn("w2", WATCHER));
        kv.snapshot();
        return kv.lines();
    }

    private static CommandNumber number(final long number, final long firstUnanswered)
    {
        return new CommandNumber("client-a", number, firstUnanswered);
    }

    private static void playVersionThree(final GoldenTranscript<LeasedKvMachineCommand, LeasedKvState> kv)
    {
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
    }

    @Test
    void shouldWriteTheSnapshotsAndGiveTheRepliesOfTheOlderBuild()
    {
        final StateMachine<LeasedKvMachineCommand, LeasedKvState> machine = older();
        GoldenFiles.check("/dev/ra/examples/lease/leasedkv-v3.golden", transcript(machine), machine);
    }

    @Test
    void shouldWriteTheSnapshotsAndGiveTheRepliesOfVersionFour()
    {
        final StateMachine<LeasedKvMachineCommand, LeasedKvState> machine = versionFour();
        GoldenFiles.check("/dev/ra/examples/lease/leasedkv-v4.golden", transcriptOfVersionFour(machine), machine);
    }

    static StateMachine<LeasedKvMachineCommand, LeasedKvState> versionFour()
    {
        return new LeasedKvMachine("lessor", 8, Duration.ofSeconds(15), ReleaseCursorPolicy.every(6))
            .machineFor(VERSION_FOUR);
    }

    static StateMachine<LeasedKvMachineCommand, LeasedKvState> older()
    {
        return new LeasedKvMachine("lessor", 8, Duration.ofSeconds(15), ReleaseCursorPolicy.every(6))
            .machineFor(OLDER_VERSION);
    }
}

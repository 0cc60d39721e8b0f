package dev.ra.examples.sessionlock;

import dev.ra.ApplyResult;
import dev.ra.BuiltinCommand;
import dev.ra.DownReason;
import dev.ra.Effect;
import dev.ra.ProcessRef;
import dev.ra.RaftRole;
import dev.ra.StateMachine;
import dev.ra.examples.support.GoldenFiles;
import dev.ra.examples.support.GoldenTranscript;
import dev.ra.examples.support.ReleaseCursorPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Versions 3 and 4 of the session lock against the bytes and replies of the builds that ran them last (captured from
 * those builds, in the resources named below): a member of this build replaying an older version's log must write
 * the snapshots and give the replies and effects that build did, grace period, disconnections, waiter deadlines and
 * remembered replies included.
 */
class SessionLockOlderBuildBytesTest
{
    /** The machine version the resource was captured at: the newest of the build before version 4. */
    static final int OLDER_VERSION = 3;
    private static final long GRACE_MS = 10_000;
    private static final ProcessRef A = new ProcessRef("n1", 1);
    private static final ProcessRef B = new ProcessRef("n2", 1);
    private static final ProcessRef C = new ProcessRef("n3", 1);
    private static final ProcessRef D = new ProcessRef("n4", 1);

    /** The version the second resource was captured at: the newest of the build before version 5. */
    static final int VERSION_FOUR = 4;

    static List<String> transcript(final StateMachine<SessionLockCommand, SessionLockState> machine)
    {
        return scenario(machine).lines();
    }

    /**
     * Version 3's scenario, then the releases carrying a request id that version 4 added: a retry of one, another
     * call's, one whose owner does not hold the lock, and cancels.
     */
    static List<String> transcriptOfVersionFour(final StateMachine<SessionLockCommand, SessionLockState> machine)
    {
        final GoldenTranscript<SessionLockCommand, SessionLockState> lock = scenario(machine);
        lock.apply(new SessionLockCommand.Acquire("k4", A));
        lock.apply(new SessionLockCommand.Acquire("k4", B));
        lock.apply(new SessionLockCommand.ReleaseOnce("k4", A, "r1"));
        lock.apply(new SessionLockCommand.ReleaseOnce("k4", A, "r1"));
        lock.apply(new SessionLockCommand.ReleaseOnce("k4", A, "r2"));
        lock.snapshot();
        lock.apply(new SessionLockCommand.Acquire("k4", C));
        lock.apply(new SessionLockCommand.Cancel("k4", C));
        lock.apply(new SessionLockCommand.Cancel("k4", C));
        lock.builtin(new BuiltinCommand.Down(B, DownReason.NORMAL));
        lock.apply(new SessionLockCommand.ReleaseOnce("k4", B, "r3"));
        lock.apply(new SessionLockCommand.ReleaseOnce("k4", A, "r1"));
        lock.snapshot();
        return lock.lines();
    }

    private static GoldenTranscript<SessionLockCommand, SessionLockState> scenario(
        final StateMachine<SessionLockCommand, SessionLockState> machine)
    {
        final GoldenTranscript<SessionLockCommand, SessionLockState> lock =
            new GoldenTranscript<>(machine, SessionLockCommand.class);
        lock.enter(RaftRole.LEADER);
        lock.apply(new SessionLockCommand.Configure(GRACE_MS));
        lock.apply(new SessionLockCommand.Acquire("k1", A));
        lock.apply(new SessionLockCommand.Acquire("k1", B));
        lock.apply(new SessionLockCommand.Acquire("k1", C));
        lock.apply(new SessionLockCommand.Acquire("k1", B));
        lock.apply(new SessionLockCommand.Acquire("k2", B));
        lock.apply(new SessionLockCommand.Acquire("k2", D));
        lock.apply(new SessionLockCommand.Acquire("k3", C));
        final List<String> holderTimers = timers(lock.builtin(new BuiltinCommand.Down(A, DownReason.NOCONNECTION)));
        final List<String> waiterTimers = timers(lock.builtin(new BuiltinCommand.Down(D, DownReason.NOCONNECTION)));
        lock.advance(4_000);
        lock.apply(new SessionLockCommand.Release("k1", B));
        lock.apply(new SessionLockCommand.Cancel("k1", C));
        lock.snapshot();
        lock.enter(RaftRole.LEADER);
        lock.apply(new SessionLockCommand.RearmTimers());
        lock.advance(GRACE_MS);
        for (final String timer : holderTimers)
        {
            lock.builtin(new BuiltinCommand.Timeout(timer));
        }
        for (final String timer : waiterTimers)
        {
            lock.builtin(new BuiltinCommand.Timeout(timer));
        }
        lock.apply(new SessionLockCommand.Acquire("k1", A));
        lock.builtin(new BuiltinCommand.NodeUp(A.node()));
        lock.builtin(new BuiltinCommand.Down(C, DownReason.ERROR));
        lock.apply(new SessionLockCommand.Acquire("k3", D));
        lock.apply(new SessionLockCommand.Configure(2_000));
        lock.apply(new SessionLockCommand.Release("k2", B));
        lock.snapshot();
        return lock;
    }

    private static List<String> timers(final ApplyResult<SessionLockState> result)
    {
        final List<String> names = new ArrayList<>();
        for (final Effect effect : result.effects())
        {
            if (effect instanceof Effect.Timer timer)
            {
                names.add(timer.name());
            }
        }
        return names;
    }

    @Test
    void shouldWriteTheSnapshotsAndGiveTheRepliesOfTheOlderBuild()
    {
        final StateMachine<SessionLockCommand, SessionLockState> machine = older();
        GoldenFiles.check("/dev/ra/examples/sessionlock/sessionlock-v3.golden", transcript(machine), machine);
    }

    @Test
    void shouldWriteTheSnapshotsAndGiveTheRepliesOfVersionFour()
    {
        final StateMachine<SessionLockCommand, SessionLockState> machine = new SessionLockMachine(
            Duration.ofSeconds(7), ReleaseCursorPolicy.every(6)).machineFor(VERSION_FOUR);
        GoldenFiles.check("/dev/ra/examples/sessionlock/sessionlock-v4.golden", transcriptOfVersionFour(machine),
            machine);
    }

    static StateMachine<SessionLockCommand, SessionLockState> older()
    {
        return new SessionLockMachine(Duration.ofSeconds(7), ReleaseCursorPolicy.every(6)).machineFor(OLDER_VERSION);
    }
}

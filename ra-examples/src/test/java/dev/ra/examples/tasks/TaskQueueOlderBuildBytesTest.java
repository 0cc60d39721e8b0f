package dev.ra.examples.tasks;

import dev.ra.BuiltinCommand;
import dev.ra.DownReason;
import dev.ra.ProcessRef;
import dev.ra.RaftRole;
import dev.ra.StateMachine;
import dev.ra.examples.support.GoldenFiles;
import dev.ra.examples.support.GoldenTranscript;
import dev.ra.examples.support.ReleaseCursorPolicy;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Versions 2 and 3 of the task queue against the bytes and replies of the builds that ran them last (captured from
 * those builds, in the resources named below): a member of this build replaying an older version's log must write
 * the snapshots and give the replies and effects that build did, settings, visibility timer, dead letters and
 * remembered replies included.
 */
class TaskQueueOlderBuildBytesTest
{
    /** The machine version the resource was captured at: the newest of the build before version 3. */
    static final int OLDER_VERSION = 2;
    private static final long TIMEOUT_MS = 30_000;
    private static final ProcessRef ENQUEUER = new ProcessRef("n1", 1);
    private static final ProcessRef W1 = new ProcessRef("n2", 1);
    private static final ProcessRef W2 = new ProcessRef("n3", 1);
    private static final ProcessRef W3 = new ProcessRef("n4", 1);

    /** The version the second resource was captured at: the newest of the build before version 4. */
    static final int VERSION_THREE = 3;

    static List<String> transcript(final StateMachine<TaskCommand, TaskQueueState> machine)
    {
        final GoldenTranscript<TaskCommand, TaskQueueState> tasks =
            new GoldenTranscript<>(machine, TaskCommand.class);
        tasks.enter(RaftRole.LEADER);
        tasks.apply(new TaskCommand.Configure(new QueueSettings(2, TIMEOUT_MS)));
        for (int i = 1; i <= 5; i++)
        {
            tasks.apply(new TaskCommand.Enqueue(ENQUEUER, "t" + i));
        }
        tasks.apply(new TaskCommand.Grab(W1));
        tasks.apply(new TaskCommand.Grab(W2));
        tasks.apply(new TaskCommand.Grab(W2));
        tasks.apply(new TaskCommand.Complete(W1, 1));
        tasks.apply(new TaskCommand.Complete(W1, 1));
        tasks.apply(new TaskCommand.Complete(W3, 2));
        tasks.apply(new TaskCommand.Grab(W1));
        tasks.builtin(new BuiltinCommand.Down(W2, DownReason.ERROR));
        tasks.advance(10_000);
        tasks.apply(new TaskCommand.Grab(W3));
        tasks.advance(TIMEOUT_MS);
        tasks.builtin(new BuiltinCommand.Timeout(TaskQueueMachine.VISIBILITY_TIMER));
        tasks.apply(new TaskCommand.Grab(W1));
        tasks.apply(new TaskCommand.Grab(W2));
        tasks.builtin(new BuiltinCommand.Down(W1, DownReason.NOCONNECTION));
        tasks.snapshot();
        tasks.enter(RaftRole.LEADER);
        tasks.advance(TIMEOUT_MS);
        tasks.builtin(new BuiltinCommand.Timeout(TaskQueueMachine.VISIBILITY_TIMER));
        tasks.apply(new TaskCommand.Grab(W3));
        tasks.apply(new TaskCommand.RequeueDeadLetters(List.of(2L, 99L)));
        tasks.apply(new TaskCommand.PurgeDeadLetters(List.of(3L, 2L)));
        tasks.apply(new TaskCommand.Configure(new QueueSettings(5, 1_000)));
        tasks.apply(new TaskCommand.Complete(W3, 4));
        tasks.snapshot();
        return tasks.lines();
    }

    /**
     * The completions carrying a request id that version 3 added: retries of one, another call's, one of a task the
     * worker lost to its visibility timeout, mixed with grabs and plain completions.
     */
    static List<String> transcriptOfVersionThree(final StateMachine<TaskCommand, TaskQueueState> machine)
    {
        final GoldenTranscript<TaskCommand, TaskQueueState> tasks =
            new GoldenTranscript<>(machine, TaskCommand.class);
        tasks.enter(RaftRole.LEADER);
        tasks.apply(new TaskCommand.Configure(new QueueSettings(2, TIMEOUT_MS)));
        for (int i = 1; i <= 4; i++)
        {
            tasks.apply(new TaskCommand.Enqueue(ENQUEUER, "t" + i));
        }
        tasks.apply(new TaskCommand.Grab(W1));
        tasks.apply(new TaskCommand.Grab(W2));
        tasks.apply(new TaskCommand.CompleteOnce(W1, 1, "c1"));
        tasks.apply(new TaskCommand.CompleteOnce(W1, 1, "c1"));
        tasks.apply(new TaskCommand.CompleteOnce(W1, 1, "c2"));
        tasks.snapshot();
        tasks.apply(new TaskCommand.Grab(W1));
        tasks.advance(TIMEOUT_MS);
        tasks.builtin(new BuiltinCommand.Timeout(TaskQueueMachine.VISIBILITY_TIMER));
        tasks.apply(new TaskCommand.CompleteOnce(W2, 2, "c3"));
        tasks.apply(new TaskCommand.Grab(W3));
        tasks.builtin(new BuiltinCommand.Down(W3, DownReason.NORMAL));
        tasks.apply(new TaskCommand.Grab(W2));
        tasks.apply(new TaskCommand.Complete(W2, 2));
        tasks.apply(new TaskCommand.CompleteOnce(W2, 2, "c4"));
        tasks.apply(new TaskCommand.CompleteOnce(W1, 1, "c1"));
        tasks.snapshot();
        return tasks.lines();
    }

    @Test
    void shouldWriteTheSnapshotsAndGiveTheRepliesOfVersionThree()
    {
        final StateMachine<TaskCommand, TaskQueueState> machine = new TaskQueueMachine(ReleaseCursorPolicy.every(6),
            3, Duration.ofMillis(TIMEOUT_MS)).machineFor(VERSION_THREE);
        GoldenFiles.check("/dev/ra/examples/tasks/taskqueue-v3.golden", transcriptOfVersionThree(machine),
            machine);
    }

    @Test
    void shouldWriteTheSnapshotsAndGiveTheRepliesOfTheOlderBuild()
    {
        final StateMachine<TaskCommand, TaskQueueState> machine = older();
        GoldenFiles.check("/dev/ra/examples/tasks/taskqueue-v2.golden", transcript(machine), machine);
    }

    static StateMachine<TaskCommand, TaskQueueState> older()
    {
        return new TaskQueueMachine(ReleaseCursorPolicy.every(6), 3, Duration.ofMillis(TIMEOUT_MS))
            .machineFor(OLDER_VERSION);
    }
}

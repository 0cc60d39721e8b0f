package dev.ra.bench;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * An executor that runs each task on a new daemon thread, for the figures' tasks that block (a node restarting while
 * the others do, a read of a child's output that may never end). {@link CompletableFuture}'s default executor cannot
 * be used for those: from JDK 25 on a machine with one or two processors it is the common pool with a single worker,
 * so the restarts of a recovery figure would run one after the other, and a read that never returns would hold up
 * every later one.
 */
final class ThreadPerTask
{
    /** Each task on a thread of its own. */
    static final Executor EXECUTOR = task ->
    {
        final Thread thread = new Thread(task, "bench-task");
        thread.setDaemon(true);
        thread.start();
    };

    private ThreadPerTask()
    {
    }
}

package dev.ra.testkit;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An executor that runs each task on a new daemon thread, for tests whose asynchronous tasks block until another task
 * or the test thread lets them go (callers queued behind a sync, parties of a barrier, a node starting while others
 * do). {@link CompletableFuture}'s default executor cannot be used for those: from JDK 25 on a machine with one or two
 * processors it is the common pool with a single worker, so such tasks run one after the other and wait for each
 * other until they time out (JDK 17 gave each task a thread of its own there).
 */
public final class ThreadPerTask
{
    /** Each task on a thread of its own. */
    public static final Executor EXECUTOR = ThreadPerTask::start;

    private static final AtomicInteger THREADS = new AtomicInteger();

    private ThreadPerTask()
    {
    }

    private static void start(final Runnable task)
    {
        final Thread thread = new Thread(task, "test-task-" + THREADS.incrementAndGet());
        thread.setDaemon(true);
        thread.start();
    }
}

package dev.ra.examples.tasks;

import java.util.Objects;

/**
 * The replies of {@link TaskCommand.Enqueue} and {@link TaskCommand.Grab}.
 */
public sealed interface TaskReply
{
    /**
     * The task is queued.
     *
     * @param taskId assigned to it.
     */
    record Enqueued(long taskId) implements TaskReply
    {
    }

    /**
     * The worker now has this task.
     *
     * @param task to do.
     */
    record Granted(Task task) implements TaskReply
    {
        /** Checks that {@code task} is not null. */
        public Granted
        {
            Objects.requireNonNull(task, "task");
        }
    }

    /**
     * No task is ready (the queue does not block; poll again later).
     */
    record Empty() implements TaskReply
    {
    }
}

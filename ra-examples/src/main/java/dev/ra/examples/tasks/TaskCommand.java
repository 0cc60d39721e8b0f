package dev.ra.examples.tasks;

import dev.ra.ProcessRef;
import java.util.Objects;

/**
 * The commands of the {@link TaskQueueMachine}.
 */
public sealed interface TaskCommand
{
    /**
     * Add a task at the back of the queue. Replies {@link TaskReply.Enqueued}; {@code enqueuer} later receives
     * {@link TaskCompleted}.
     *
     * @param enqueuer to tell when the task completes.
     * @param detail   of the task.
     */
    record Enqueue(ProcessRef enqueuer, String detail) implements TaskCommand
    {
        /** Checks that {@code enqueuer} and {@code detail} are not null. */
        public Enqueue
        {
            Objects.requireNonNull(enqueuer, "enqueuer");
            Objects.requireNonNull(detail, "detail");
        }
    }

    /**
     * Take the task at the front of the queue. Replies {@link TaskReply.Granted} or {@link TaskReply.Empty}; a
     * worker that already has a task gets that same task again.
     *
     * @param worker taking the task; it is monitored until it completes it.
     */
    record Grab(ProcessRef worker) implements TaskCommand
    {
        /** Checks that {@code worker} is not null. */
        public Grab
        {
            Objects.requireNonNull(worker, "worker");
        }
    }

    /**
     * Report a task done. Replies {@code Boolean.TRUE} if it was {@code worker}'s current task, {@code Boolean.FALSE}
     * if not (a duplicate completion, or a task taken away after the worker was reported dead).
     *
     * @param worker that did the task.
     * @param taskId of the task.
     */
    record Complete(ProcessRef worker, long taskId) implements TaskCommand
    {
        /** Checks that {@code worker} is not null. */
        public Complete
        {
            Objects.requireNonNull(worker, "worker");
        }
    }
}

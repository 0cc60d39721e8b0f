package dev.ra.examples.tasks;

import dev.ra.ProcessRef;
import dev.ra.examples.support.CommandNumber;
import java.util.List;
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
     * {@link Complete}, answered once per request: the reply is remembered under {@code requestId}, and a command of
     * the same request id (a retry whose first attempt was applied but its reply lost) changes nothing and gets that
     * reply again, instead of {@code FALSE} because the first attempt already completed the task. Machine version 3
     * of {@link TaskQueueMachine}; a cluster at an older version refuses it before the log.
     *
     * @param worker    that did the task.
     * @param taskId    of the task.
     * @param requestId unique to the call, the same for each of its attempts.
     */
    record CompleteOnce(ProcessRef worker, long taskId, String requestId) implements TaskCommand
    {
        /** Checks that the worker and the request id are not null. */
        public CompleteOnce
        {
            Objects.requireNonNull(worker, "worker");
            Objects.requireNonNull(requestId, "requestId");
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

    /**
     * Move dead letters back to the back of the queue, each with a fresh delivery count (as a redrive from an SQS
     * dead-letter queue does). Replies the {@code List<Long>} of the ids moved, in dead-letter order; ids that are
     * not dead letters (any more) are ignored. Machine version 1.
     *
     * @param taskIds of the dead letters to requeue.
     */
    record RequeueDeadLetters(List<Long> taskIds) implements TaskCommand
    {
        /** Checks that {@code taskIds} is a list of task ids (longs, none null), and copies it. */
        public RequeueDeadLetters
        {
            taskIds = requireTaskIds(taskIds);
        }
    }

    /**
     * Drop dead letters for good: they are no longer pending, and their enqueuers are never told that they
     * completed. Replies the {@code List<Long>} of the ids dropped, in dead-letter order; ids that are not dead
     * letters are ignored. Machine version 1.
     *
     * @param taskIds of the dead letters to drop.
     */
    record PurgeDeadLetters(List<Long> taskIds) implements TaskCommand
    {
        /** Checks that {@code taskIds} is a list of task ids (longs, none null), and copies it. */
        public PurgeDeadLetters
        {
            taskIds = requireTaskIds(taskIds);
        }
    }

    /**
     * Set the queue's {@link QueueSettings} from this entry on, the same on every member (machine version 2). A member
     * appends one on becoming leader when the settings it was constructed with are not those in force, and at the
     * switch to version 2; a client may send one too, which holds until a leader started with others is elected.
     * Replies the settings in force before it, or null if none were.
     *
     * @param settings to apply from this entry on.
     */
    record Configure(QueueSettings settings) implements TaskCommand
    {
        /** Checks that {@code settings} is not null. */
        public Configure
        {
            Objects.requireNonNull(settings, "settings");
        }
    }

    /**
     * {@link Grab}, numbered by its client ({@link dev.ra.examples.support.ClientSequences}): a retry of a grab
     * applied already gets its first reply, and an attempt that comes after its client went on with later calls
     * about the same worker (the completion of the task its retry got, say) is answered
     * {@link dev.ra.examples.support.StaleCommand} and hands out no task. Machine version 4 of
     * {@link TaskQueueMachine}; a cluster at an older version refuses it before the log.
     *
     * @param worker the process that will do the task.
     * @param number of the call, the same for each of its attempts.
     */
    record NumberedGrab(ProcessRef worker, CommandNumber number) implements TaskCommand
    {
        /** Checks that the parts are not null. */
        public NumberedGrab
        {
            Objects.requireNonNull(worker, "worker");
            Objects.requireNonNull(number, "number");
        }
    }

    /**
     * {@link Complete}, numbered as {@link NumberedGrab} is: a retry whose first attempt completed the task answers
     * {@code TRUE} again, however many other calls came between. Machine version 4 of {@link TaskQueueMachine}.
     *
     * @param worker that did the task.
     * @param taskId of the task.
     * @param number of the call, the same for each of its attempts.
     */
    record NumberedComplete(ProcessRef worker, long taskId, CommandNumber number) implements TaskCommand
    {
        /** Checks that the parts are not null. */
        public NumberedComplete
        {
            Objects.requireNonNull(worker, "worker");
            Objects.requireNonNull(number, "number");
        }
    }

    private static List<Long> requireTaskIds(final List<Long> taskIds)
    {
        Objects.requireNonNull(taskIds, "taskIds");
        for (final Object id : taskIds)
        {
            if (!(id instanceof Long))
            {
                throw new IllegalArgumentException("task ids must be longs, got " +
                    (null == id ? "null" : id + " (" + id.getClass().getName() + ")") + " in " + taskIds);
            }
        }
        return List.copyOf(taskIds);
    }
}

package dev.ra.examples.tasks;

import dev.ra.ProcessRef;
import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.examples.support.ClusterClient;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The typed client of a {@link TaskQueueMachine} cluster. Thread-safe; blocking calls.
 *
 * <p>{@link #enqueue} is NOT retried once its outcome is unknown (it would add the task twice); the caller decides.
 * {@link #grab} is retried (a worker asking again gets the same task). {@link #complete} is retried too; a retry
 * whose first attempt was in fact applied reports false, and {@link #isPending} then tells the truth.
 */
public final class TaskClient
{
    private final ClusterClient cluster;

    /**
     * @param system  to send calls through.
     * @param members of the task-queue cluster.
     */
    public TaskClient(final RaSystem system, final List<ServerId> members)
    {
        this(new ClusterClient(system, members));
    }

    /**
     * @param cluster client with its own timeouts.
     */
    public TaskClient(final ClusterClient cluster)
    {
        this.cluster = Objects.requireNonNull(cluster, "cluster");
    }

    /**
     * Add a task at the back of the queue.
     *
     * @param enqueuer the process told {@link TaskCompleted} when the task is done.
     * @param detail   of the task.
     * @return the task id.
     */
    public long enqueue(final ProcessRef enqueuer, final String detail)
    {
        final TaskReply.Enqueued enqueued = cluster.command(new TaskCommand.Enqueue(enqueuer, detail), false);
        return enqueued.taskId();
    }

    /**
     * Take the front task, or the task this worker already has.
     *
     * @param worker the process doing the task; if it ends before completing, the task is requeued.
     * @return the task, or empty if none is ready.
     */
    public Optional<Task> grab(final ProcessRef worker)
    {
        final TaskReply reply = cluster.command(new TaskCommand.Grab(worker), true);
        return reply instanceof TaskReply.Granted granted ? Optional.of(granted.task()) : Optional.empty();
    }

    /**
     * Report a task done.
     *
     * @param worker that did it.
     * @param taskId of the task.
     * @return true if the completion was accepted; false if the worker did not have that task (for instance because
     *         it was reported dead and the task requeued, or an earlier attempt of this call was applied).
     */
    public boolean complete(final ProcessRef worker, final long taskId)
    {
        return cluster.<Boolean>command(new TaskCommand.Complete(worker, taskId), true);
    }

    /**
     * Whether a task is still queued or in flight, linearizably; polling this is the reliable way to learn that a
     * task completed, since {@link TaskCompleted} may be lost.
     *
     * @param taskId of the task.
     * @return true while the task is queued or being worked on.
     */
    public boolean isPending(final long taskId)
    {
        return cluster.<TaskQueueState, Boolean>consistentQuery(state -> state.isPending(taskId));
    }

    /**
     * The queue's state, linearizably (for monitoring and tests).
     *
     * @return the state.
     */
    public TaskQueueState snapshot()
    {
        return cluster.<TaskQueueState, TaskQueueState>consistentQuery(state -> state);
    }
}

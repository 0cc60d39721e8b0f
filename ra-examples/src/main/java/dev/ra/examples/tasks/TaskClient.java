package dev.ra.examples.tasks;

import dev.ra.ProcessRef;
import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.examples.support.ClusterClient;
import dev.ra.examples.support.NumberedCalls;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * The typed client of a {@link TaskQueueMachine} cluster. Thread-safe; blocking calls.
 *
 * <p>{@link #enqueue} is NOT retried once its outcome is unknown (it would add the task twice); the caller decides.
 * {@link #grab} is retried (a worker asking again gets the same task). {@link #complete} is retried too. The client
 * numbers its grabs and completions (machine version 4; {@link dev.ra.examples.support.ClientSequences}): a retry
 * whose first attempt was in fact applied answers as that attempt did, and a first attempt of a grab that lands after
 * this client went on with later calls about the same worker (the completion of the task the grab's retry got) is
 * refused, instead of handing the worker a task it does not know of. A cluster at an older version refuses the
 * numbered commands before the log, and is sent the older ones.
 */
public final class TaskClient
{
    private final ClusterClient cluster;
    private final NumberedCalls calls;

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
        this.calls = new NumberedCalls(cluster);
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
        final TaskReply reply = calls.send("task grab", number -> new TaskCommand.NumberedGrab(worker, number),
            () -> cluster.command(new TaskCommand.Grab(worker), true));
        return reply instanceof TaskReply.Granted granted ? Optional.of(granted.task()) : Optional.empty();
    }

    /**
     * Report a task done.
     *
     * @param worker that did it.
     * @param taskId of the task.
     * @return true if the completion was accepted; false if the worker did not have that task (for instance because
     *         it was reported dead, or its visibility timeout passed, and the task was given back). The command is
     *         numbered, so a retry whose first attempt was applied answers as that attempt did; a cluster at machine
     *         version 3 is sent the completion carrying a request id, which does the same within its last 1,000;
     *         one before 3 the plain completion, whose retry may then answer false although this call completed
     *         the task.
     */
    public boolean complete(final ProcessRef worker, final long taskId)
    {
        return calls.send("task completion", number -> new TaskCommand.NumberedComplete(worker, taskId, number),
            () -> completeOnce(worker, taskId));
    }

    private boolean completeOnce(final ProcessRef worker, final long taskId)
    {
        return cluster.newerCommand(completing(worker, taskId),
            () -> cluster.<Boolean>command(new TaskCommand.Complete(worker, taskId), true));
    }

    /**
     * @return the command one call of {@link #complete} sends to a cluster at version 3, every attempt of it alike.
     */
    static TaskCommand completing(final ProcessRef worker, final long taskId)
    {
        return new TaskCommand.CompleteOnce(worker, taskId, UUID.randomUUID().toString());
    }

    /**
     * Whether a task is still queued, in flight or dead-lettered, linearizably; polling this is the reliable way to
     * learn that a task completed, since {@link TaskCompleted} may be lost (a task purged from the dead letters is no
     * longer pending either, without having completed: {@link #isDeadLettered} tells a task that waits there).
     *
     * @param taskId of the task.
     * @return true while the task is queued, being worked on or among the dead letters.
     */
    public boolean isPending(final long taskId)
    {
        return cluster.<TaskQueueState, Boolean>consistentQuery(state -> state.isPending(taskId));
    }

    /**
     * Whether a task is among the dead letters, linearizably.
     *
     * @param taskId of the task.
     * @return true if it was given back after its last allowed delivery and is neither requeued nor purged yet.
     */
    public boolean isDeadLettered(final long taskId)
    {
        return cluster.<TaskQueueState, Boolean>consistentQuery(state -> state.isDeadLettered(taskId));
    }

    /**
     * The dead letters, linearizably: the tasks given back after their last allowed delivery (see
     * {@link TaskQueueMachine}'s delivery limit), oldest first, each with the number of deliveries it had.
     *
     * @return the dead letters.
     */
    public List<Task> deadLetters()
    {
        return cluster.<TaskQueueState, List<Task>>consistentQuery(TaskQueueState::deadLetters);
    }

    /**
     * Move dead letters back to the back of the queue, each with a fresh delivery count. Retried; a retry whose
     * first attempt was in fact applied reports the ids it still found (none), and {@link #deadLetters} tells the
     * truth. Needs machine version 1 (refused while the cluster is still at version 0).
     *
     * @param taskIds of the dead letters to requeue; ids that are not dead letters are ignored.
     * @return the ids requeued, in dead-letter order.
     */
    public List<Long> requeueDeadLetters(final List<Long> taskIds)
    {
        return cluster.<List<Long>>command(new TaskCommand.RequeueDeadLetters(taskIds), true);
    }

    /**
     * Drop dead letters for good; their enqueuers are never told they completed. Retried like
     * {@link #requeueDeadLetters}. Needs machine version 1.
     *
     * @param taskIds of the dead letters to drop; ids that are not dead letters are ignored.
     * @return the ids dropped, in dead-letter order.
     */
    public List<Long> purgeDeadLetters(final List<Long> taskIds)
    {
        return cluster.<List<Long>>command(new TaskCommand.PurgeDeadLetters(taskIds), true);
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

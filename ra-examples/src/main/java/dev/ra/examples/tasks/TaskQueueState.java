package dev.ra.examples.tasks;

import dev.ra.ProcessRef;
import dev.ra.examples.support.ClientSequences;
import dev.ra.examples.support.CursorTracked;
import dev.ra.examples.support.Persistent;
import dev.ra.examples.support.RememberedReplies;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The state of the {@link TaskQueueMachine}.
 *
 * @param nextTaskId  the id the next enqueued task gets.
 * @param ready       tasks waiting for a worker, front first.
 * @param inFlight    the task each worker is doing.
 * @param cursorIndex log index of the last release cursor (see {@link CursorTracked}).
 * @param grabbedAtMs log time ({@code CommandMeta.systemTimeMs}) at which each worker in {@code inFlight} took its
 *                    task, kept only when the machine has a visibility timeout (machine version 1 on).
 * @param deadLetters tasks set aside after their last allowed delivery, oldest first (machine version 1 on): they are
 *                    not handed to workers again until requeued, and stay pending until purged.
 * @param settings    in force, set by the last {@link TaskCommand.Configure} (machine version 2 on), or null until
 *                    the first: each member then applies its own, as at version 1.
 * @param replies     to the last completions that carried a request id (machine version 3 on; none before).
 * @param sequences   of the clients' numbered calls (machine version 4 on; none before).
 */
public record TaskQueueState(long nextTaskId, List<Task> ready, Map<ProcessRef, Task> inFlight, long cursorIndex,
    Map<ProcessRef, Long> grabbedAtMs, List<Task> deadLetters, QueueSettings settings, RememberedReplies replies,
    ClientSequences sequences)
    implements CursorTracked<TaskQueueState>
{
    /** An empty queue. */
    public static final TaskQueueState EMPTY = new TaskQueueState(1, List.of(), Map.of(), 0);

    /** Checks that the collections are not null. */
    public TaskQueueState
    {
        Objects.requireNonNull(ready, "ready");
        Objects.requireNonNull(inFlight, "inFlight");
        Objects.requireNonNull(grabbedAtMs, "grabbedAtMs");
        Objects.requireNonNull(deadLetters, "deadLetters");
        Objects.requireNonNull(replies, "replies");
        Objects.requireNonNull(sequences, "sequences");
    }

    /**
     * A state with no numbered calls, the shape of machine version 3.
     *
     * @param nextTaskId  the id the next enqueued task gets.
     * @param ready       tasks waiting for a worker, front first.
     * @param inFlight    the task each worker is doing.
     * @param cursorIndex log index of the last release cursor.
     * @param grabbedAtMs log time at which each worker in {@code inFlight} took its task.
     * @param deadLetters tasks set aside after their last allowed delivery, oldest first.
     * @param settings    in force, or null until the first {@link TaskCommand.Configure}.
     * @param replies     to the last completions that carried a request id.
     */
    public TaskQueueState(final long nextTaskId, final List<Task> ready, final Map<ProcessRef, Task> inFlight,
        final long cursorIndex, final Map<ProcessRef, Long> grabbedAtMs, final List<Task> deadLetters,
        final QueueSettings settings, final RememberedReplies replies)
    {
        this(nextTaskId, ready, inFlight, cursorIndex, grabbedAtMs, deadLetters, settings, replies,
            ClientSequences.NONE);
    }

    /**
     * A state remembering no replies, the shape of machine version 2.
     *
     * @param nextTaskId  the id the next enqueued task gets.
     * @param ready       tasks waiting for a worker, front first.
     * @param inFlight    the task each worker is doing.
     * @param cursorIndex log index of the last release cursor.
     * @param grabbedAtMs log time at which each worker in {@code inFlight} took its task.
     * @param deadLetters tasks set aside after their last allowed delivery, oldest first.
     * @param settings    in force, or null until the first {@link TaskCommand.Configure}.
     */
    public TaskQueueState(final long nextTaskId, final List<Task> ready, final Map<ProcessRef, Task> inFlight,
        final long cursorIndex, final Map<ProcessRef, Long> grabbedAtMs, final List<Task> deadLetters,
        final QueueSettings settings)
    {
        this(nextTaskId, ready, inFlight, cursorIndex, grabbedAtMs, deadLetters, settings, RememberedReplies.NONE);
    }

    /**
     * @return this state remembering one more reply.
     */
    TaskQueueState answered(final String requestId, final boolean reply)
    {
        return new TaskQueueState(nextTaskId, ready, inFlight, cursorIndex, grabbedAtMs, deadLetters, settings,
            replies.with(requestId, reply), sequences);
    }

    /**
     * A state without grab times or dead letters, the shape of machine version 0.
     *
     * @param nextTaskId  the id the next enqueued task gets.
     * @param ready       tasks waiting for a worker, front first.
     * @param inFlight    the task each worker is doing.
     * @param cursorIndex log index of the last release cursor.
     */
    public TaskQueueState(final long nextTaskId, final List<Task> ready, final Map<ProcessRef, Task> inFlight,
        final long cursorIndex)
    {
        this(nextTaskId, ready, inFlight, cursorIndex, Map.of(), List.of());
    }

    /**
     * A state without settings, the shape of machine version 1.
     *
     * @param nextTaskId  the id the next enqueued task gets.
     * @param ready       tasks waiting for a worker, front first.
     * @param inFlight    the task each worker is doing.
     * @param cursorIndex log index of the last release cursor.
     * @param grabbedAtMs log time at which each worker in {@code inFlight} took its task.
     * @param deadLetters tasks set aside after their last allowed delivery, oldest first.
     */
    public TaskQueueState(final long nextTaskId, final List<Task> ready, final Map<ProcessRef, Task> inFlight,
        final long cursorIndex, final Map<ProcessRef, Long> grabbedAtMs, final List<Task> deadLetters)
    {
        this(nextTaskId, ready, inFlight, cursorIndex, grabbedAtMs, deadLetters, null);
    }

    /**
     * @param next settings in force from now on.
     * @return a copy of this state with them.
     */
    TaskQueueState withSettings(final QueueSettings next)
    {
        return new TaskQueueState(nextTaskId, ready, inFlight, cursorIndex, grabbedAtMs, deadLetters, next, replies,
            sequences);
    }

    /**
     * @param taskId to look up.
     * @return true if the task is queued, being worked on or dead-lettered; false once it completed or was purged
     *         from the dead letters (or if it never existed).
     */
    public boolean isPending(final long taskId)
    {
        return null != find(ready, taskId) || null != find(inFlight.values(), taskId) ||
            null != find(deadLetters, taskId);
    }

    /**
     * @param taskId to look up.
     * @return true if the task is among the dead letters.
     */
    public boolean isDeadLettered(final long taskId)
    {
        return null != find(deadLetters, taskId);
    }

    /**
     * @param worker to look up.
     * @return its current task, or {@code null}.
     */
    public Task taskOf(final ProcessRef worker)
    {
        return inFlight.get(worker);
    }

    private static Task find(final Iterable<Task> tasks, final long taskId)
    {
        for (final Task task : tasks)
        {
            if (task.id() == taskId)
            {
                return task;
            }
        }
        return null;
    }

    TaskQueueState enqueue(final ProcessRef enqueuer, final String detail)
    {
        return new TaskQueueState(nextTaskId + 1, Persistent.append(ready, new Task(nextTaskId, enqueuer, detail, 0)),
            inFlight, cursorIndex, grabbedAtMs, deadLetters, settings, replies, sequences);
    }

    TaskQueueState grab(final ProcessRef worker, final Task delivered)
    {
        return new TaskQueueState(nextTaskId, Persistent.tail(ready), Persistent.put(inFlight, worker, delivered),
            cursorIndex, grabbedAtMs, deadLetters, settings, replies, sequences);
    }

    /**
     * {@link #grab} that also records when the worker took the task, for the visibility timeout.
     */
    TaskQueueState grab(final ProcessRef worker, final Task delivered, final long nowMs)
    {
        return new TaskQueueState(nextTaskId, Persistent.tail(ready), Persistent.put(inFlight, worker, delivered),
            cursorIndex, Persistent.put(grabbedAtMs, worker, nowMs), deadLetters, settings, replies, sequences);
    }

    TaskQueueState complete(final ProcessRef worker)
    {
        return new TaskQueueState(nextTaskId, ready, Persistent.remove(inFlight, worker), cursorIndex,
            grabbedAtMs.containsKey(worker) ? Persistent.remove(grabbedAtMs, worker) : grabbedAtMs, deadLetters,
            settings, replies, sequences);
    }

    TaskQueueState requeue(final ProcessRef worker)
    {
        final Task task = inFlight.get(worker);
        return new TaskQueueState(nextTaskId, Persistent.prepend(ready, task), Persistent.remove(inFlight, worker),
            cursorIndex, grabbedAtMs.containsKey(worker) ? Persistent.remove(grabbedAtMs, worker) : grabbedAtMs,
            deadLetters, settings, replies, sequences);
    }

    /**
     * Take a worker's task away and set it aside among the dead letters.
     */
    TaskQueueState deadLetter(final ProcessRef worker)
    {
        final Task task = inFlight.get(worker);
        return new TaskQueueState(nextTaskId, ready, Persistent.remove(inFlight, worker), cursorIndex,
            grabbedAtMs.containsKey(worker) ? Persistent.remove(grabbedAtMs, worker) : grabbedAtMs,
            Persistent.append(deadLetters, task), settings, replies, sequences);
    }

    /**
     * Every in-flight task's clock starts now (at the switch to a version with visibility timeouts: the tasks taken
     * before it have no grab time).
     */
    TaskQueueState grabbedAllAt(final long nowMs)
    {
        final Map<ProcessRef, Long> times = new LinkedHashMap<>();
        for (final ProcessRef worker : inFlight.keySet())
        {
            times.put(worker, grabbedAtMs.getOrDefault(worker, nowMs));
        }
        return new TaskQueueState(nextTaskId, ready, inFlight, cursorIndex,
            java.util.Collections.unmodifiableMap(times), deadLetters, settings, replies, sequences);
    }

    /**
     * Move dead letters back to the back of the queue, with a fresh delivery count.
     *
     * @param taskIds of the dead letters to move; ids that are not dead letters are ignored.
     * @return the state and the ids moved, in dead-letter order.
     */
    DeadLetterChange requeueDeadLetters(final List<Long> taskIds)
    {
        final List<Task> kept = new ArrayList<>();
        final List<Task> queue = new ArrayList<>(ready);
        final List<Long> moved = new ArrayList<>();
        for (final Task task : deadLetters)
        {
            if (taskIds.contains(task.id()))
            {
                queue.add(new Task(task.id(), task.enqueuer(), task.detail(), 0));
                moved.add(task.id());
            }
            else
            {
                kept.add(task);
            }
        }
        return moved.isEmpty() ? new DeadLetterChange(this, List.of()) : new DeadLetterChange(
            new TaskQueueState(nextTaskId, List.copyOf(queue), inFlight, cursorIndex, grabbedAtMs, List.copyOf(kept),
                settings, replies, sequences),
            List.copyOf(moved));
    }

    /**
     * Drop dead letters for good: they are no longer pending, and their enqueuers are never told they completed.
     *
     * @param taskIds of the dead letters to drop; ids that are not dead letters are ignored.
     * @return the state and the ids dropped, in dead-letter order.
     */
    DeadLetterChange purgeDeadLetters(final List<Long> taskIds)
    {
        final List<Task> kept = new ArrayList<>();
        final List<Long> purged = new ArrayList<>();
        for (final Task task : deadLetters)
        {
            if (taskIds.contains(task.id()))
            {
                purged.add(task.id());
            }
            else
            {
                kept.add(task);
            }
        }
        return purged.isEmpty() ? new DeadLetterChange(this, List.of()) : new DeadLetterChange(
            new TaskQueueState(nextTaskId, ready, inFlight, cursorIndex, grabbedAtMs, List.copyOf(kept), settings,
                replies, sequences),
            List.copyOf(purged));
    }

    /**
     * The state after a change to the dead letters and the task ids it affected.
     *
     * @param state   after it.
     * @param taskIds affected.
     */
    record DeadLetterChange(TaskQueueState state, List<Long> taskIds)
    {
    }

    /**
     * @return this state with the clients' numbered calls replaced.
     */
    TaskQueueState withSequences(final ClientSequences next)
    {
        return new TaskQueueState(nextTaskId, ready, inFlight, cursorIndex, grabbedAtMs, deadLetters, settings, replies,
            next);
    }

    @Override
    public TaskQueueState withCursorIndex(final long index)
    {
        return new TaskQueueState(nextTaskId, ready, inFlight, index, grabbedAtMs, deadLetters, settings, replies,
            sequences);
    }
}

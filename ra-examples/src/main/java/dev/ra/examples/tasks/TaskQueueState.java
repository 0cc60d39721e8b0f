package dev.ra.examples.tasks;

import dev.ra.ProcessRef;
import dev.ra.examples.support.CursorTracked;
import dev.ra.examples.support.Persistent;
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
 */
public record TaskQueueState(long nextTaskId, List<Task> ready, Map<ProcessRef, Task> inFlight, long cursorIndex)
    implements CursorTracked<TaskQueueState>
{
    /** An empty queue. */
    public static final TaskQueueState EMPTY = new TaskQueueState(1, List.of(), Map.of(), 0);

    /** Checks that {@code ready} and {@code inFlight} are not null. */
    public TaskQueueState
    {
        Objects.requireNonNull(ready, "ready");
        Objects.requireNonNull(inFlight, "inFlight");
    }

    /**
     * @param taskId to look up.
     * @return true if the task is queued or being worked on; false once it completed (or if it never existed).
     */
    public boolean isPending(final long taskId)
    {
        for (final Task task : ready)
        {
            if (task.id() == taskId)
            {
                return true;
            }
        }
        for (final Task task : inFlight.values())
        {
            if (task.id() == taskId)
            {
                return true;
            }
        }
        return false;
    }

    /**
     * @param worker to look up.
     * @return its current task, or {@code null}.
     */
    public Task taskOf(final ProcessRef worker)
    {
        return inFlight.get(worker);
    }

    TaskQueueState enqueue(final ProcessRef enqueuer, final String detail)
    {
        return new TaskQueueState(nextTaskId + 1, Persistent.append(ready, new Task(nextTaskId, enqueuer, detail, 0)),
            inFlight, cursorIndex);
    }

    TaskQueueState grab(final ProcessRef worker, final Task delivered)
    {
        return new TaskQueueState(nextTaskId, Persistent.tail(ready), Persistent.put(inFlight, worker, delivered),
            cursorIndex);
    }

    TaskQueueState complete(final ProcessRef worker)
    {
        return new TaskQueueState(nextTaskId, ready, Persistent.remove(inFlight, worker), cursorIndex);
    }

    TaskQueueState requeue(final ProcessRef worker)
    {
        final Task task = inFlight.get(worker);
        return new TaskQueueState(nextTaskId, Persistent.prepend(ready, task), Persistent.remove(inFlight, worker),
            cursorIndex);
    }

    @Override
    public TaskQueueState withCursorIndex(final long index)
    {
        return new TaskQueueState(nextTaskId, ready, inFlight, index);
    }
}

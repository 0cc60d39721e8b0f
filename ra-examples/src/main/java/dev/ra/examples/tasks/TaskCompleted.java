package dev.ra.examples.tasks;

import java.util.Objects;

/**
 * The message an enqueuer receives when its task completes.
 *
 * <p>It is sent by the leader that applies the completion, so it is lost if that leader fails before sending, or if
 * the enqueuer is unreachable; an enqueuer that must know polls {@link TaskQueueState#isPending(long)}: task ids are
 * never reused, so an id that is no longer pending is done.
 *
 * @param taskId of the completed task.
 * @param detail of the completed task.
 */
public record TaskCompleted(long taskId, String detail)
{
    /** Checks that {@code detail} is not null. */
    public TaskCompleted
    {
        Objects.requireNonNull(detail, "detail");
    }
}

package dev.ra.examples.tasks;

import dev.ra.ProcessRef;
import java.util.Objects;

/**
 * A unit of work.
 *
 * @param id         unique and increasing in enqueue order; never reused.
 * @param enqueuer   the process told when the task completes.
 * @param detail     what to do, opaque to the queue.
 * @param deliveries how many times the task has been handed to a worker; above 1 it is a redelivery after a worker
 *                   died or overran the queue's visibility timeout, and the worker may find part of the work
 *                   already done. A dead letter requeued starts again from 0.
 */
public record Task(long id, ProcessRef enqueuer, String detail, int deliveries)
{
    /** Checks that {@code enqueuer} and {@code detail} are not null. */
    public Task
    {
        Objects.requireNonNull(enqueuer, "enqueuer");
        Objects.requireNonNull(detail, "detail");
    }
}

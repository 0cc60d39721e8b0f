package dev.ra.examples.tasks;

/**
 * The settings of a task queue that decide what its entries do, held in its replicated state (machine version 2) so
 * that every member applies every entry with the same ones, whatever its own machine was constructed with.
 *
 * @param deliveryLimit       the most times a task is handed to a worker before it goes to the dead letters, or
 *                            {@link TaskQueueMachine#NO_DELIVERY_LIMIT}.
 * @param visibilityTimeoutMs how long (log time) a worker has to complete a task, or 0 for none.
 */
public record QueueSettings(int deliveryLimit, long visibilityTimeoutMs)
{
    /** A queue with no delivery limit and no visibility timeout, the settings of a queue none were given to. */
    public static final QueueSettings NONE = new QueueSettings(TaskQueueMachine.NO_DELIVERY_LIMIT, 0);

    /** Checks that neither setting is negative. */
    public QueueSettings
    {
        if (deliveryLimit < 0)
        {
            throw new IllegalArgumentException("delivery limit must be >= 1, or NO_DELIVERY_LIMIT (0), got " +
                deliveryLimit);
        }
        if (visibilityTimeoutMs < 0)
        {
            throw new IllegalArgumentException("visibility timeout must be >= 1 ms, or 0 for none, got " +
                visibilityTimeoutMs + " ms");
        }
    }

    /**
     * @return whether tasks in flight are given back after the visibility timeout.
     */
    public boolean timesOut()
    {
        return visibilityTimeoutMs > 0;
    }
}

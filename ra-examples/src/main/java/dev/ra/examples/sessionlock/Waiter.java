package dev.ra.examples.sessionlock;

import dev.ra.ProcessRef;
import java.util.Objects;

/**
 * A process waiting for a session lock.
 *
 * @param process   waiting.
 * @param reachable false while its node is unreachable; an unreachable waiter keeps its place but is skipped when the
 *                  lock is handed on, since it could not be told.
 */
public record Waiter(ProcessRef process, boolean reachable)
{
    /** Checks that {@code process} is not null. */
    public Waiter
    {
        Objects.requireNonNull(process, "process");
    }
}

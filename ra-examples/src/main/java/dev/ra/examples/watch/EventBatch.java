package dev.ra.examples.watch;

import java.util.List;
import java.util.Objects;

/**
 * The events of one revision (one command may change several keys: a session's end deletes all its keys).
 *
 * @param revision of the change: the log index of the command.
 * @param events   in the order they happened.
 */
public record EventBatch(long revision, List<WatchEvent> events)
{
    /** Checks that {@code events} is not null. */
    public EventBatch
    {
        Objects.requireNonNull(events, "events");
    }
}

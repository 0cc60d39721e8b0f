package dev.ra.examples.watch;

import java.util.Objects;

/**
 * One change to one key, as a watcher receives it.
 *
 * @param type           of the change.
 * @param key            changed.
 * @param value          after a {@link EventType#PUT}; {@code null} after a {@link EventType#DELETE}.
 * @param modRevision    revision of the change.
 * @param createRevision revision that created the key (0 for a delete).
 * @param version        number of changes since creation (0 for a delete).
 */
public record WatchEvent(EventType type, String key, String value, long modRevision, long createRevision, long version)
{
    /** Checks that {@code type} and {@code key} are not null, and that a put has a value. */
    public WatchEvent
    {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(key, "key");
        if (type == EventType.PUT && null == value)
        {
            throw new IllegalArgumentException("a PUT event has a value");
        }
    }
}

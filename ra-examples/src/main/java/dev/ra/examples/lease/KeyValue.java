package dev.ra.examples.lease;

import java.util.Objects;

/**
 * One key of the {@link LeasedKvMachine}, with etcd's history markers.
 *
 * @param key            the key.
 * @param value          stored.
 * @param createRevision revision that created the key (reset when it is deleted and created again).
 * @param modRevision    revision of the last change.
 * @param version        number of changes since creation, starting at 1.
 * @param sessionId      of the session the key is bound to, 0 if none: the key is deleted when that session ends.
 */
public record KeyValue(String key, String value, long createRevision, long modRevision, long version, long sessionId)
{
    /** Checks that the key and the value are not null. */
    public KeyValue
    {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
    }
}

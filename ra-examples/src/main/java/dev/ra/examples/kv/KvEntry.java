package dev.ra.examples.kv;

import java.util.Objects;

/**
 * One key's value with its history markers, as etcd keeps them.
 *
 * @param value       stored.
 * @param createIndex log index of the put that created the key (reset when the key is deleted and created again).
 * @param modIndex    log index of the last change to the key.
 * @param version     number of changes since creation, starting at 1.
 */
public record KvEntry(String value, long createIndex, long modIndex, long version)
{
    /** Checks that {@code value} is not null. */
    public KvEntry
    {
        Objects.requireNonNull(value, "value");
    }
}

package dev.ra.protocol;

import java.util.Objects;

/**
 * One entry of a member's Raft log.
 *
 * @param index        position in the log, from 1.
 * @param term         in which the leader appended it.
 * @param systemTimeMs wall-clock milliseconds on the leader when it appended the entry; becomes
 *                     {@link dev.ra.CommandMeta#systemTimeMs()}.
 * @param payload      what the entry carries.
 */
public record LogEntry(long index, long term, long systemTimeMs, EntryPayload payload)
{
    /** Checks that the index and term are positive and that {@code payload} is not null. */
    public LogEntry
    {
        if (index <= 0 || term <= 0)
        {
            throw new IllegalArgumentException("entry index and term must be positive, got " + index + "/" + term);
        }
        Objects.requireNonNull(payload, "payload");
    }

    @Override
    public String toString()
    {
        return term + "/" + index + " " + payload;
    }
}

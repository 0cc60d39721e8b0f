package dev.ra.protocol;

import java.util.List;

/**
 * Describes a snapshot: the last entry it covers and the configuration in force at that entry.
 *
 * @param index          of the last entry included in the snapshot.
 * @param term           of that entry.
 * @param members        configuration at that entry.
 * @param machineVersion of the machine that produced the state.
 */
public record SnapshotMeta(long index, long term, List<Member> members, int machineVersion)
{
    /**
     * Checks that the index and term are positive; takes an unmodifiable copy of {@code members}, whose elements must
     * not be null.
     */
    public SnapshotMeta
    {
        if (index <= 0 || term <= 0)
        {
            throw new IllegalArgumentException("snapshot index and term must be positive, got " + index + "/" + term);
        }
        members = List.copyOf(members);
    }
}

package dev.ra.protocol;

import dev.ra.ServerId;
import java.util.List;

/**
 * Describes a snapshot: the last entry it covers, the configuration in force at that entry, and the servers the
 * cluster removed before it.
 *
 * @param index          of the last entry included in the snapshot.
 * @param term           of that entry.
 * @param members        configuration at that entry.
 * @param machineVersion of the machine that produced the state.
 * @param removed        servers a committed configuration at or before {@code index} named that {@code members} does
 *                       not: the members removed from the cluster, the most recently named last, at most
 *                       {@link #MAX_REMOVED}. The entries that removed them are compacted away with the snapshot, and
 *                       a member removed while it could not be told (its node down) is recognised by this list
 *                       alone when it comes back (etcd keeps removed ids likewise). Empty in a snapshot written by a
 *                       release that did not record it.
 */
public record SnapshotMeta(long index, long term, List<Member> members, int machineVersion, List<ServerId> removed)
{
    /**
     * How many removed servers a snapshot names at most: the oldest removed are forgotten first (a member removed
     * that long ago and still down must be deleted with forceDeleteServer).
     */
    public static final int MAX_REMOVED = 1024;

    /**
     * Checks that the index and term are positive; takes unmodifiable copies of {@code members} and {@code removed},
     * whose elements must not be null, keeping the newest {@link #MAX_REMOVED} of {@code removed}.
     */
    public SnapshotMeta
    {
        if (index <= 0 || term <= 0)
        {
            throw new IllegalArgumentException("snapshot index and term must be positive, got " + index + "/" + term);
        }
        members = List.copyOf(members);
        removed = List.copyOf(removed.subList(Math.max(0, removed.size() - MAX_REMOVED), removed.size()));
    }

    /**
     * A snapshot that names no removed server.
     *
     * @param index          of the last entry included in the snapshot.
     * @param term           of that entry.
     * @param members        configuration at that entry.
     * @param machineVersion of the machine that produced the state.
     */
    public SnapshotMeta(final long index, final long term, final List<Member> members, final int machineVersion)
    {
        this(index, term, members, machineVersion, List.of());
    }

    /**
     * @param ids the servers removed, the most recently named last.
     * @return this snapshot's description naming them as its removed servers.
     */
    public SnapshotMeta withRemoved(final List<ServerId> ids)
    {
        return new SnapshotMeta(index, term, members, machineVersion, ids);
    }
}

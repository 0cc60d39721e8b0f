package dev.ra;

import java.util.List;
import java.util.Map;

/**
 * A point-in-time view of one server, for monitoring and tests. Cheap to take; never blocks the server for long.
 *
 * @param id                 of the server.
 * @param clusterName        of its cluster.
 * @param role               it is in.
 * @param currentTerm        its current term.
 * @param leader             the leader it knows, or null.
 * @param commitIndex        highest index known committed.
 * @param lastApplied        highest index applied to its machine.
 * @param lastIndex          highest index in its log.
 * @param lastWrittenIndex   highest index durable in its log.
 * @param snapshotIndex      index of its latest snapshot, 0 if none.
 * @param members            of the cluster, as this server sees them.
 * @param counters           of its activity: {@code commands}, {@code entries_applied}, {@code elections},
 *                           {@code pre_votes}, {@code snapshots_written}, {@code snapshots_installed},
 *                           {@code snapshots_sent}, {@code apply_failures} and others.
 * @param machineOverview    from {@link StateMachine#overview}.
 */
public record ServerOverview(ServerId id, String clusterName, RaftRole role, long currentTerm, ServerId leader,
    long commitIndex, long lastApplied, long lastIndex, long lastWrittenIndex, long snapshotIndex,
    List<ServerId> members, Map<String, Long> counters, Map<String, Object> machineOverview)
{
    /**
     * Copies the members, the counters and the machine overview into unmodifiable collections; a null collection,
     * element, key or value throws {@link NullPointerException}.
     */
    public ServerOverview
    {
        members = List.copyOf(members);
        counters = Map.copyOf(counters);
        machineOverview = Map.copyOf(machineOverview);
    }
}

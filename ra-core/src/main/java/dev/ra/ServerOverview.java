package dev.ra;

import dev.ra.stats.LatencySnapshot;
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
 * @param peerMatchIndexes   when it leads: each peer's match index, the highest index the leader knows the peer has
 *                           durable (so {@code lastIndex - matchIndex} is how far the peer lags); empty otherwise.
 * @param applyTimes         how long each step of its core that applied entries took (the machine's {@code apply} of
 *                           those entries and the core's bookkeeping), since it started.
 * @param machineVersion     the machine version in force, the one its build supports, and why it stopped applying if
 *                           its log needs a version its build does not support (see {@link StateMachine#version()}).
 * @param storage            what its storage told it at start-up: whole, recovering lost entries, or term and vote
 *                           lost (it counts towards no quorum until removed and added back).
 */
public record ServerOverview(ServerId id, String clusterName, RaftRole role, long currentTerm, ServerId leader,
    long commitIndex, long lastApplied, long lastIndex, long lastWrittenIndex, long snapshotIndex,
    List<ServerId> members, Map<String, Long> counters, Map<String, Object> machineOverview,
    Map<ServerId, Long> peerMatchIndexes, LatencySnapshot applyTimes, MachineVersionStatus machineVersion,
    StorageState storage)
{
    /**
     * Copies the members, the counters, the machine overview and the match indexes into unmodifiable collections; a
     * null collection, element, key or value throws {@link NullPointerException}.
     */
    public ServerOverview
    {
        members = List.copyOf(members);
        counters = Map.copyOf(counters);
        machineOverview = Map.copyOf(machineOverview);
        peerMatchIndexes = Map.copyOf(peerMatchIndexes);
        applyTimes = null == applyTimes ? LatencySnapshot.EMPTY : applyTimes;
        machineVersion = null == machineVersion ? MachineVersionStatus.UNVERSIONED : machineVersion;
        storage = null == storage ? StorageState.WHOLE : storage;
    }

    /**
     * An overview of a member whose storage is whole.
     *
     * @param id               of the server.
     * @param clusterName      of its cluster.
     * @param role             it is in.
     * @param currentTerm      its current term.
     * @param leader           the leader it knows, or null.
     * @param commitIndex      highest index known committed.
     * @param lastApplied      highest index applied to its machine.
     * @param lastIndex        highest index in its log.
     * @param lastWrittenIndex highest index durable in its log.
     * @param snapshotIndex    index of its latest snapshot, 0 if none.
     * @param members          of the cluster, as this server sees them.
     * @param counters         of its activity.
     * @param machineOverview  from {@link StateMachine#overview}.
     * @param peerMatchIndexes when it leads, each peer's match index.
     * @param applyTimes       of its steps that applied entries.
     * @param machineVersion   where it stands on machine versions.
     */
    public ServerOverview(final ServerId id, final String clusterName, final RaftRole role, final long currentTerm,
        final ServerId leader, final long commitIndex, final long lastApplied, final long lastIndex,
        final long lastWrittenIndex, final long snapshotIndex, final List<ServerId> members,
        final Map<String, Long> counters, final Map<String, Object> machineOverview,
        final Map<ServerId, Long> peerMatchIndexes, final LatencySnapshot applyTimes,
        final MachineVersionStatus machineVersion)
    {
        this(id, clusterName, role, currentTerm, leader, commitIndex, lastApplied, lastIndex, lastWrittenIndex,
            snapshotIndex, members, counters, machineOverview, peerMatchIndexes, applyTimes, machineVersion, null);
    }

    /**
     * An overview without the machine version status (an unversioned machine that applies).
     *
     * @param id               of the server.
     * @param clusterName      of its cluster.
     * @param role             it is in.
     * @param currentTerm      its current term.
     * @param leader           the leader it knows, or null.
     * @param commitIndex      highest index known committed.
     * @param lastApplied      highest index applied to its machine.
     * @param lastIndex        highest index in its log.
     * @param lastWrittenIndex highest index durable in its log.
     * @param snapshotIndex    index of its latest snapshot, 0 if none.
     * @param members          of the cluster, as this server sees them.
     * @param counters         of its activity.
     * @param machineOverview  from {@link StateMachine#overview}.
     * @param peerMatchIndexes when it leads, each peer's match index.
     * @param applyTimes       of its steps that applied entries.
     */
    public ServerOverview(final ServerId id, final String clusterName, final RaftRole role, final long currentTerm,
        final ServerId leader, final long commitIndex, final long lastApplied, final long lastIndex,
        final long lastWrittenIndex, final long snapshotIndex, final List<ServerId> members,
        final Map<String, Long> counters, final Map<String, Object> machineOverview,
        final Map<ServerId, Long> peerMatchIndexes, final LatencySnapshot applyTimes)
    {
        this(id, clusterName, role, currentTerm, leader, commitIndex, lastApplied, lastIndex, lastWrittenIndex,
            snapshotIndex, members, counters, machineOverview, peerMatchIndexes, applyTimes, null, null);
    }

    /**
     * An overview without match indexes or apply times.
     *
     * @param id               of the server.
     * @param clusterName      of its cluster.
     * @param role             it is in.
     * @param currentTerm      its current term.
     * @param leader           the leader it knows, or null.
     * @param commitIndex      highest index known committed.
     * @param lastApplied      highest index applied to its machine.
     * @param lastIndex        highest index in its log.
     * @param lastWrittenIndex highest index durable in its log.
     * @param snapshotIndex    index of its latest snapshot, 0 if none.
     * @param members          of the cluster, as this server sees them.
     * @param counters         of its activity.
     * @param machineOverview  from {@link StateMachine#overview}.
     */
    public ServerOverview(final ServerId id, final String clusterName, final RaftRole role, final long currentTerm,
        final ServerId leader, final long commitIndex, final long lastApplied, final long lastIndex,
        final long lastWrittenIndex, final long snapshotIndex, final List<ServerId> members,
        final Map<String, Long> counters, final Map<String, Object> machineOverview)
    {
        this(id, clusterName, role, currentTerm, leader, commitIndex, lastApplied, lastIndex, lastWrittenIndex,
            snapshotIndex, members, counters, machineOverview, Map.of(), LatencySnapshot.EMPTY, null, null);
    }
}

package dev.ra.runtime;

import dev.ra.MachineVersionStatus;
import dev.ra.ServerId;
import dev.ra.ServerOverview;
import dev.ra.StateMachine;
import dev.ra.core.ServerCore;
import dev.ra.protocol.Member;
import dev.ra.stats.LatencySnapshot;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A server's {@link ServerOverview}, read from its core on its loop.
 */
final class ServerOverviews
{
    private ServerOverviews()
    {
    }

    /**
     * @param id             of the server.
     * @param clusterName    of its cluster.
     * @param core           of the server.
     * @param machine        of this build (the overview is the effective version's machine's).
     * @param effectFailures how many machine effects failed.
     * @param applyTimes     of its steps that applied entries.
     * @param queueRefusals  commands refused at the call for a full mailbox ({@link QueuedCommands}).
     * @return the overview.
     */
    static ServerOverview of(final ServerId id, final String clusterName, final ServerCore core,
        final StateMachine<Object, Object> machine, final long effectFailures, final LatencySnapshot applyTimes,
        final long queueRefusals)
    {
        final List<ServerId> members = new ArrayList<>();
        for (final Member m : core.members())
        {
            members.add(m.id());
        }
        final Map<String, Long> counters = new LinkedHashMap<>(core.counters().asMap());
        counters.put("effect_failures", effectFailures);
        // Refused before the core saw them, for the same reason: the one count of refusals for overload.
        counters.merge("commands_overloaded", queueRefusals, Long::sum);
        Map<String, Object> machineOverview;
        try
        {
            // A member that holds no state (it stopped applying, see ParkedQueries.withoutState) has no machine view.
            machineOverview = ParkedQueries.withoutState(core) ? Map.of() :
                withoutNulls(core.effectiveMachine().overview(core.machineState()));
        }
        catch (final RuntimeException | Error ex)
        {
            // Asked for by a monitoring call: like a query's, its failure is the caller's, never the server's.
            if (!ContainedFailures.contained(ex))
            {
                throw ex;
            }
            machineOverview = Map.of("error", String.valueOf(ex));
        }
        return new ServerOverview(id, clusterName, core.role(), core.currentTerm(), core.leaderId(),
            core.commitIndex(), core.lastApplied(), core.lastIndex(), core.lastWrittenIndex(), core.snapshotIndex(),
            members, counters, machineOverview, core.peerMatchIndexes(), applyTimes,
            new MachineVersionStatus(core.effectiveMachineVersion(), VersionedStateCodec.supported(machine),
                core.machineVersionError()),
            core.storageState());
    }

    /**
     * @return the machine's facts without those it gave as null: the overview refuses nulls, and a machine may well
     *         say "not known yet" with one (a get of the key answers null either way); a null map is no facts.
     */
    private static Map<String, Object> withoutNulls(final Map<String, Object> facts)
    {
        if (null == facts)
        {
            return Map.of();
        }
        final Map<String, Object> known = new LinkedHashMap<>();
        facts.forEach((key, value) ->
        {
            if (null != key && null != value)
            {
                known.put(key, value);
            }
        });
        return known;
    }
}

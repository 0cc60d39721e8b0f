package dev.ra.sim;

import dev.ra.ServerId;
import dev.ra.core.RaftAction;
import dev.ra.core.ServerCore;
import dev.ra.protocol.EntryPayload;
import dev.ra.protocol.LogEntry;
import dev.ra.protocol.Member;
import dev.ra.protocol.SnapshotMeta;
import dev.ra.sim.Simulation.Node;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongFunction;

/**
 * What a leader says of removed members, against what the cluster committed: a retirement it asks for
 * ({@link RaftAction.RetireMember}, which deletes the member's data) never reaches a member of the newest committed
 * configuration that would carry it out (one that would refuse it, having joined or been named again after the
 * configuration the retirement names, is safe), and names a committed configuration without the member; and a
 * snapshot names as removed exactly the servers a committed configuration up to it named that it does not (which is
 * how a leader restarted after the removal was compacted away still knows a removed member that comes back).
 * Retirements are checked after the step that asked for them, once what that step committed is known.
 */
final class RetirementChecker
{
    /**
     * @param committedNow what the asker committed that the checker had not recorded yet (it records commits after
     *                     the step, and not those of a member that crashed in it).
     */
    private record Asked(ServerId by, RaftAction.RetireMember retire, long commitIndex,
        Map<Long, LogEntry> committedNow)
    {
    }

    private final List<Asked> asked = new ArrayList<>();
    private final FaultCoverage coverage;

    /**
     * @param coverage counts the retirements checked: runs that check none prove nothing about them.
     */
    RetirementChecker(final FaultCoverage coverage)
    {
        this.coverage = coverage;
    }

    /**
     * A member asked for a retirement.
     *
     * @param by        the member that asked.
     * @param retire    what it asked for.
     * @param recorded  the highest committed index the checker recorded so far.
     */
    void asked(final ServerCore by, final RaftAction.RetireMember retire, final long recorded)
    {
        final Map<Long, LogEntry> committedNow = new HashMap<>();
        for (long i = Math.max(recorded, by.snapshotIndex()) + 1; i <= by.commitIndex(); i++)
        {
            final LogEntry entry = by.entryAt(i);
            if (null != entry)
            {
                committedNow.put(i, entry);
            }
        }
        asked.add(new Asked(by.id(), retire, by.commitIndex(), committedNow));
    }

    /**
     * @param committed the entry committed at an index (null if none is known there).
     * @param recorded  the highest committed index recorded.
     * @param initial   the configuration every member started with.
     * @param nodes     the simulated nodes.
     * @return a description of the first violation, or null.
     */
    String check(final LongFunction<LogEntry> committed, final long recorded, final List<Member> initial,
        final Node[] nodes)
    {
        try
        {
            for (final Asked a : asked)
            {
                coverage.retirementChecked();
                final LongFunction<LogEntry> known = i ->
                {
                    final LogEntry entry = committed.apply(i);
                    return null != entry ? entry : a.committedNow.get(i);
                };
                final long newest = Math.max(recorded, a.commitIndex);
                final ServerId member = a.retire.member();
                final long removedAt = a.retire.removedAt();
                if (names(configAt(known, removedAt, initial), member))
                {
                    return "retirement: " + a.by + " retires " + member + " naming the configuration at " + removedAt +
                        ", which names it: " + configAt(known, removedAt, initial);
                }
                final Node target = find(nodes, member);
                final List<Member> now = configAt(known, newest, initial);
                if (null != target && names(now, member) && !refuses(target, removedAt))
                {
                    return "retirement: " + a.by + " retires " + member + " (configuration at " + removedAt +
                        "), a member of the newest committed configuration " + now + " at " + newest +
                        " that would carry it out (joined at " + target.joinedAt + ")";
                }
            }
            return null;
        }
        finally
        {
            asked.clear();
        }
    }

    /**
     * @return a description of what a snapshot gets wrong about the servers removed before it, or null.
     */
    static String checkSnapshot(final ServerId by, final SnapshotMeta meta, final LongFunction<LogEntry> committed,
        final List<Member> initial)
    {
        final Set<ServerId> expected = new LinkedHashSet<>();
        initial.forEach(m -> expected.add(m.id()));
        for (long i = 1; i <= meta.index(); i++)
        {
            final LogEntry entry = committed.apply(i);
            if (null != entry && entry.payload() instanceof EntryPayload.ClusterChange change)
            {
                change.members().forEach(m -> expected.add(m.id()));
            }
        }
        meta.members().forEach(m -> expected.remove(m.id()));
        if (!expected.equals(new LinkedHashSet<>(meta.removed())))
        {
            return "snapshot removed servers: " + by + " writes a snapshot at " + meta.index() + " naming " +
                meta.removed() + " as removed (members " + meta.members() + ") but the committed configurations " +
                "up to it named " + expected + " besides its members";
        }
        return null;
    }

    private static boolean refuses(final Node target, final long removedAt)
    {
        return target.alive ? target.core.namedAfter(removedAt) : target.joinedAt.index() > removedAt;
    }

    private static Node find(final Node[] nodes, final ServerId id)
    {
        for (final Node node : nodes)
        {
            if (node.id.equals(id))
            {
                return node;
            }
        }
        return null;
    }

    private static boolean names(final List<Member> members, final ServerId id)
    {
        return members.stream().anyMatch(m -> m.id().equals(id));
    }

    private static List<Member> configAt(final LongFunction<LogEntry> committed, final long index,
        final List<Member> initial)
    {
        for (long i = index; i > 0; i--)
        {
            final LogEntry entry = committed.apply(i);
            if (null != entry && entry.payload() instanceof EntryPayload.ClusterChange change)
            {
                return change.members();
            }
        }
        return initial;
    }
}

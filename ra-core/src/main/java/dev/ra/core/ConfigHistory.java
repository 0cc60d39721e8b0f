package dev.ra.core;

import dev.ra.protocol.Member;
import dev.ra.ServerId;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * The cluster configurations found in the log, newest last. A configuration is in force from the moment its entry is
 * appended (single-server changes, thesis §4.1), so truncating the log may bring an older one back; keeping every
 * configuration above the snapshot makes that, and snapshotting the configuration at any index, exact.
 */
final class ConfigHistory
{
    private record Config(long index, List<Member> members)
    {
    }

    private final ArrayList<Config> configs = new ArrayList<>();
    /**
     * Every server named by a configuration a snapshot covered (so committed), whether compacted away or replaced by
     * an installed snapshot's, and every server a snapshot this member started from or installed named as removed
     * (SnapshotMeta.removed: what the snapshots before it covered): the most recently named last. Bounded by the
     * servers the cluster had; what a snapshot carries on is bounded by SnapshotMeta.MAX_REMOVED.
     */
    private final LinkedHashSet<ServerId> namedBySnapshots = new LinkedHashSet<>();

    /**
     * @param index   of the configuration (the snapshot's, or 0).
     * @param members of the configuration.
     * @param removed the servers the snapshot names as removed, the most recently named last.
     */
    ConfigHistory(final long index, final List<Member> members, final List<ServerId> removed)
    {
        configs.add(new Config(index, List.copyOf(members)));
        namedBySnapshots.addAll(removed);
    }

    private void remember(final List<Member> members)
    {
        for (final Member m : members)
        {
            // Moved last: named most recently.
            namedBySnapshots.remove(m.id());
            namedBySnapshots.add(m.id());
        }
    }

    /**
     * @param index of a snapshot, at or below the commit index.
     * @return the servers removed as of {@code index}: named by a committed configuration at or before it, or by what
     *     the snapshots before it covered, and not by the configuration in force at it; the most recently named last.
     */
    List<ServerId> removedAsOf(final long index)
    {
        final LinkedHashSet<ServerId> named = new LinkedHashSet<>(namedBySnapshots);
        for (final Config config : configs)
        {
            if (config.index <= index)
            {
                for (final Member m : config.members)
                {
                    named.remove(m.id());
                    named.add(m.id());
                }
            }
        }
        for (final Member m : at(index))
        {
            named.remove(m.id());
        }
        return List.copyOf(named);
    }

    /**
     * @param committed the commit index: configurations above it may yet be truncated.
     * @return whether a committed configuration this member held since it started named {@code id}, or a snapshot it
     *     started from or installed named it as removed (it was a member once, its addition not just appended by a
     *     leader that lost its leadership).
     */
    boolean namedByCommitted(final ServerId id, final long committed)
    {
        if (namedBySnapshots.contains(id))
        {
            return true;
        }
        for (final Config config : configs)
        {
            if (config.index <= committed)
            {
                for (final Member m : config.members)
                {
                    if (m.id().equals(id))
                    {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    List<Member> current()
    {
        return configs.get(configs.size() - 1).members;
    }

    long currentIndex()
    {
        return configs.get(configs.size() - 1).index;
    }

    void add(final long index, final List<Member> members)
    {
        if (index <= currentIndex())
        {
            throw new IllegalStateException("configuration at " + index + " not after " + currentIndex());
        }
        configs.add(new Config(index, List.copyOf(members)));
    }

    /**
     * Forget configurations at or above {@code index} (their entries were truncated).
     */
    void truncateFrom(final long index)
    {
        while (configs.size() > 1 && configs.get(configs.size() - 1).index >= index)
        {
            configs.remove(configs.size() - 1);
        }
        if (configs.get(0).index >= index && configs.get(0).index > 0)
        {
            throw new IllegalStateException("truncating at " + index + " removes the base configuration");
        }
    }

    /**
     * @return the configuration in force at {@code index}.
     */
    List<Member> at(final long index)
    {
        return inForceAt(index).members;
    }

    /**
     * @return the index of the configuration in force at {@code index} (the oldest known if none is that old).
     */
    long indexAt(final long index)
    {
        return inForceAt(index).index;
    }

    private Config inForceAt(final long index)
    {
        for (int i = configs.size() - 1; i >= 0; i--)
        {
            if (configs.get(i).index <= index)
            {
                return configs.get(i);
            }
        }
        return configs.get(0);
    }

    /**
     * Replace everything with the configuration of an installed snapshot.
     *
     * @param removed the servers the snapshot names as removed, the most recently named last.
     */
    void reset(final long index, final List<Member> members, final List<ServerId> removed)
    {
        configs.clear();
        configs.add(new Config(index, List.copyOf(members)));
        for (final ServerId id : removed)
        {
            namedBySnapshots.remove(id);
            namedBySnapshots.add(id);
        }
        remember(members);
    }

    /**
     * Drop configurations wholly superseded at or below {@code index} (a snapshot now covers them).
     */
    void compactUpTo(final long index)
    {
        while (configs.size() > 1 && configs.get(1).index <= index)
        {
            remember(configs.remove(0).members);
        }
    }
}

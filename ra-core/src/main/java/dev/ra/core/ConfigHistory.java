package dev.ra.core;

import dev.ra.protocol.Member;
import java.util.ArrayList;
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

    ConfigHistory(final long index, final List<Member> members)
    {
        configs.add(new Config(index, List.copyOf(members)));
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
        for (int i = configs.size() - 1; i >= 0; i--)
        {
            if (configs.get(i).index <= index)
            {
                return configs.get(i).members;
            }
        }
        return configs.get(0).members;
    }

    /**
     * Replace everything with the configuration of an installed snapshot.
     */
    void reset(final long index, final List<Member> members)
    {
        configs.clear();
        configs.add(new Config(index, List.copyOf(members)));
    }

    /**
     * Drop configurations wholly superseded at or below {@code index} (a snapshot now covers them).
     */
    void compactUpTo(final long index)
    {
        while (configs.size() > 1 && configs.get(1).index <= index)
        {
            configs.remove(0);
        }
    }
}

package dev.ra.sim;

import dev.ra.core.ServerCore;
import dev.ra.protocol.EntryPayload;
import dev.ra.protocol.LogEntry;
import dev.ra.protocol.Member;
import java.util.ArrayList;
import java.util.List;

/**
 * The configuration entries in one core's log, kept up to date incrementally: after every simulation step only the
 * entries appended since the last look are read, and the whole log is read again only when it was truncated or
 * replaced by a snapshot (the entry last looked at changed).
 */
final class ConfigEntries
{
    private final ArrayList<LogEntry> configs = new ArrayList<>();
    private long scannedUpTo;
    private long termAtScanned;

    /** Forget everything: the member restarted or was wiped. */
    void reset()
    {
        configs.clear();
        scannedUpTo = 0;
        termAtScanned = 0;
    }

    /**
     * @param core whose log to follow.
     */
    void update(final ServerCore core)
    {
        final long last = core.lastIndex();
        if (scannedUpTo > last || (scannedUpTo > 0 && core.termAt(scannedUpTo) != termAtScanned) ||
            scannedUpTo < core.snapshotIndex())
        {
            reset();
        }
        final long from = Math.max(scannedUpTo, core.snapshotIndex()) + 1;
        for (long i = from; i <= last; i++)
        {
            final LogEntry entry = core.entryAt(i);
            if (null != entry && entry.payload() instanceof EntryPayload.ClusterChange)
            {
                configs.add(entry);
            }
        }
        scannedUpTo = last;
        termAtScanned = core.termAt(last);
    }

    /**
     * @param above an index.
     * @return the newest configuration entry above {@code above}, or null.
     */
    LogEntry lastAbove(final long above)
    {
        if (configs.isEmpty())
        {
            return null;
        }
        final LogEntry last = configs.get(configs.size() - 1);
        return last.index() > above ? last : null;
    }

    /**
     * @param above an index.
     * @return how many configuration entries lie above it.
     */
    int countAbove(final long above)
    {
        int count = 0;
        for (int i = configs.size() - 1; i >= 0 && configs.get(i).index() > above; i--)
        {
            count++;
        }
        return count;
    }

    /**
     * @param index an index.
     * @return the newest configuration entry at or below {@code index}, or null if none was scanned.
     */
    LogEntry lastAtOrBelow(final long index)
    {
        for (int i = configs.size() - 1; i >= 0; i--)
        {
            if (configs.get(i).index() <= index)
            {
                return configs.get(i);
            }
        }
        return null;
    }

    static List<Member> members(final LogEntry configEntry)
    {
        return ((EntryPayload.ClusterChange)configEntry.payload()).members();
    }
}

package dev.ra.examples.support;

import dev.ra.ProcessRef;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The entries of a {@link ClientSequences}, least recently used first, as an immutable list that is also indexed: by
 * client and process (to find a command's client), by use (the least recently used go first) and by log time of the
 * last command (the idle go). Each change copies only the paths it changes in the three trees, so a numbered command
 * costs O(log n) at any number of clients remembered, where copying the whole list cost O(n). Its order and contents
 * are those of the list it stands for, which is what snapshots hold (the generic codec writes it as any list).
 */
final class SequenceEntries extends AbstractList<ClientSequences.Entry>
{
    /** A client and process's place in the use order, and the log time of its last command. */
    private record Use(long stamp, long lastMs)
    {
    }

    /** The key of the idle order: the oldest last command first, then the least recently used. */
    private record Idle(long lastMs, long stamp)
    {
    }

    private static final Comparator<ClientSequences.Caller> BY_CALLER = Comparator
        .comparing((ClientSequences.Caller caller) -> caller.process().node())
        .thenComparingLong(caller -> caller.process().id())
        .thenComparing(ClientSequences.Caller::client);
    private static final Comparator<Idle> BY_IDLE = Comparator.comparingLong(Idle::lastMs)
        .thenComparingLong(Idle::stamp);

    static final SequenceEntries EMPTY = new SequenceEntries(SortedTree.empty(BY_CALLER),
        SortedTree.empty(Long::compare), SortedTree.empty(BY_IDLE), 0);

    private final SortedTree<ClientSequences.Caller, Use> byCaller;
    private final SortedTree<Long, ClientSequences.Entry> byUse;
    private final SortedTree<Idle, ClientSequences.Caller> byIdle;
    /** The stamp of the next entry used: above every stamp held. */
    private final long nextStamp;

    private SequenceEntries(final SortedTree<ClientSequences.Caller, Use> byCaller,
        final SortedTree<Long, ClientSequences.Entry> byUse, final SortedTree<Idle, ClientSequences.Caller> byIdle,
        final long nextStamp)
    {
        this.byCaller = byCaller;
        this.byUse = byUse;
        this.byIdle = byIdle;
        this.nextStamp = nextStamp;
    }

    /**
     * @param entries least recently used first; of a client and process given twice, the later one is kept.
     * @return them, indexed.
     */
    static SequenceEntries of(final List<ClientSequences.Entry> entries)
    {
        if (entries instanceof SequenceEntries indexed)
        {
            return indexed;
        }
        SequenceEntries indexed = EMPTY;
        for (final ClientSequences.Entry entry : entries)
        {
            indexed = indexed.withoutCaller(entry.caller()).withNewest(entry);
        }
        return indexed;
    }

    @Override
    public ClientSequences.Entry get(final int index)
    {
        return byUse.valueAt(index);
    }

    @Override
    public int size()
    {
        return byUse.size();
    }

    /**
     * @return the entry of the client about the process, or null.
     */
    ClientSequences.Entry find(final String client, final ProcessRef process)
    {
        final Use use = byCaller.get(new ClientSequences.Caller(client, process));
        return null == use ? null : byUse.get(use.stamp());
    }

    /**
     * @param entry to hold as the most recently used (its caller not held).
     * @return these entries with it.
     */
    SequenceEntries withNewest(final ClientSequences.Entry entry)
    {
        final long stamp = nextStamp;
        final long lastMs = entry.calls().lastMs();
        return new SequenceEntries(byCaller.put(entry.caller(), new Use(stamp, lastMs)), byUse.put(stamp, entry),
            byIdle.put(new Idle(lastMs, stamp), entry.caller()), stamp + 1);
    }

    /**
     * @return these entries without the caller's (this object if it has none).
     */
    SequenceEntries withoutCaller(final ClientSequences.Caller caller)
    {
        final Use use = byCaller.get(caller);
        return null == use ? this : new SequenceEntries(byCaller.remove(caller), byUse.remove(use.stamp()),
            byIdle.remove(new Idle(use.lastMs(), use.stamp())), nextStamp);
    }

    /**
     * @param nowMs     log time.
     * @param retainedMs how long an entry outlives its last command.
     * @return these entries without those whose last command is more than {@code retainedMs} before {@code nowMs}.
     */
    SequenceEntries withoutIdle(final long nowMs, final long retainedMs)
    {
        SequenceEntries kept = this;
        for (Idle oldest = byIdle.firstKey(); null != oldest && nowMs - oldest.lastMs() > retainedMs;
            oldest = kept.byIdle.firstKey())
        {
            kept = kept.withoutCaller(kept.byIdle.get(oldest));
        }
        return kept;
    }

    /**
     * @return these entries without the least recently used one; this object if empty.
     */
    SequenceEntries withoutLeastRecentlyUsed()
    {
        final Long first = byUse.firstKey();
        return null == first ? this : withoutCaller(byUse.get(first).caller());
    }

    /**
     * @return these entries without those about the process (every client's); this object if there were none.
     */
    SequenceEntries withoutProcess(final ProcessRef process)
    {
        final List<ClientSequences.Caller> about = new ArrayList<>();
        // The callers of one process are next to each other, from the empty client's place on.
        byCaller.forEachFrom(new ClientSequences.Caller("", process), (caller, use) ->
            caller.process().equals(process) && about.add(caller));
        SequenceEntries kept = this;
        for (final ClientSequences.Caller caller : about)
        {
            kept = kept.withoutCaller(caller);
        }
        return kept;
    }
}

package dev.ra.examples.txn;

import dev.ra.examples.support.InsertionOrderedMap;
import dev.ra.examples.support.SortedTree;
import java.util.AbstractMap;
import java.util.Comparator;
import java.util.Map;
import java.util.Set;

/**
 * A participant's decided transactions (their final status by id, in the order decided), as an immutable map
 * indexed also by the stamp of the stamped ids ({@link TransferIds}), so that those stamped up to a watermark are
 * forgotten at a cost of O(log n) each, without looking at the others. Its contents and order are those of the map it
 * stands for, which is what snapshots hold: {@link ParticipantState} indexes the map it decodes again.
 */
final class DecidedIds extends AbstractMap<String, TxStatus>
{
    /** A stamped id, in stamp order. */
    private record Stamped(long stamp, String txId)
    {
    }

    private static final Comparator<Stamped> BY_STAMP = Comparator.comparingLong(Stamped::stamp)
        .thenComparing(Stamped::txId);

    static final DecidedIds EMPTY = new DecidedIds(InsertionOrderedMap.empty(), SortedTree.empty(BY_STAMP));

    private final InsertionOrderedMap<String, TxStatus> statuses;
    private final SortedTree<Stamped, String> stamped;

    private DecidedIds(final InsertionOrderedMap<String, TxStatus> statuses, final SortedTree<Stamped, String> stamped)
    {
        this.statuses = statuses;
        this.stamped = stamped;
    }

    /**
     * @param decided statuses by id, in their order.
     * @return {@code decided} itself if it is one, else them indexed.
     */
    static DecidedIds of(final Map<String, TxStatus> decided)
    {
        if (decided instanceof DecidedIds indexed)
        {
            return indexed;
        }
        DecidedIds indexed = EMPTY;
        for (final Map.Entry<String, TxStatus> entry : decided.entrySet())
        {
            indexed = indexed.with(entry.getKey(), entry.getValue());
        }
        return indexed;
    }

    /**
     * @return these with the status of {@code txId}; one held keeps its place.
     */
    DecidedIds with(final String txId, final TxStatus status)
    {
        final long stamp = TransferIds.stampOf(txId);
        return new DecidedIds(statuses.with(txId, status),
            stamp > 0 ? stamped.put(new Stamped(stamp, txId), txId) : stamped);
    }

    /**
     * @param watermark a stamp.
     * @return these without the stamped ids of a stamp up to {@code watermark}; this object if there are none.
     */
    DecidedIds withoutStampedThrough(final long watermark)
    {
        InsertionOrderedMap<String, TxStatus> kept = statuses;
        SortedTree<Stamped, String> keptStamped = stamped;
        for (Stamped first = keptStamped.firstKey(); null != first && first.stamp() <= watermark;
            first = keptStamped.firstKey())
        {
            kept = kept.without(first.txId());
            keptStamped = keptStamped.remove(first);
        }
        return kept == statuses ? this : new DecidedIds(kept, keptStamped);
    }

    @Override
    public TxStatus get(final Object txId)
    {
        return statuses.get(txId);
    }

    @Override
    public boolean containsKey(final Object txId)
    {
        return statuses.containsKey(txId);
    }

    @Override
    public int size()
    {
        return statuses.size();
    }

    @Override
    public Set<Map.Entry<String, TxStatus>> entrySet()
    {
        return statuses.entrySet();
    }
}

package dev.ra.examples.txn;

import dev.ra.examples.support.SortedTree;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;

/**
 * The coordinator's transactions by id, as an immutable map that iterates in the order they were placed (their
 * begin, or for {@link #withLast} their finish), indexed so that a change costs O(log n) at any number of
 * transactions held, where copying the map cost O(n): each change copies only the paths it changes in trees by id,
 * by place, by place among the unfinished ones, and by stamp among the finished ones of stamped ids
 * ({@link TransferIds}). The unfinished ones are walked without touching the finished ones (a driver's pass), and the
 * finished one of the oldest stamp is found at once (the one the coordinator forgets first). Its contents and order
 * are those of the map it stands for, which is what snapshots hold: the generic codec writes it as any map, and
 * {@link CoordinatorState} indexes the map it decodes again.
 */
final class TransactionLog extends AbstractMap<String, Transaction>
{
    /** A transaction and its place. */
    private record Slot(long place, Transaction transaction)
    {
    }

    /** Stamped ids by stamp, then by id. */
    private static final Comparator<String> BY_STAMP =
        Comparator.comparingLong(TransferIds::stampOf).thenComparing(Comparator.naturalOrder());

    static final TransactionLog EMPTY = new TransactionLog(SortedTree.empty(Comparator.naturalOrder()),
        SortedTree.empty(Long::compare), SortedTree.empty(Long::compare), SortedTree.empty(BY_STAMP), 0);

    private final SortedTree<String, Slot> byId;
    private final SortedTree<Long, String> byPlace;
    private final SortedTree<Long, String> unfinished;
    /** The finished transactions of stamped ids, oldest stamp first: those the coordinator may forget. */
    private final SortedTree<String, Long> forgettable;
    /** The place of the next transaction placed: after every place held. */
    private final long nextPlace;

    private TransactionLog(final SortedTree<String, Slot> byId, final SortedTree<Long, String> byPlace,
        final SortedTree<Long, String> unfinished, final SortedTree<String, Long> forgettable, final long nextPlace)
    {
        this.byId = byId;
        this.byPlace = byPlace;
        this.unfinished = unfinished;
        this.forgettable = forgettable;
        this.nextPlace = nextPlace;
    }

    /**
     * @param transactions by id, in their order.
     * @return {@code transactions} itself if it is one, else a log of them in their order.
     */
    static TransactionLog of(final Map<String, Transaction> transactions)
    {
        if (transactions instanceof TransactionLog indexed)
        {
            return indexed;
        }
        TransactionLog indexed = EMPTY;
        for (final Map.Entry<String, Transaction> entry : transactions.entrySet())
        {
            indexed = indexed.with(entry.getKey(), entry.getValue());
        }
        return indexed;
    }

    /**
     * @return this log with the transaction under {@code txId}; one already held keeps its place.
     */
    TransactionLog with(final String txId, final Transaction transaction)
    {
        final Slot held = byId.get(Objects.requireNonNull(txId, "txId"));
        return null == held ? placed(txId, transaction, nextPlace, nextPlace + 1) :
            without(txId).placed(txId, transaction, held.place(), nextPlace);
    }

    /**
     * @return this log with the transaction under {@code txId}, placed after every other.
     */
    TransactionLog withLast(final String txId, final Transaction transaction)
    {
        return without(txId).placed(txId, transaction, nextPlace, nextPlace + 1);
    }

    /**
     * @return this log without the transaction of {@code txId}; this log if it holds none.
     */
    TransactionLog without(final String txId)
    {
        final Slot held = byId.get(txId);
        if (null == held)
        {
            return this;
        }
        return new TransactionLog(byId.remove(txId), byPlace.remove(held.place()), unfinished.remove(held.place()),
            forgettable.remove(txId), nextPlace);
    }

    /**
     * @return the ids of the transactions that have not ended, in their order; costs their number, not all.
     */
    List<String> unfinishedIds()
    {
        final List<String> ids = new ArrayList<>(unfinished.size());
        unfinished.forEachFrom(Long.MIN_VALUE, (place, txId) -> ids.add(txId));
        return ids;
    }

    /**
     * @return how many of the transactions held have ended and have stamped ids.
     */
    int forgettableCount()
    {
        return forgettable.size();
    }

    /**
     * @return the stamped id of the oldest stamp among the ended transactions, or null if there is none.
     */
    String firstForgettable()
    {
        return forgettable.firstKey();
    }

    @Override
    public Transaction get(final Object txId)
    {
        final Slot held = txId instanceof String id ? byId.get(id) : null;
        return null == held ? null : held.transaction();
    }

    @Override
    public boolean containsKey(final Object txId)
    {
        return null != get(txId);
    }

    @Override
    public int size()
    {
        return byPlace.size();
    }

    @Override
    public Set<Map.Entry<String, Transaction>> entrySet()
    {
        return new AbstractSet<>()
        {
            @Override
            public Iterator<Map.Entry<String, Transaction>> iterator()
            {
                return new Iterator<>()
                {
                    private int next;

                    @Override
                    public boolean hasNext()
                    {
                        return next < byPlace.size();
                    }

                    @Override
                    public Map.Entry<String, Transaction> next()
                    {
                        if (!hasNext())
                        {
                            throw new NoSuchElementException();
                        }
                        final String txId = byPlace.valueAt(next++);
                        return new SimpleImmutableEntry<>(txId, byId.get(txId).transaction());
                    }
                };
            }

            @Override
            public int size()
            {
                return byPlace.size();
            }
        };
    }

    private TransactionLog placed(final String txId, final Transaction transaction, final long place,
        final long next)
    {
        Objects.requireNonNull(transaction, "transaction");
        final boolean ended = transaction.phase().isFinal();
        final boolean mayForget = ended && TransferIds.stampOf(txId) > 0;
        return new TransactionLog(byId.put(txId, new Slot(place, transaction)), byPlace.put(place, txId),
            ended ? unfinished : unfinished.put(place, txId), mayForget ? forgettable.put(txId, place) : forgettable,
            next);
    }
}

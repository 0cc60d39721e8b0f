package dev.ra.examples.support;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Comparator;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;

/**
 * An immutable map that iterates in insertion order, as the {@link Persistent} copies of a {@code LinkedHashMap} do,
 * but of which a change copies only the paths it changes in two trees (by key, and by insertion stamp): a put or a
 * remove costs O(log n) time and allocations where a copy cost O(n), and the map before it stays as it was. Its
 * contents and order are those of the map it stands for, which is what snapshots hold: the generic codec writes it
 * as any map, and a state's constructor indexes the map it decodes again with {@link #of}.
 *
 * @param <K> key type, compared by its natural order in the index (never by hash, so the structure is deterministic).
 * @param <V> value type.
 */
public final class InsertionOrderedMap<K extends Comparable<? super K>, V> extends AbstractMap<K, V>
{
    /** A value and its place in the insertion order. */
    private record Slot<V>(long stamp, V value)
    {
    }

    private final SortedTree<K, Slot<V>> byKey;
    private final SortedTree<Long, K> byStamp;
    /** The stamp of the next key inserted: above every stamp held. */
    private final long nextStamp;

    private InsertionOrderedMap(final SortedTree<K, Slot<V>> byKey, final SortedTree<Long, K> byStamp,
        final long nextStamp)
    {
        this.byKey = byKey;
        this.byStamp = byStamp;
        this.nextStamp = nextStamp;
    }

    /**
     * @param <K> key type.
     * @param <V> value type.
     * @return an empty map.
     */
    public static <K extends Comparable<? super K>, V> InsertionOrderedMap<K, V> empty()
    {
        final SortedTree<K, Slot<V>> byKey = SortedTree.empty(Comparator.naturalOrder());
        final SortedTree<Long, K> byStamp = SortedTree.empty(Long::compare);
        return new InsertionOrderedMap<>(byKey, byStamp, 0);
    }

    /**
     * @param map to index, in its iteration order; no null key or value.
     * @param <K> key type.
     * @param <V> value type.
     * @return {@code map} itself if it is one, else a map of its entries in its order.
     */
    public static <K extends Comparable<? super K>, V> InsertionOrderedMap<K, V> of(final Map<K, V> map)
    {
        if (map instanceof InsertionOrderedMap<K, V> indexed)
        {
            return indexed;
        }
        InsertionOrderedMap<K, V> indexed = empty();
        for (final Map.Entry<K, V> entry : map.entrySet())
        {
            indexed = indexed.with(entry.getKey(), entry.getValue());
        }
        return indexed;
    }

    /**
     * @param key   to bind.
     * @param value to bind it to.
     * @return the map with it; a key already held keeps its place.
     */
    public InsertionOrderedMap<K, V> with(final K key, final V value)
    {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        final Slot<V> held = byKey.get(key);
        if (null != held)
        {
            return new InsertionOrderedMap<>(byKey.put(key, new Slot<>(held.stamp(), value)), byStamp, nextStamp);
        }
        return new InsertionOrderedMap<>(byKey.put(key, new Slot<>(nextStamp, value)), byStamp.put(nextStamp, key),
            nextStamp + 1);
    }

    /**
     * @param key to remove.
     * @return the map without it; this map if it holds none.
     */
    public InsertionOrderedMap<K, V> without(final K key)
    {
        final Slot<V> held = byKey.get(key);
        return null == held ? this :
            new InsertionOrderedMap<>(byKey.remove(key), byStamp.remove(held.stamp()), nextStamp);
    }

    /**
     * @return the key inserted first of those held, or null if empty.
     */
    public K firstKey()
    {
        final Long first = byStamp.firstKey();
        return null == first ? null : byStamp.get(first);
    }

    @Override
    public V get(final Object key)
    {
        final Slot<V> held = find(key);
        return null == held ? null : held.value();
    }

    @Override
    public boolean containsKey(final Object key)
    {
        return null != find(key);
    }

    @Override
    public int size()
    {
        return byStamp.size();
    }

    @Override
    public Set<Map.Entry<K, V>> entrySet()
    {
        return new AbstractSet<>()
        {
            @Override
            public Iterator<Map.Entry<K, V>> iterator()
            {
                return new Iterator<>()
                {
                    private int next;

                    @Override
                    public boolean hasNext()
                    {
                        return next < byStamp.size();
                    }

                    @Override
                    public Map.Entry<K, V> next()
                    {
                        if (!hasNext())
                        {
                            throw new NoSuchElementException();
                        }
                        final K key = byStamp.valueAt(next++);
                        return new SimpleImmutableEntry<>(key, byKey.get(key).value());
                    }
                };
            }

            @Override
            public int size()
            {
                return byStamp.size();
            }
        };
    }

    @SuppressWarnings("unchecked")
    private Slot<V> find(final Object key)
    {
        if (null == key)
        {
            return null;
        }
        try
        {
            return byKey.get((K)key);
        }
        catch (final ClassCastException otherType)
        {
            // A key of another type is not held, as a HashMap would answer.
            return null;
        }
    }
}

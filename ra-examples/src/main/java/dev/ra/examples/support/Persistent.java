package dev.ra.examples.support;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Copy-on-write operations on the unmodifiable maps and lists that machine states are made of.
 *
 * <p>Every operation returns a new unmodifiable collection and leaves its argument untouched, so a state that is
 * still referenced (by a snapshot being written, by a query, by a test comparing before and after) never changes.
 * Maps keep insertion order: a machine that iterates its state to produce effects must produce them in the same order
 * on every member and after a snapshot round-trip, which {@link java.util.HashMap} (and {@code Map.of}, whose order is
 * randomised per JVM) would not guarantee. The generic codec decodes maps in encoded order, so the order survives
 * snapshots.
 *
 * <p>Copying costs O(n) per change. That is fine for the coordination state these tools keep (locks, groups, a task
 * backlog); a machine holding large data should use a persistent (structure-sharing) collection instead.
 */
public final class Persistent
{
    private Persistent()
    {
    }

    /**
     * The map with {@code key} bound to {@code value}; an existing key keeps its position.
     *
     * @param map   to copy.
     * @param key   to bind.
     * @param value to bind it to.
     * @param <K>   key type.
     * @param <V>   value type.
     * @return a new unmodifiable map.
     */
    public static <K, V> Map<K, V> put(final Map<K, V> map, final K key, final V value)
    {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        final Map<K, V> copy = new LinkedHashMap<>(map);
        copy.put(key, value);
        return Collections.unmodifiableMap(copy);
    }

    /**
     * The map without {@code key}; the same map if the key is absent.
     *
     * @param map to copy.
     * @param key to remove.
     * @param <K> key type.
     * @param <V> value type.
     * @return a new unmodifiable map, or {@code map} itself when nothing changes.
     */
    public static <K, V> Map<K, V> remove(final Map<K, V> map, final K key)
    {
        if (!map.containsKey(key))
        {
            return map;
        }
        final Map<K, V> copy = new LinkedHashMap<>(map);
        copy.remove(key);
        return Collections.unmodifiableMap(copy);
    }

    /**
     * The list with {@code element} added at the end.
     *
     * @param list    to copy.
     * @param element to append.
     * @param <T>     element type.
     * @return a new unmodifiable list.
     */
    public static <T> List<T> append(final List<T> list, final T element)
    {
        Objects.requireNonNull(element, "element");
        final List<T> copy = new ArrayList<>(list.size() + 1);
        copy.addAll(list);
        copy.add(element);
        return Collections.unmodifiableList(copy);
    }

    /**
     * The list with {@code element} added at the front.
     *
     * @param list    to copy.
     * @param element to prepend.
     * @param <T>     element type.
     * @return a new unmodifiable list.
     */
    public static <T> List<T> prepend(final List<T> list, final T element)
    {
        Objects.requireNonNull(element, "element");
        final List<T> copy = new ArrayList<>(list.size() + 1);
        copy.add(element);
        copy.addAll(list);
        return Collections.unmodifiableList(copy);
    }

    /**
     * The list without its elements that match {@code filter}; the same list if none match.
     *
     * @param list   to copy.
     * @param filter selecting the elements to drop.
     * @param <T>    element type.
     * @return a new unmodifiable list, or {@code list} itself when nothing changes.
     */
    public static <T> List<T> removeIf(final List<T> list, final Predicate<? super T> filter)
    {
        final List<T> copy = new ArrayList<>(list.size());
        for (final T t : list)
        {
            if (!filter.test(t))
            {
                copy.add(t);
            }
        }
        return copy.size() == list.size() ? list : Collections.unmodifiableList(copy);
    }

    /**
     * The list without its first element.
     *
     * @param list to copy; must not be empty.
     * @param <T>  element type.
     * @return a new unmodifiable list.
     */
    public static <T> List<T> tail(final List<T> list)
    {
        if (list.isEmpty())
        {
            throw new IllegalArgumentException("tail of an empty list");
        }
        return Collections.unmodifiableList(new ArrayList<>(list.subList(1, list.size())));
    }

    /**
     * The list with the element at {@code index} replaced.
     *
     * @param list    to copy.
     * @param index   of the element to replace.
     * @param element to put there.
     * @param <T>     element type.
     * @return a new unmodifiable list.
     */
    public static <T> List<T> set(final List<T> list, final int index, final T element)
    {
        Objects.requireNonNull(element, "element");
        final List<T> copy = new ArrayList<>(list);
        copy.set(index, element);
        return Collections.unmodifiableList(copy);
    }
}

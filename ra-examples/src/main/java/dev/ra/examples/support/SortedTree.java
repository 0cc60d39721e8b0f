package dev.ra.examples.support;

import java.util.Comparator;
import java.util.Objects;
import java.util.function.BiPredicate;

/**
 * An immutable sorted map: a balanced (AVL) tree of which each change copies only the path to the key changed, so a
 * change costs O(log n) time and allocations and the map before it stays as it was (a machine's state keeps both
 * sides of an apply). Deterministic: its order is the comparator's, never a hash's. Null keys and values are not
 * held.
 *
 * @param <K> key type.
 * @param <V> value type.
 */
public final class SortedTree<K, V>
{
    private final Comparator<? super K> order;
    private final Node<K, V> root;

    private SortedTree(final Comparator<? super K> order, final Node<K, V> root)
    {
        this.order = order;
        this.root = root;
    }

    /**
     * @param order of the keys.
     * @param <K>   key type.
     * @param <V>   value type.
     * @return an empty map.
     */
    public static <K, V> SortedTree<K, V> empty(final Comparator<? super K> order)
    {
        return new SortedTree<>(order, null);
    }

    /**
     * @return how many keys it holds.
     */
    public int size()
    {
        return sizeOf(root);
    }

    /**
     * @param key to look up.
     * @return its value, or null.
     */
    public V get(final K key)
    {
        Node<K, V> node = root;
        while (null != node)
        {
            final int c = order.compare(key, node.key);
            if (0 == c)
            {
                return node.value;
            }
            node = c < 0 ? node.left : node.right;
        }
        return null;
    }

    /**
     * @param key   to map.
     * @param value to map it to.
     * @return the map with it.
     * @throws NullPointerException naming the key or the value, if null.
     */
    public SortedTree<K, V> put(final K key, final V value)
    {
        // A null value would be held but read as absent: remove would leave it, and size count it.
        Objects.requireNonNull(key, "SortedTree.put: key");
        Objects.requireNonNull(value, "SortedTree.put: value");
        return new SortedTree<>(order, put(root, key, value));
    }

    /**
     * @param key to remove.
     * @return the map without it (this one if it held none).
     */
    public SortedTree<K, V> remove(final K key)
    {
        return null == get(key) ? this : new SortedTree<>(order, remove(root, key));
    }

    /**
     * @return the lowest key, or null if empty.
     */
    public K firstKey()
    {
        Node<K, V> node = root;
        if (null == node)
        {
            return null;
        }
        while (null != node.left)
        {
            node = node.left;
        }
        return node.key;
    }

    /**
     * @param index from 0, in key order, below {@link #size()}.
     * @return the value at that position.
     */
    public V valueAt(final int index)
    {
        if (index < 0 || index >= size())
        {
            throw new IndexOutOfBoundsException("index " + index + ", size " + size());
        }
        Node<K, V> node = root;
        int at = index;
        while (true)
        {
            final int left = sizeOf(node.left);
            if (at == left)
            {
                return node.value;
            }
            if (at < left)
            {
                node = node.left;
            }
            else
            {
                at -= left + 1;
                node = node.right;
            }
        }
    }

    /**
     * Visit the keys from {@code from} on, in order, while the visitor answers true.
     *
     * @param from    the lowest key to visit (held or not).
     * @param visitor of each key and value; false stops.
     */
    public void forEachFrom(final K from, final BiPredicate<? super K, ? super V> visitor)
    {
        visitFrom(root, from, visitor);
    }

    private boolean visitFrom(final Node<K, V> node, final K from, final BiPredicate<? super K, ? super V> visitor)
    {
        if (null == node)
        {
            return true;
        }
        if (order.compare(from, node.key) <= 0)
        {
            if (!visitFrom(node.left, from, visitor) || !visitor.test(node.key, node.value))
            {
                return false;
            }
        }
        return visitFrom(node.right, from, visitor);
    }

    private Node<K, V> put(final Node<K, V> node, final K key, final V value)
    {
        if (null == node)
        {
            return new Node<>(key, value, null, null);
        }
        final int c = order.compare(key, node.key);
        if (0 == c)
        {
            return new Node<>(key, value, node.left, node.right);
        }
        return c < 0 ? balance(node.key, node.value, put(node.left, key, value), node.right) :
            balance(node.key, node.value, node.left, put(node.right, key, value));
    }

    private Node<K, V> remove(final Node<K, V> node, final K key)
    {
        final int c = order.compare(key, node.key);
        if (c < 0)
        {
            return balance(node.key, node.value, remove(node.left, key), node.right);
        }
        if (c > 0)
        {
            return balance(node.key, node.value, node.left, remove(node.right, key));
        }
        if (null == node.left)
        {
            return node.right;
        }
        if (null == node.right)
        {
            return node.left;
        }
        Node<K, V> first = node.right;
        while (null != first.left)
        {
            first = first.left;
        }
        return balance(first.key, first.value, node.left, removeFirst(node.right));
    }

    private Node<K, V> removeFirst(final Node<K, V> node)
    {
        return null == node.left ? node.right : balance(node.key, node.value, removeFirst(node.left), node.right);
    }

    /** A node of these children, rotated once or twice if their heights differ by more than one. */
    private static <K, V> Node<K, V> balance(final K key, final V value, final Node<K, V> left,
        final Node<K, V> right)
    {
        final int leftHeight = heightOf(left);
        final int rightHeight = heightOf(right);
        if (leftHeight > rightHeight + 1)
        {
            if (heightOf(left.left) >= heightOf(left.right))
            {
                return new Node<>(left.key, left.value, left.left, new Node<>(key, value, left.right, right));
            }
            final Node<K, V> middle = left.right;
            return new Node<>(middle.key, middle.value, new Node<>(left.key, left.value, left.left, middle.left),
                new Node<>(key, value, middle.right, right));
        }
        if (rightHeight > leftHeight + 1)
        {
            if (heightOf(right.right) >= heightOf(right.left))
            {
                return new Node<>(right.key, right.value, new Node<>(key, value, left, right.left), right.right);
            }
            final Node<K, V> middle = right.left;
            return new Node<>(middle.key, middle.value, new Node<>(key, value, left, middle.left),
                new Node<>(right.key, right.value, middle.right, right.right));
        }
        return new Node<>(key, value, left, right);
    }

    private static int heightOf(final Node<?, ?> node)
    {
        return null == node ? 0 : node.height;
    }

    private static int sizeOf(final Node<?, ?> node)
    {
        return null == node ? 0 : node.size;
    }

    /** Immutable; its height and size are its children's, counted once when made. */
    private static final class Node<K, V>
    {
        final K key;
        final V value;
        final Node<K, V> left;
        final Node<K, V> right;
        final int height;
        final int size;

        Node(final K key, final V value, final Node<K, V> left, final Node<K, V> right)
        {
            this.key = key;
            this.value = value;
            this.left = left;
            this.right = right;
            this.height = 1 + Math.max(heightOf(left), heightOf(right));
            this.size = 1 + sizeOf(left) + sizeOf(right);
        }
    }
}

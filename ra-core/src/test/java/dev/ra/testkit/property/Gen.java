package dev.ra.testkit.property;

import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A generator of random values for {@link Property} checks. It takes every random decision through {@link Choices},
 * which makes values reproducible from a seed and shrinkable. Generators combine as plain lambdas:
 * {@code Gen<Point> points = c -> new Point(xs.next(c), ys.next(c));}.
 *
 * @param <T> type of the values.
 */
@FunctionalInterface
public interface Gen<T>
{
    /**
     * @param choices to take every random decision from.
     * @return a value.
     */
    T next(Choices choices);

    /**
     * @param mapper of each value.
     * @param <R>    type of the mapped values.
     * @return a generator of mapped values.
     */
    default <R> Gen<R> map(final Function<? super T, ? extends R> mapper)
    {
        return c -> mapper.apply(next(c));
    }

    /**
     * @param minSize smallest size.
     * @param maxSize largest size.
     * @return a generator of lists of this generator's values, of any size in [minSize, maxSize] (smaller ones more
     * often, both ends as edge cases); shrinks by dropping elements.
     */
    default Gen<List<T>> list(final int minSize, final int maxSize)
    {
        if (minSize < 0 || minSize > maxSize)
        {
            throw new IllegalArgumentException("bad size range [" + minSize + ", " + maxSize + "]");
        }
        return c ->
        {
            final int planned = c.plannedSize(minSize, maxSize);
            final List<T> list = new ArrayList<>();
            while (c.more(list.size(), minSize, maxSize, planned))
            {
                list.add(next(c));
            }
            return list;
        };
    }

    /**
     * @param probability of a null, in [0, 1] (to two decimals).
     * @return a generator that gives null with the given probability, else this generator's values.
     */
    default Gen<T> orNull(final double probability)
    {
        final long percent = Math.round(probability * 100);
        return c -> c.between(0, 99) >= 100 - percent ? null : next(c);
    }

    /**
     * @param seed  of the samples.
     * @param count of samples.
     * @return that many values, the same for the same seed.
     */
    default List<T> samples(final long seed, final int count)
    {
        final List<T> samples = new ArrayList<>(count);
        final Choices choices = Choices.fresh(seed);
        for (int i = 0; i < count; i++)
        {
            samples.add(next(choices));
        }
        return samples;
    }

    /**
     * @param min smallest value.
     * @param max largest value.
     * @return longs in [min, max].
     */
    static Gen<Long> longs(final long min, final long max)
    {
        return c -> c.between(min, max);
    }

    /**
     * @return any long, shrinking towards 0, with 0, 1, -1, {@code Long.MIN_VALUE} and {@code Long.MAX_VALUE} as
     * edge cases.
     */
    static Gen<Long> longs()
    {
        return longs(Long.MIN_VALUE, Long.MAX_VALUE);
    }

    /**
     * @param min smallest value.
     * @param max largest value.
     * @return ints in [min, max].
     */
    static Gen<Integer> ints(final int min, final int max)
    {
        return c -> (int)c.between(min, max);
    }

    /**
     * @return any int.
     */
    static Gen<Integer> ints()
    {
        return ints(Integer.MIN_VALUE, Integer.MAX_VALUE);
    }

    /**
     * @return any byte.
     */
    static Gen<Byte> bytes()
    {
        return c -> (byte)c.between(Byte.MIN_VALUE, Byte.MAX_VALUE);
    }

    /**
     * @param min   smallest value.
     * @param max   largest value.
     * @param scale number of decimals.
     * @return decimals in [min, max] with the given number of decimals.
     */
    static Gen<Double> decimals(final double min, final double max, final int scale)
    {
        final double unit = Math.pow(10, scale);
        final long low = Math.round(min * unit);
        final long high = Math.round(max * unit);
        return c -> c.between(low, high) / unit;
    }

    /**
     * @return any double, from any bit pattern (so NaNs, infinities, subnormals and -0.0 too), with 0, 1, -1, the
     * extremes, NaN and the infinities as edge cases.
     */
    static Gen<Double> doubles()
    {
        return oneOf(of(0.0, -0.0, 1.0, -1.0, Double.MIN_VALUE, -Double.MAX_VALUE, Double.MAX_VALUE, Double.NaN,
            Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY), longs().map(Double::longBitsToDouble),
            longs().map(l -> (double)l), decimals(-1000, 1000, 3));
    }

    /**
     * @return true or false.
     */
    static Gen<Boolean> booleans()
    {
        return c -> c.between(0, 1) == 1;
    }

    /**
     * @param values to pick from.
     * @param <T>    type of the values.
     * @return one of the values, shrinking towards the first.
     */
    @SafeVarargs
    @SuppressWarnings("varargs") // the array is only copied, never exposed
    static <T> Gen<T> of(final T... values)
    {
        final List<T> list = Arrays.asList(values.clone());
        return c -> list.get((int)c.between(0, list.size() - 1));
    }

    /**
     * @param type of an enum.
     * @param <E>  the enum.
     * @return one of its constants.
     */
    static <E extends Enum<E>> Gen<E> of(final Class<E> type)
    {
        return of(type.getEnumConstants());
    }

    /**
     * @param value the only value.
     * @param <T>   its type.
     * @return always that value.
     */
    static <T> Gen<T> constant(final T value)
    {
        return c -> value;
    }

    /**
     * @param generators to pick from, evenly.
     * @param <T>        type of the values.
     * @return a value of one of the generators, shrinking towards the first.
     */
    @SafeVarargs
    @SuppressWarnings("varargs") // the array is only copied, never exposed
    static <T> Gen<T> oneOf(final Gen<? extends T>... generators)
    {
        final List<Gen<? extends T>> list = List.of(generators);
        return c -> list.get((int)c.between(0, list.size() - 1)).next(c);
    }

    /**
     * @param weight    relative frequency, positive.
     * @param generator of the values.
     * @param <T>       type of the values.
     * @return the pair, for {@link #frequency}.
     */
    static <T> Weighted<T> weight(final int weight, final Gen<? extends T> generator)
    {
        return new Weighted<>(weight, generator);
    }

    /**
     * @param choices generators with their relative frequencies.
     * @param <T>     type of the values.
     * @return a value of one of the generators, picked by weight, shrinking towards the first.
     */
    @SafeVarargs
    @SuppressWarnings("varargs") // the array is only copied, never exposed
    static <T> Gen<T> frequency(final Weighted<? extends T>... choices)
    {
        final List<Weighted<? extends T>> list = List.of(choices);
        final int total = list.stream().mapToInt(Weighted::weight).sum();
        return c ->
        {
            long ticket = c.between(0, total - 1);
            for (final Weighted<? extends T> choice : list)
            {
                ticket -= choice.weight();
                if (ticket < 0)
                {
                    return choice.generator().next(c);
                }
            }
            throw new IllegalStateException("unreachable");
        };
    }

    /**
     * @param chars     of the strings.
     * @param minLength smallest length.
     * @param maxLength largest length.
     * @return strings of those characters.
     */
    static Gen<String> strings(final Gen<Character> chars, final int minLength, final int maxLength)
    {
        return chars.list(minLength, maxLength).map(list ->
        {
            final StringBuilder text = new StringBuilder(list.size());
            list.forEach(text::append);
            return text.toString();
        });
    }

    /**
     * @param from first character.
     * @param to   last character.
     * @return characters in [from, to].
     */
    static Gen<Character> chars(final char from, final char to)
    {
        return c -> (char)c.between(from, to);
    }

    /**
     * @return ASCII letters.
     */
    static Gen<Character> alpha()
    {
        return oneOf(chars('a', 'z'), chars('A', 'Z'));
    }

    /**
     * @return any character of the Basic Multilingual Plane except surrogates, noncharacters and private use
     * characters (so any string of them is valid UTF-16).
     */
    static Gen<Character> unicode()
    {
        return oneOf(chars(' ', '~'), chars('\u0000', '\uD7FF'), chars('\uF900', '\uFDCF'), chars('\uFDF0', '\uFFFD'));
    }

    /**
     * @param minSize smallest length.
     * @param maxSize largest length.
     * @return byte arrays.
     */
    static Gen<byte[]> byteArrays(final int minSize, final int maxSize)
    {
        return bytes().list(minSize, maxSize).map(list ->
        {
            final byte[] array = new byte[list.size()];
            for (int i = 0; i < array.length; i++)
            {
                array[i] = list.get(i);
            }
            return array;
        });
    }

    /**
     * @param keys    of the maps.
     * @param values  of the maps.
     * @param minSize smallest number of entries drawn.
     * @param maxSize largest number of entries drawn (and so of the map's size; drawn keys may repeat).
     * @param <K>     type of the keys.
     * @param <V>     type of the values.
     * @return maps.
     */
    static <K, V> Gen<Map<K, V>> maps(final Gen<K> keys, final Gen<V> values, final int minSize, final int maxSize)
    {
        final Gen<Map.Entry<K, V>> entries = c -> new AbstractMap.SimpleEntry<>(keys.next(c), values.next(c));
        return entries.list(minSize, maxSize).map(list ->
        {
            final Map<K, V> map = new HashMap<>();
            list.forEach(e -> map.put(e.getKey(), e.getValue()));
            return map;
        });
    }

    /**
     * @param leaves   generator of the values without nesting.
     * @param nest     wraps a generator of values into one of values that contain them.
     * @param maxDepth largest nesting.
     * @param <T>      type of the values.
     * @return values nested 0 to maxDepth levels deep: at every level, half of the values are leaves.
     */
    static <T> Gen<T> recursive(final Gen<T> leaves, final Function<Gen<T>, Gen<T>> nest, final int maxDepth)
    {
        Gen<T> upToDepth = leaves;
        for (int depth = 1; depth <= maxDepth; depth++)
        {
            final Gen<T> nested = nest.apply(upToDepth);
            upToDepth = c -> c.between(0, 1) == 0 ? leaves.next(c) : nested.next(c);
        }
        return upToDepth;
    }

    /**
     * A generator with its relative frequency, for {@link #frequency}.
     *
     * @param weight    relative frequency, positive.
     * @param generator of the values.
     * @param <T>       type of the values.
     */
    record Weighted<T>(int weight, Gen<? extends T> generator)
    {
        /**
         * Validates the weight.
         */
        public Weighted
        {
            if (weight <= 0)
            {
                throw new IllegalArgumentException("weight must be positive: " + weight);
            }
        }
    }
}

package dev.ra.examples.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * {@link SortedTree} against a {@link TreeMap} on seeded random runs of puts and removes, and its refusal of nulls.
 */
class SortedTreeTest
{
    @Test
    void behavesAsATreeMapAndLeavesEachEarlierVersionAsItWas()
    {
        final long base = new Random().nextLong();
        for (long seed = base; seed < base + 50; seed++)
        {
            try
            {
                run(seed);
            }
            catch (final AssertionError | RuntimeException ex)
            {
                throw new AssertionError("failed with seed " + seed, ex);
            }
        }
    }

    @Test
    void refusesANullKeyOrValueNamingWhich()
    {
        final SortedTree<String, String> empty = SortedTree.empty(Comparator.naturalOrder());

        assertThatThrownBy(() -> empty.put("a", null)).isInstanceOf(NullPointerException.class)
            .hasMessageContaining("value");
        assertThatThrownBy(() -> empty.put(null, "x")).isInstanceOf(NullPointerException.class)
            .hasMessageContaining("key");
    }

    private static void run(final long seed)
    {
        final Random random = new Random(seed);
        final TreeMap<Integer, Integer> model = new TreeMap<>();
        SortedTree<Integer, Integer> tree = SortedTree.empty(Integer::compare);
        final List<SortedTree<Integer, Integer>> versions = new ArrayList<>();
        final List<Map<Integer, Integer>> contents = new ArrayList<>();
        for (int step = 0; step < 300; step++)
        {
            final int key = random.nextInt(60);
            if (random.nextInt(3) == 0)
            {
                tree = tree.remove(key);
                model.remove(key);
            }
            else
            {
                tree = tree.put(key, step);
                model.put(key, step);
            }
            versions.add(tree);
            contents.add(new TreeMap<>(model));
        }
        for (int i = 0; i < versions.size(); i++)
        {
            assertThat(contentsOf(versions.get(i))).as("version %d", i).isEqualTo(contents.get(i));
        }
        final int from = random.nextInt(60);
        final List<Integer> visited = new ArrayList<>();
        tree.forEachFrom(from, (k, v) -> visited.add(k) && visited.size() < 5);
        assertThat(visited).isEqualTo(model.tailMap(from, true).keySet().stream().limit(5).toList());
        assertThat(tree.firstKey()).isEqualTo(model.isEmpty() ? null : model.firstKey());
    }

    private static Map<Integer, Integer> contentsOf(final SortedTree<Integer, Integer> tree)
    {
        final Map<Integer, Integer> contents = new TreeMap<>();
        final List<Integer> keys = new ArrayList<>();
        tree.forEachFrom(Integer.MIN_VALUE, (k, v) -> keys.add(k));
        for (int i = 0; i < tree.size(); i++)
        {
            contents.put(keys.get(i), tree.valueAt(i));
            assertThat(tree.get(keys.get(i))).isEqualTo(tree.valueAt(i));
        }
        assertThat(keys).hasSize(tree.size());
        return contents;
    }
}

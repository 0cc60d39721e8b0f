package dev.ra.examples.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link InsertionOrderedMap} against a {@link LinkedHashMap} on seeded random runs: contents, order, equality and
 * hash both ways, every earlier version unchanged, and keys of another type not held.
 */
class InsertionOrderedMapTest
{
    @Test
    void behavesAsALinkedHashMap()
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

    private static void run(final long seed)
    {
        final Random random = new Random(seed);
        final Map<String, Integer> model = new LinkedHashMap<>();
        InsertionOrderedMap<String, Integer> map = InsertionOrderedMap.empty();
        final List<InsertionOrderedMap<String, Integer>> versions = new ArrayList<>();
        final List<Map<String, Integer>> contents = new ArrayList<>();
        for (int step = 0; step < 200; step++)
        {
            final String key = "k" + random.nextInt(40);
            if (random.nextInt(3) == 0)
            {
                map = map.without(key);
                model.remove(key);
            }
            else
            {
                map = map.with(key, step);
                model.put(key, step);
            }
            versions.add(map);
            contents.add(new LinkedHashMap<>(model));
        }
        for (int i = 0; i < versions.size(); i++)
        {
            final InsertionOrderedMap<String, Integer> version = versions.get(i);
            final Map<String, Integer> expected = contents.get(i);
            assertThat(List.copyOf(version.entrySet())).as("version %d, in order", i)
                .isEqualTo(List.copyOf(expected.entrySet()));
            assertThat(version).isEqualTo(expected);
            assertThat(expected).isEqualTo(version);
            assertThat(version.hashCode()).isEqualTo(expected.hashCode());
            assertThat(InsertionOrderedMap.of(new LinkedHashMap<>(expected)).keySet())
                .containsExactlyElementsOf(expected.keySet());
            assertThat(version.firstKey()).isEqualTo(expected.isEmpty() ? null : expected.keySet().iterator().next());
        }
        assertThat(map.get(7)).as("a key of another type").isNull();
        assertThat(map.containsKey(null)).isFalse();
    }
}

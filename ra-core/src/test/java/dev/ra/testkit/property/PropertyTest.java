package dev.ra.testkit.property;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The property checker itself: a broken property fails with the seed that reproduces it and a shrunk value, values
 * come from their seed alone, edge cases are generated, and discarded values do not count as tries.
 */
class PropertyTest
{
    private static final Pattern SEED =
        Pattern.compile("seed (-?\\d+) \\(replay it with -Dra\\.property\\.seed=\\1\\)");

    @Test
    void aBrokenPropertyFailsWithItsSeedAndAShrunkValue()
    {
        final Gen<List<Long>> lists = Gen.longs(0, 1_000_000).list(0, 40);

        final AssertionError error = catchThrowableOfType(AssertionError.class,
            () -> Property.forAll(1000, lists, list -> assertThat(list).allMatch(n -> n < 100)));

        assertThat(error.getMessage())
            .startsWith("property PropertyTest.aBrokenPropertyFailsWithItsSeedAndAShrunkValue failed after ")
            .contains("shrunk value (").contains("): [100]\n");
        final Matcher seed = SEED.matcher(error.getMessage());
        assertThat(seed.find()).as(error.getMessage()).isTrue();
        final List<Long> original = lists.next(Choices.fresh(Long.parseLong(seed.group(1))));
        assertThat(original).anyMatch(n -> n >= 100);
        assertThat(error.getMessage()).contains("original value: " + original);
        assertThat(error.getCause()).isInstanceOf(AssertionError.class);
    }

    @Test
    void shrinkingFindsTheSmallestCounterexampleOfACombinedValue()
    {
        final Gen<Long> numbers = Gen.longs();
        final Gen<long[]> pairs = c -> new long[] {numbers.next(c), numbers.next(c)};

        final AssertionError error = catchThrowableOfType(AssertionError.class,
            () -> Property.forAll(1000, pairs, pair -> assertThat(pair[0] > 1000 && pair[1] < -5).isFalse()));

        assertThat(error.getMessage()).contains("): [1001, -6]\n");
    }

    @Test
    void theSameSeedGivesTheSameValues()
    {
        final Gen<List<String>> gen = Gen.strings(Gen.unicode(), 0, 20).list(0, 10);

        assertThat(gen.samples(42, 50)).isEqualTo(gen.samples(42, 50)).isNotEqualTo(gen.samples(43, 50));
    }

    @Test
    void edgeCasesAreGenerated()
    {
        final Set<Long> numbers = new HashSet<>(Gen.longs(5, 1_000_000).samples(1, 2000));
        final Set<Integer> sizes = new HashSet<>(Gen.ints(0, 9).list(0, 60).map(List::size).samples(2, 2000));
        final Set<Long> anyLongs = new HashSet<>(Gen.longs().samples(3, 2000));

        assertThat(numbers).contains(5L, 6L, 999_999L, 1_000_000L);
        assertThat(sizes).contains(0, 1, 59, 60);
        assertThat(anyLongs).contains(Long.MIN_VALUE, -1L, 0L, 1L, Long.MAX_VALUE);
    }

    @Test
    void discardedValuesDoNotCountAsTries()
    {
        final AtomicInteger checked = new AtomicInteger();

        Property.forAll(200, Gen.ints(0, 9), n ->
        {
            Property.assume(n % 2 == 0);
            checked.incrementAndGet();
        });

        assertThat(checked).hasValue(200);
    }
}

package dev.ra.examples.support;

import java.util.ArrayList;
import java.util.List;

/**
 * Sets of call numbers held as sorted, disjoint and non-adjacent ranges ({@link ClientSequences.NumberRange}): the
 * calls a client applied whose replies are no longer kept. Most calls of a client are numbered one after another, so
 * the ranges merge and stay few. Immutable lists in, immutable lists out; a list unchanged is returned as it came.
 */
final class NumberRanges
{
    private NumberRanges()
    {
    }

    /**
     * @param ranges sorted, disjoint, non-adjacent.
     * @param number to look up.
     * @return whether a range holds it.
     */
    static boolean contains(final List<ClientSequences.NumberRange> ranges, final long number)
    {
        final int at = firstAbove(ranges, number) - 1;
        return at >= 0 && ranges.get(at).last() >= number;
    }

    /**
     * @param ranges sorted, disjoint, non-adjacent.
     * @param number to add.
     * @return the ranges holding it too, merged with those next to it.
     */
    static List<ClientSequences.NumberRange> with(final List<ClientSequences.NumberRange> ranges, final long number)
    {
        final int next = firstAbove(ranges, number);
        final ClientSequences.NumberRange below = next > 0 ? ranges.get(next - 1) : null;
        final ClientSequences.NumberRange above = next < ranges.size() ? ranges.get(next) : null;
        if (null != below && below.last() >= number)
        {
            return ranges;
        }
        final boolean joinsBelow = null != below && below.last() + 1 == number;
        final boolean joinsAbove = null != above && above.first() - 1 == number;
        final List<ClientSequences.NumberRange> merged = new ArrayList<>(ranges.size() + 1);
        merged.addAll(ranges.subList(0, joinsBelow ? next - 1 : next));
        merged.add(new ClientSequences.NumberRange(joinsBelow ? below.first() : number,
            joinsAbove ? above.last() : number));
        merged.addAll(ranges.subList(joinsAbove ? next + 1 : next, ranges.size()));
        return List.copyOf(merged);
    }

    /**
     * @param ranges sorted, disjoint, non-adjacent.
     * @param floor  below which numbers go.
     * @return the ranges' numbers at or above the floor.
     */
    static List<ClientSequences.NumberRange> from(final List<ClientSequences.NumberRange> ranges, final long floor)
    {
        if (ranges.isEmpty() || ranges.get(0).first() >= floor)
        {
            return ranges;
        }
        final int straddling = firstAbove(ranges, floor) - 1;
        final List<ClientSequences.NumberRange> kept = new ArrayList<>(ranges.size() - straddling);
        final ClientSequences.NumberRange cut = ranges.get(straddling);
        if (cut.last() >= floor)
        {
            kept.add(new ClientSequences.NumberRange(floor, cut.last()));
        }
        kept.addAll(ranges.subList(straddling + 1, ranges.size()));
        return List.copyOf(kept);
    }

    /** The index of the first range starting above the number (the size if none does): a binary search. */
    private static int firstAbove(final List<ClientSequences.NumberRange> ranges, final long number)
    {
        int low = 0;
        int high = ranges.size();
        while (low < high)
        {
            final int middle = (low + high) >>> 1;
            if (ranges.get(middle).first() <= number)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }
        return low;
    }
}

package dev.ra.core;

import java.util.Arrays;

/**
 * Majority arithmetic for single-configuration Raft. Pure functions.
 */
final class Quorum
{
    private Quorum()
    {
    }

    /**
     * @param voters number of voting members.
     * @return how many of them make a majority.
     */
    static int majority(final int voters)
    {
        return voters / 2 + 1;
    }

    /**
     * The highest value that a majority of voters has reached: the commit index for match indexes (§5.3), or the
     * acknowledged query round for read-index counters.
     *
     * @param values one per voter; sorted in place.
     * @param count  how many entries of {@code values} are used.
     * @return the majority value, or 0 when there are no voters.
     */
    static long agreedValue(final long[] values, final int count)
    {
        if (count == 0)
        {
            return 0;
        }
        Arrays.sort(values, 0, count);
        // Sorted ascending: the element at count - majority is reached by at least a majority.
        return values[count - majority(count)];
    }
}

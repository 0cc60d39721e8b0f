package dev.ra.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.testkit.property.Gen;
import dev.ra.testkit.property.Property;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Quorum arithmetic checked differentially against a deliberately naive model (as etcd raft's quorum tests do).
 */
class QuorumProperties
{
    private static Gen<long[]> matchIndexes()
    {
        return Gen.longs(0, 50).list(1, 9).map(list -> list.stream().mapToLong(Long::longValue).toArray());
    }

    @Test
    void agreedValueIsTheHighestValueAMajorityHasReached()
    {
        Property.forAll(5000, matchIndexes(), matches ->
        {
            final long expected = naiveAgreed(matches);
            final long[] scratch = matches.clone();
            assertThat(Quorum.agreedValue(scratch, scratch.length)).isEqualTo(expected);
        });
    }

    @Test
    void majorityIsMoreThanHalf()
    {
        Property.forAll(1000, Gen.ints(1, 1000), voters ->
        {
            final int majority = Quorum.majority(voters);
            assertThat(2 * majority).isGreaterThan(voters);
            assertThat(2 * (majority - 1)).isLessThanOrEqualTo(voters);
        });
    }

    private static long naiveAgreed(final long[] matches)
    {
        final long max = Arrays.stream(matches).max().orElse(0);
        for (long candidate = max; candidate > 0; candidate--)
        {
            int reached = 0;
            for (final long m : matches)
            {
                if (m >= candidate)
                {
                    reached++;
                }
            }
            if (reached > matches.length / 2)
            {
                return candidate;
            }
        }
        return 0;
    }
}

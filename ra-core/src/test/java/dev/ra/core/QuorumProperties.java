package dev.ra.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Quorum arithmetic checked differentially against a deliberately naive model (as etcd raft's quorum tests do).
 */
class QuorumProperties
{
    @Provide
    Arbitrary<long[]> matchIndexes()
    {
        return Arbitraries.longs().between(0, 50).array(long[].class).ofMinSize(1).ofMaxSize(9);
    }

    @Property(tries = 5000)
    void agreedValueIsTheHighestValueAMajorityHasReached(@ForAll("matchIndexes") final long[] matches)
    {
        final long expected = naiveAgreed(matches);
        final long[] scratch = matches.clone();
        assertThat(Quorum.agreedValue(scratch, scratch.length)).isEqualTo(expected);
    }

    @Property
    void majorityIsMoreThanHalf(@ForAll @net.jqwik.api.constraints.IntRange(min = 1, max = 1000) final int voters)
    {
        final int majority = Quorum.majority(voters);
        assertThat(2 * majority).isGreaterThan(voters);
        assertThat(2 * (majority - 1)).isLessThanOrEqualTo(voters);
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

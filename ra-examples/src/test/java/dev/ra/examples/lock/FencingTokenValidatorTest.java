package dev.ra.examples.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class FencingTokenValidatorTest
{
    private final FencingTokenValidator validator = new FencingTokenValidator();

    @Test
    void shouldAcceptEqualAndLargerTokensAndRejectSmallerOnes()
    {
        assertThat(validator.tryAccept("r", 5)).isTrue();
        assertThat(validator.tryAccept("r", 5)).isTrue();
        assertThat(validator.tryAccept("r", 9)).isTrue();
        assertThat(validator.tryAccept("r", 5)).isFalse();
        assertThat(validator.highestSeen("r")).isEqualTo(9);
    }

    @Test
    void shouldKeepResourcesIndependent()
    {
        validator.validate("r", 9);
        validator.validate("s", 2);

        assertThat(validator.highestSeen("s")).isEqualTo(2);
        assertThat(validator.highestSeen("unknown")).isZero();
    }

    @Test
    void shouldThrowWithTheDetailsOfAStaleToken()
    {
        validator.validate("r", 9);

        assertThatThrownBy(() -> validator.validate("r", 4))
            .isInstanceOfSatisfying(StaleFencingTokenException.class, e ->
            {
                assertThat(e.resource()).isEqualTo("r");
                assertThat(e.token()).isEqualTo(4);
                assertThat(e.highestSeen()).isEqualTo(9);
            });
    }

    @Test
    void shouldNeverAcceptATokenBelowOneAcceptedBeforeUnderConcurrency() throws Exception
    {
        // Each thread checks that what it got accepted is at least the highest it had itself seen accepted before.
        final ExecutorService pool = Executors.newFixedThreadPool(8);
        final AtomicLong max = new AtomicLong();
        try
        {
            final List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 8; t++)
            {
                futures.add(pool.submit(() ->
                {
                    long highestAcceptedHere = 0;
                    for (int i = 0; i < 20_000; i++)
                    {
                        final long token = ThreadLocalRandom.current().nextLong(1, 1_000_000);
                        max.accumulateAndGet(token, Math::max);
                        if (validator.tryAccept("r", token))
                        {
                            assertThat(token).isGreaterThanOrEqualTo(highestAcceptedHere);
                            highestAcceptedHere = token;
                        }
                    }
                }));
            }
            for (final Future<?> f : futures)
            {
                f.get();
            }
        }
        finally
        {
            pool.shutdownNow();
        }
        assertThat(validator.highestSeen("r")).isEqualTo(max.get());
    }
}

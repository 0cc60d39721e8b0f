package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A member warns that it is alone only once the state lasted many election timeouts on the runtime's clock, and a node
 * logs one such warning in full a while, the next one counting those logged at DEBUG meanwhile.
 */
class AloneWarningsTest
{
    private final ManualClock clock = new ManualClock();
    private final AloneWarnings warnings = new AloneWarnings(clock, Duration.ofMillis(300));

    @Test
    void aSpellAloneMustLastManyElectionTimeouts()
    {
        final long since = warnings.now();
        clock.advance(Duration.ofMillis(300L * AloneWarnings.ELECTION_TIMEOUTS_BEFORE_WARNING - 1));
        assertThat(warnings.lastedLongEnough(since)).isFalse();
        clock.advance(Duration.ofMillis(1));
        assertThat(warnings.lastedLongEnough(since)).isTrue();
    }

    @Test
    void oneWarningInFullPerQuietPeriodTheNextCountingTheOthers()
    {
        assertThat(warnings.admit()).isZero();
        assertThat(warnings.admit()).isEqualTo(-1);
        assertThat(warnings.admit()).isEqualTo(-1);
        clock.advance(AloneWarnings.QUIET);
        assertThat(warnings.admit()).isEqualTo(2);
        assertThat(warnings.admit()).isEqualTo(-1);
    }

    @Test
    void anElectionTimeoutTooLongToMultiplyNeverWarns()
    {
        final AloneWarnings huge = new AloneWarnings(clock, Duration.ofSeconds(Long.MAX_VALUE / 2));
        final long since = huge.now();
        clock.advance(Duration.ofDays(365));
        assertThat(huge.lastedLongEnough(since)).isFalse();
    }
}

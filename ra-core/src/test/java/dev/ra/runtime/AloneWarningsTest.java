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
        assertThat(warnings.admit(new AloneWarnings.Spell())).isZero();
        assertThat(warnings.admit(new AloneWarnings.Spell())).isEqualTo(AloneWarnings.DEBUG_ONLY);
        assertThat(warnings.admit(new AloneWarnings.Spell())).isEqualTo(AloneWarnings.DEBUG_ONLY);
        clock.advance(AloneWarnings.QUIET);
        assertThat(warnings.admit(new AloneWarnings.Spell())).isEqualTo(2);
        assertThat(warnings.admit(new AloneWarnings.Spell())).isEqualTo(AloneWarnings.DEBUG_ONLY);
    }

    @Test
    void anElectionTimeoutTooLongToMultiplyNeverWarns()
    {
        final AloneWarnings huge = new AloneWarnings(clock, Duration.ofSeconds(Long.MAX_VALUE / 2));
        final long since = huge.now();
        clock.advance(Duration.ofDays(365));
        assertThat(huge.lastedLongEnough(since)).isFalse();
    }

    /**
     * A member whose warning went to DEBUG (another was logged in full less than a minute before) was never named at
     * WARN: it counted as warned until it knew a leader again, so a member stuck for hours showed only as a number in
     * another member's warning. It is now named in full at its next turn, counted once meanwhile.
     */
    @Test
    void aMemberLoggedAtDebugOnlyIsNamedInFullAtItsNextTurn()
    {
        final AloneWarnings.Spell first = new AloneWarnings.Spell();
        final AloneWarnings.Spell second = new AloneWarnings.Spell();
        assertThat(warnings.admit(first)).isZero();
        assertThat(warnings.admit(second)).isEqualTo(AloneWarnings.DEBUG_ONLY);
        assertThat(warnings.admit(second)).as("told once at DEBUG").isEqualTo(AloneWarnings.SILENT);
        assertThat(warnings.admit(first)).as("named already").isEqualTo(AloneWarnings.SILENT);
        clock.advance(AloneWarnings.QUIET);
        assertThat(warnings.admit(second)).as("named in full, no other counted").isZero();
        assertThat(warnings.admit(second)).isEqualTo(AloneWarnings.SILENT);
    }

    @Test
    void aMemberCountedInAnEarlierWarningIsNotSubtractedFromTheNext()
    {
        final AloneWarnings.Spell waiting = new AloneWarnings.Spell();
        assertThat(warnings.admit(new AloneWarnings.Spell())).isZero();
        assertThat(warnings.admit(waiting)).isEqualTo(AloneWarnings.DEBUG_ONLY);
        clock.advance(AloneWarnings.QUIET);
        assertThat(warnings.admit(new AloneWarnings.Spell())).as("counting the waiting one").isEqualTo(1);
        assertThat(warnings.admit(new AloneWarnings.Spell())).isEqualTo(AloneWarnings.DEBUG_ONLY);
        clock.advance(AloneWarnings.QUIET);
        assertThat(warnings.admit(waiting)).as("the one counted since").isEqualTo(1);
    }

    /**
     * A member still alone long after it was named at WARN is named again, so that it shows in the log periodically.
     */
    @Test
    void aMemberStillAloneIsNamedAgainAfterTheReminderInterval()
    {
        final AloneWarnings.Spell spell = new AloneWarnings.Spell();
        assertThat(warnings.admit(spell)).isZero();
        clock.advance(AloneWarnings.REMINDER.minusSeconds(1));
        assertThat(warnings.admit(spell)).isEqualTo(AloneWarnings.SILENT);
        clock.advance(Duration.ofSeconds(1));
        assertThat(warnings.admit(spell)).isZero();
        assertThat(spell.reminder()).isTrue();
    }
}

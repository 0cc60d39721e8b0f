package dev.ra.examples.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.ApplyResult;
import dev.ra.CommandMeta;
import dev.ra.Effect;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReleaseCursorPolicyTest
{
    record Counter(long value, long cursorIndex) implements CursorTracked<Counter>
    {
        @Override
        public Counter withCursorIndex(final long index)
        {
            return new Counter(value, index);
        }
    }

    private static CommandMeta meta(final long index)
    {
        return new CommandMeta(index, 1, 0, 0);
    }

    @Test
    void shouldEmitACursorCarryingTheMarkedStateOnceTheIntervalHasPassed()
    {
        final ReleaseCursorPolicy policy = ReleaseCursorPolicy.every(3);
        final Effect send = new Effect.Timer("t", 1);

        final ApplyResult<Counter> early = policy.result(meta(2), new Counter(7, 0), "r", List.of(send));
        final ApplyResult<Counter> due = policy.result(meta(3), new Counter(7, 0), "r", List.of(send));

        assertThat(early).isEqualTo(ApplyResult.of(new Counter(7, 0), "r", send));
        assertThat(due.state()).isEqualTo(new Counter(7, 3));
        assertThat(due.reply()).isEqualTo("r");
        assertThat(due.effects()).containsExactly(send, new Effect.ReleaseCursor(3, new Counter(7, 3)));
    }

    @Test
    void shouldCountLogIndexesSoSkippedEntriesStillLeadToACursor()
    {
        final ReleaseCursorPolicy policy = ReleaseCursorPolicy.every(10);

        assertThat(policy.due(5, 14)).isFalse();
        assertThat(policy.due(5, 15)).isTrue();
        assertThat(policy.due(5, 400)).isTrue();
    }

    @Test
    void shouldRejectANonPositiveInterval()
    {
        assertThatThrownBy(() -> ReleaseCursorPolicy.every(0)).isInstanceOf(IllegalArgumentException.class);
    }
}

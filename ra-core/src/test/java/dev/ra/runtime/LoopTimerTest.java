package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.PriorityQueue;
import org.junit.jupiter.api.Test;

class LoopTimerTest
{
    private static final Runnable NOTHING = () -> { };

    /**
     * The clock's nanoTime may be anywhere in the long range: a deadline past Long.MAX_VALUE wraps negative and must
     * still come after the deadlines before it, as the loop's own "deadline - now" comparison says.
     */
    @Test
    void aDeadlineThatWrappedPastLongMaxValueComesAfterTheEarlierOnes()
    {
        final long now = Long.MAX_VALUE - 1_000;
        final LoopTimer wrapped = new LoopTimer(now + LoopTimer.LONGEST_DELAY_NANOS, 0, NOTHING);
        final LoopTimer soon = new LoopTimer(now + 50, 1, NOTHING);
        final PriorityQueue<LoopTimer> heap = new PriorityQueue<>();
        heap.add(wrapped);
        heap.add(soon);

        assertThat(heap.poll()).isSameAs(soon);
        assertThat(heap.poll()).isSameAs(wrapped);
    }

    @Test
    void aDelayInMillisecondsIsCappedAtTheLongestDelayAndNeverNegative()
    {
        assertThat(LoopTimer.delayNanos(Long.MAX_VALUE)).isEqualTo(LoopTimer.LONGEST_DELAY_NANOS);
        assertThat(LoopTimer.delayNanos(-5)).isZero();
        assertThat(LoopTimer.delayNanos(2)).isEqualTo(2_000_000L);
    }
}

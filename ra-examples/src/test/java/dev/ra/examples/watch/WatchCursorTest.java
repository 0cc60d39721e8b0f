package dev.ra.examples.watch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The exactly-once rule of a watch client: duplicates dropped, batches after a gap held back until it is filled.
 */
class WatchCursorTest
{
    private static WatchNotification.Events batch(final long revision, final long previous)
    {
        return new WatchNotification.Events("w", revision, previous,
            List.of(new WatchEvent(EventType.PUT, "k", "v" + revision, revision, 1, 1)));
    }

    private static List<Long> revisions(final List<EventBatch> batches)
    {
        return batches.stream().map(EventBatch::revision).toList();
    }

    @Test
    void shouldDeliverLinkedBatchesAndDropDuplicates()
    {
        final WatchCursor cursor = new WatchCursor(9);
        assertThat(revisions(cursor.offer(batch(12, 9)))).containsExactly(12L);
        assertThat(revisions(cursor.offer(batch(15, 12)))).containsExactly(15L);
        assertThat(cursor.offer(batch(12, 9))).as("a duplicate").isEmpty();
        assertThat(cursor.offer(batch(15, 12))).as("a duplicate").isEmpty();
        assertThat(cursor.hasGap()).isFalse();
        assertThat(cursor.lastDelivered()).isEqualTo(15);
    }

    @Test
    void shouldHoldBackWhatFollowsAGapUntilTheReplayFillsIt()
    {
        final WatchCursor cursor = new WatchCursor(9);
        cursor.offer(batch(12, 9));
        // 15 was lost with the old leader; the new one sends 20, linked to 15.
        assertThat(cursor.offer(batch(20, 15))).isEmpty();
        assertThat(cursor.hasGap()).isTrue();
        assertThat(cursor.resumeFrom()).isEqualTo(13);
        // The resume replays from 13: 15 (linked to 12, the start - 1) and 20 again.
        assertThat(revisions(cursor.offer(batch(15, 12)))).containsExactly(15L, 20L);
        assertThat(cursor.offer(batch(20, 15))).isEmpty();
        assertThat(cursor.hasGap()).isFalse();
    }

    @Test
    void shouldTellWhetherTheMachineSentMoreThanWasDelivered()
    {
        final WatchCursor cursor = new WatchCursor(9);
        cursor.offer(batch(12, 9));
        assertThat(cursor.isBehind(12)).isFalse();
        assertThat(cursor.isBehind(11)).as("a new leader whose state lags").isFalse();
        assertThat(cursor.isBehind(15)).as("the last batch was lost").isTrue();
    }
}

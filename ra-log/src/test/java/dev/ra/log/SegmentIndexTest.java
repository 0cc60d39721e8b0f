package dev.ra.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The replace-from-first-index rule by which segments (and overwrites) compose.
 */
class SegmentIndexTest
{
    private static SegmentFile segment(final long sequence, final long first, final int count, final int flags)
    {
        return new SegmentFile(Path.of("/s/" + SegmentFile.fileName(sequence)), sequence, first, count, flags, 0);
    }

    @Test
    void laterSegmentsReplaceFromTheirFirstIndex()
    {
        final SegmentIndex index = new SegmentIndex();
        final SegmentFile a = segment(0, 1, 100, 0);
        final SegmentFile b = segment(1, 50, 11, 0);
        final SegmentFile c = segment(2, 61, 20, 0);
        index.apply(a);
        index.apply(b);
        assertThat(index.lastIndex()).isEqualTo(60);
        assertThat(index.find(49).segment()).isSameAs(a);
        assertThat(index.find(55).segment()).isSameAs(b);
        assertThat(index.find(70)).isNull();
        index.apply(c);
        assertThat(index.find(70).segment()).isSameAs(c);
        assertThat(index.lastIndex()).isEqualTo(80);
    }

    @Test
    void emptySegmentTruncatesAndResetSegmentDiscardsEverything()
    {
        final SegmentIndex index = new SegmentIndex();
        index.apply(segment(0, 1, 100, 0));
        index.apply(segment(1, 41, 0, 0));
        assertThat(index.lastIndex()).isEqualTo(40);
        index.apply(segment(2, 501, 5, SegmentFile.FLAG_RESET));
        assertThat(index.firstIndex()).isEqualTo(501);
        assertThat(index.find(10)).isNull();
    }

    @Test
    void aGapBetweenSegmentsIsCorruption()
    {
        final List<SegmentFile> segments = List.of(segment(0, 1, 10, 0), segment(1, 20, 5, 0));
        assertThatThrownBy(() -> RecoveredSegments.of(segments, new SegmentIndex(), 0, "a"))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("entries are missing").hasMessageContaining(SegmentFile.fileName(1));
        assertThatThrownBy(() -> RecoveredSegments.of(segments, new SegmentIndex(), 18, "a"))
            .as("a snapshot that does not hold them all").hasMessageContaining("entries are missing");
    }

    /** A gap is no gap if a later segment replaces the log from at or below it (a flush's lost rename, replayed). */
    @Test
    void aGapThatALaterSegmentFillsIsNoGap()
    {
        final SegmentIndex index = new SegmentIndex();
        final RecoveredSegments found = RecoveredSegments.of(List.of(segment(0, 1, 10, 0), segment(3, 21, 5, 0),
            segment(4, 11, 10, 0), segment(5, 21, 5, 0)), index, 0, "a");
        assertThat(index.firstIndex()).isEqualTo(1);
        assertThat(index.lastIndex()).isEqualTo(25);
        assertThat(found.nextSequence).isEqualTo(6);
        // Filled only in part: still missing.
        assertThatThrownBy(() -> RecoveredSegments.of(List.of(segment(0, 1, 10, 0), segment(3, 21, 5, 0),
            segment(4, 15, 11, 0)), new SegmentIndex(), 0, "a")).hasMessageContaining("entries are missing");
    }

    /** A gap a snapshot holds (a crash during a retention pass): the log starts after it. */
    @Test
    void aGapASnapshotHoldsStartsTheLogAfterIt()
    {
        final SegmentIndex index = new SegmentIndex();
        RecoveredSegments.of(List.of(segment(0, 1, 10, 0), segment(2, 21, 10, 0)), index, 25, "a");
        assertThat(index.firstIndex()).isEqualTo(21);
        assertThat(index.lastIndex()).isEqualTo(30);
    }

    @Test
    void truncateUpToKeepsTheTailOfASplitRange()
    {
        final SegmentIndex index = new SegmentIndex();
        final SegmentFile a = segment(0, 1, 100, 0);
        index.apply(a);
        index.truncateUpTo(30);
        assertThat(index.firstIndex()).isEqualTo(31);
        assertThat(index.find(30)).isNull();
        assertThat(index.find(31).segment()).isSameAs(a);
    }
}

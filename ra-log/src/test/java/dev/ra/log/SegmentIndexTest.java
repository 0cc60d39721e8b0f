package dev.ra.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
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
        index.applyRecovered(a);
        index.applyRecovered(b);
        assertThat(index.lastIndex()).isEqualTo(60);
        assertThat(index.find(49).segment()).isSameAs(a);
        assertThat(index.find(55).segment()).isSameAs(b);
        assertThat(index.find(70)).isNull();
        index.applyRecovered(c);
        assertThat(index.find(70).segment()).isSameAs(c);
        assertThat(index.lastIndex()).isEqualTo(80);
    }

    @Test
    void emptySegmentTruncatesAndResetSegmentDiscardsEverything()
    {
        final SegmentIndex index = new SegmentIndex();
        index.applyRecovered(segment(0, 1, 100, 0));
        index.applyRecovered(segment(1, 41, 0, 0));
        assertThat(index.lastIndex()).isEqualTo(40);
        index.applyRecovered(segment(2, 501, 5, SegmentFile.FLAG_RESET));
        assertThat(index.firstIndex()).isEqualTo(501);
        assertThat(index.find(10)).isNull();
    }

    @Test
    void aGapBetweenSegmentsIsCorruption()
    {
        final SegmentIndex index = new SegmentIndex();
        index.applyRecovered(segment(0, 1, 10, 0));
        assertThatThrownBy(() -> index.applyRecovered(segment(1, 20, 5, 0)))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("entries are missing");
    }

    @Test
    void truncateUpToKeepsTheTailOfASplitRange()
    {
        final SegmentIndex index = new SegmentIndex();
        final SegmentFile a = segment(0, 1, 100, 0);
        index.applyRecovered(a);
        index.truncateUpTo(30);
        assertThat(index.firstIndex()).isEqualTo(31);
        assertThat(index.find(30)).isNull();
        assertThat(index.find(31).segment()).isSameAs(a);
    }
}

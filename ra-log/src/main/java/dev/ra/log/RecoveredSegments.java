package dev.ra.log;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server's segment files as its open finds them: each opened (header, trailer and index table checked) and applied,
 * in sequence order, to the server's {@link SegmentIndex}.
 *
 * <p>Segments must continue each other once all are applied: a gap between two segments is no gap if a later one
 * replaces the log from at or below it. A flush writes the segments of a WAL file and renames them before one sync of
 * their directory, and keeps the WAL file until then: a crash may persist the rename of a later segment and not that
 * of an earlier one, and the start-up replay of the WAL file writes both again, in later segments.
 *
 * <p>One more exception: a gap that a valid snapshot covers. A retention pass
 * drops several segments (deleted, or moved into the spare pool) and then syncs the segments directory once; until
 * that sync a file system may persist any subset of those unlinks and renames, so a crash can leave an earlier
 * dropped segment while a later one is gone. Every entry of a dropped segment is at or below the older retained
 * snapshot, so the entries missing in such a gap are in a snapshot and nothing is lost: the segments before the gap
 * are left out of the log (they stay listed, for the next retention pass to drop). A gap above every valid snapshot
 * is missing entries, and refused.
 */
final class RecoveredSegments
{
    private static final Logger LOG = LoggerFactory.getLogger(RecoveredSegments.class);

    /** The segment files found, in sequence order, including any left out before a gap. */
    final List<SegmentFile> files = new ArrayList<>();
    /** The last index of the log they hold (0 if none). */
    long logLast;
    /** The sequence for the server's next segment. */
    long nextSequence;
    /** The index of the snapshot the log was last reset to, 0 if no reset segment was found. */
    long resetIndex;

    private RecoveredSegments()
    {
    }

    /**
     * @param layer       the file layer.
     * @param dir         the server's segments directory.
     * @param index       filled with what the segments hold.
     * @param snapshotTop the index of the newest valid snapshot (0 if none): entries at or below it may be missing.
     * @param server      the server, for messages.
     * @return what was found.
     * @throws IOException on failure to read.
     * @throws IllegalStateException naming the file if a segment is damaged or entries no snapshot holds are missing.
     */
    static RecoveredSegments load(final FileLayer layer, final Path dir, final SegmentIndex index,
        final long snapshotTop, final Object server) throws IOException
    {
        final List<SegmentFile> segments = new ArrayList<>();
        for (final String name : layer.list(dir))
        {
            if (SegmentFile.sequenceOf(name) >= 0)
            {
                segments.add(SegmentFile.open(layer, dir.resolve(name)));
            }
        }
        return of(segments, index, snapshotTop, server);
    }

    /**
     * @param segments    the segment files found, opened.
     * @param index       filled with what the segments hold.
     * @param snapshotTop the index of the newest valid snapshot (0 if none): entries at or below it may be missing.
     * @param server      the server, for messages.
     * @return what was found.
     * @throws IllegalStateException naming the file if entries no snapshot holds are missing.
     */
    static RecoveredSegments of(final List<SegmentFile> segments, final SegmentIndex index, final long snapshotTop,
        final Object server)
    {
        final RecoveredSegments found = new RecoveredSegments();
        found.files.addAll(segments);
        found.files.sort((a, b) -> Long.compareUnsigned(a.sequence(), b.sequence()));
        final List<Gap> gaps = new ArrayList<>();
        for (final SegmentFile segment : found.files)
        {
            found.apply(segment, index, gaps);
        }
        checkGaps(gaps, index, snapshotTop, server);
        return found;
    }

    /** Entries missing between two segments, until a later segment replaces the log from at or below them. */
    private record Gap(long from, long to, SegmentFile before)
    {
    }

    private void apply(final SegmentFile segment, final SegmentIndex index, final List<Gap> gaps)
    {
        if (segment.isReset())
        {
            gaps.clear();
        }
        else
        {
            gaps.removeIf(gap -> gap.from >= segment.firstIndex());
            gaps.replaceAll(gap -> gap.to < segment.firstIndex() ? gap :
                new Gap(gap.from, segment.firstIndex() - 1, gap.before));
            if (segment.count() > 0 && !index.isEmpty() && segment.firstIndex() > index.lastIndex() + 1)
            {
                gaps.add(new Gap(index.lastIndex() + 1, segment.firstIndex() - 1, segment));
            }
        }
        index.apply(segment);
        if (segment.isReset() || segment.count() > 0)
        {
            logLast = segment.lastIndex();
        }
        else
        {
            logLast = Math.min(logLast, segment.firstIndex() - 1);
        }
        nextSequence = segment.sequence() + 1;
        if (segment.isReset())
        {
            resetIndex = segment.firstIndex() - 1;
        }
    }

    /**
     * The gaps no later segment filled: below a valid snapshot, the log starts after them; above, entries are missing.
     */
    private static void checkGaps(final List<Gap> gaps, final SegmentIndex index, final long snapshotTop,
        final Object server)
    {
        long coveredTo = 0;
        for (final Gap gap : gaps)
        {
            if (gap.to > snapshotTop)
            {
                throw Formats.corrupt(gap.before.path(), 0, "segment starts at index " + gap.before.firstIndex() +
                    " but the segments before it end at " + (gap.from - 1) + ": entries are missing");
            }
            LOG.warn("server {}: entries {}..{} before segment {} are missing, but the snapshot at {} holds them (a " +
                "crash during a retention pass that dropped them): the log starts at {}", server, gap.from, gap.to,
                gap.before.path(), snapshotTop, gap.to + 1);
            coveredTo = Math.max(coveredTo, gap.to);
        }
        if (coveredTo > 0)
        {
            index.truncateUpTo(coveredTo);
        }
    }
}

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
 * <p>Segments must continue each other, with one exception: a gap that a valid snapshot covers. A retention pass
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
        final RecoveredSegments found = new RecoveredSegments();
        for (final String name : layer.list(dir))
        {
            if (SegmentFile.sequenceOf(name) >= 0)
            {
                found.files.add(SegmentFile.open(layer, dir.resolve(name)));
            }
        }
        found.files.sort((a, b) -> Long.compareUnsigned(a.sequence(), b.sequence()));
        for (final SegmentFile segment : found.files)
        {
            found.apply(segment, index, snapshotTop, server);
        }
        return found;
    }

    private void apply(final SegmentFile segment, final SegmentIndex index, final long snapshotTop,
        final Object server)
    {
        if (!segment.isReset() && segment.count() > 0 && !index.isEmpty() &&
            segment.firstIndex() > index.lastIndex() + 1 && segment.firstIndex() - 1 <= snapshotTop)
        {
            LOG.warn("server {}: entries {}..{} before segment {} are missing, but the snapshot at {} holds them (a " +
                "crash during a retention pass that dropped them): the log starts at {}", server,
                index.lastIndex() + 1, segment.firstIndex() - 1, segment.path(), snapshotTop, segment.firstIndex());
            index.clear();
        }
        index.applyRecovered(segment);
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
}

package dev.ra.log;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Writes a built segment durably the way a flush does: under its temporary name, then synced and renamed by a
 * {@link SegmentBatch}.
 */
final class SegmentWriting
{
    private SegmentWriting()
    {
    }

    /**
     * @param builder holding the segment.
     * @param files   the file layer.
     * @param dir     to write into.
     * @param giveWay to pace the writes and syncs with, or null.
     * @return the segment, under its final name.
     * @throws IOException on failure.
     */
    static SegmentFile writeDurably(final SegmentBuilder builder, final FileLayer files, final Path dir,
        final GiveWay giveWay) throws IOException
    {
        final SegmentBatch batch = new SegmentBatch(files);
        final SegmentFile written = builder.writeTo(files, dir, null, giveWay);
        batch.add(written, builder.cachedBytes(), null, giveWay);
        batch.publish(giveWay);
        return written;
    }
}

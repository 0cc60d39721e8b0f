package dev.ra.log;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A flush target for a server that is not loaded in memory, used while startup replays the WAL files of a previous
 * run: it only needs to know the next free segment sequence number. Not thread safe.
 */
final class DormantServer implements FlushTarget
{
    private final ServerDirectory directory;
    private long nextSequence;

    DormantServer(final FileLayer files, final ServerDirectory directory) throws IOException
    {
        this.directory = directory;
        files.createDirectories(directory.segments());
        long next = 0;
        for (final String name : files.list(directory.segments()))
        {
            final long sequence = SegmentFile.sequenceOf(name.endsWith(AtomicFiles.TEMP_SUFFIX) ?
                name.substring(0, name.length() - AtomicFiles.TEMP_SUFFIX.length()) : name);
            if (sequence >= 0)
            {
                next = Math.max(next, sequence + 1);
            }
        }
        this.nextSequence = next;
    }

    ServerDirectory directory()
    {
        return directory;
    }

    @Override
    public Path segmentsDirectory()
    {
        return directory.segments();
    }

    @Override
    public long takeSegmentSequence()
    {
        return nextSequence++;
    }

    @Override
    public void onFlushed(final List<SegmentFile> written, final ServerReplay replay)
    {
        // Nothing in memory to update: the server loads its segments when it is opened.
    }
}

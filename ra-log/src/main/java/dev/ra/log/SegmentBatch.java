package dev.ra.log;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Segment files written under their temporary names and not yet synced, made durable together: all synced, then all
 * renamed to their final names, then each of their directories synced once.
 *
 * <p>Why together: on a journalling file system (ext4, XFS) syncing a new file commits the journal with its blocks'
 * and size's metadata, and syncing a directory commits it again with the rename. One server at a time, a WAL file
 * shared by 100 servers cost 200 journal commits, each a device flush that the WAL's own syncs queued behind. Synced
 * as a batch, the first sync commits the metadata of every file written so far and the others find it committed.
 *
 * <p>What the files hold through the page cache is bounded: once {@value #CACHED_BYTES_STEP} bytes of them went that
 * way (small segments; large ones are written around the cache), the files written so far are synced, so the
 * device never has much more than that to write at once while a WAL sync waits. Not thread safe.
 */
final class SegmentBatch
{
    private static final long CACHED_BYTES_STEP = 1 << 20;

    private final FileLayer files;
    private final List<SegmentFile> unsynced = new ArrayList<>();
    private final List<SegmentFile> synced = new ArrayList<>();
    private long cachedBytes;
    /** The pool some of the files were spares of, whose directory is synced before theirs; null if none were. */
    private SegmentSpares spares;

    /**
     * @param files the file layer.
     */
    SegmentBatch(final FileLayer files)
    {
        this.files = files;
    }

    /**
     * @param segment     just written, under {@link AtomicFiles#temporary its temporary name}, not synced.
     * @param cachedBytes of it written through the page cache.
     * @param fromSpares  the pool whose spare it was written over, or null if it was created.
     * @param giveWay     to wait for the WAL syncs in progress with before syncing, or null.
     * @throws IOException if a sync fails.
     */
    void add(final SegmentFile segment, final long cachedBytes, final SegmentSpares fromSpares,
        final GiveWay giveWay) throws IOException
    {
        if (null != fromSpares)
        {
            spares = fromSpares;
        }
        unsynced.add(segment);
        this.cachedBytes += cachedBytes;
        if (this.cachedBytes >= CACHED_BYTES_STEP)
        {
            sync(giveWay);
        }
    }

    /**
     * Sync every file added since the last sync.
     *
     * @param giveWay to wait once for the WAL syncs in progress with before syncing, or null.
     * @throws IOException if a sync fails.
     */
    void sync(final GiveWay giveWay) throws IOException
    {
        if (null != giveWay && !unsynced.isEmpty())
        {
            giveWay.beforeSync();
        }
        for (final SegmentFile segment : unsynced)
        {
            try (LogFile file = files.open(AtomicFiles.temporary(segment.path()), false))
            {
                file.force();
            }
        }
        synced.addAll(unsynced);
        unsynced.clear();
        cachedBytes = 0;
    }

    /**
     * Take over the files of a batch filled on another thread (after that thread is done with it), to be renamed and
     * their directories synced with this batch's.
     *
     * @param other batch; empty afterwards.
     */
    void takeOver(final SegmentBatch other)
    {
        synced.addAll(other.synced);
        unsynced.addAll(other.unsynced);
        cachedBytes += other.cachedBytes;
        if (null != other.spares)
        {
            spares = other.spares;
        }
        other.spares = null;
        other.synced.clear();
        other.unsynced.clear();
        other.cachedBytes = 0;
    }

    /**
     * Sync what is not synced yet, rename every file to its final name and sync their directories; afterwards the
     * batch is empty.
     *
     * @param giveWay to wait for the WAL syncs in progress with before syncing the files and before syncing the
     *                directories, or null.
     * @throws IOException on failure; files already renamed stay, the rest keep their temporary names (deleted as
     *     crash debris at the next start, and written again from the WAL file, which is kept).
     */
    void publish(final GiveWay giveWay) throws IOException
    {
        sync(giveWay);
        if (null != spares)
        {
            // The spares' old names must be gone for good before the segments' final names exist (SegmentSpares): a
            // file system may write a rename out before its directory is synced.
            spares.syncDirectory();
            spares = null;
        }
        final Set<Path> directories = new LinkedHashSet<>();
        for (final SegmentFile segment : synced)
        {
            files.move(AtomicFiles.temporary(segment.path()), segment.path());
            directories.add(segment.path().getParent());
        }
        synced.clear();
        if (null != giveWay && !directories.isEmpty())
        {
            giveWay.beforeSync();
        }
        for (final Path dir : directories)
        {
            files.syncDirectory(dir);
        }
    }
}

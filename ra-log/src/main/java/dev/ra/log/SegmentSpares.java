package dev.ra.log;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Segment files that compaction no longer needs, kept in {@code <data>/segment-spares/} to be written over as new
 * segments instead of being deleted while new files are created.
 *
 * <p>Why: on a busy disk, creating a file costs far more than writing over one that has its blocks. With 100 servers
 * each WAL file becomes 100 segment files; creating them (allocating blocks and an inode, naming them) is what kept
 * ra-log's append→durable tail above 2 ms at half its throughput, while a program writing the same bytes into files
 * it reuses, renamed into place and back, stayed under 1 ms (docs/benchmarks.md, "ra-log"). A segment written over a
 * spare follows the same protocol as a new one: the spare is renamed to the segment's temporary name, written,
 * truncated to its length, synced, renamed to its final name, and its directory synced. A crash at any point leaves a
 * temporary file (deleted at the next start as debris; its entries are still in the WAL) or a complete segment.
 *
 * <p>A file must never be durable under two names, a spare's and a segment's: the spare would be written over while
 * the segment's name still led to it. So each rename is made durable at the end it leaves before the end it reaches
 * can be used: a dropped segment becomes a spare that can be taken only after its segments directory and then the
 * pool's directory are synced ({@link #offer}, {@link #commit}); a segment written over a spare is renamed to its
 * final name, and its directory synced, only after the pool's directory is synced ({@link SegmentBatch#publish}).
 * A crash in between at worst leaves a file with no name, which holds no data anyone needs. Retention and the flushes'
 * publishing both run on the segment writer's one thread, so no other sync of the pool's directory falls between a
 * segment's rename into the pool and the sync of the directory it left.
 *
 * <p>A spare is named {@code <number>-<size>.spare} (both hex): its size is known without opening it. What the pool
 * holds is bounded in bytes and in files; a segment offered beyond the bound is deleted instead. Anything else in
 * the directory (temporary files, names this code does not make) is deleted when the storage opens. Thread-safe.
 */
final class SegmentSpares
{
    /** Directory under the data directory. */
    static final String DIR = "segment-spares";
    static final String SUFFIX = ".spare";
    /** Most spares kept, whatever their sizes: bounds the directory the storage lists when it opens. */
    static final int MAX_FILES = 4096;

    private static final Logger LOG = LoggerFactory.getLogger(SegmentSpares.class);

    private final FileLayer files;
    private final Path dir;
    private final long maxBytes;
    /** Spares by size, smallest first; each size's spares in the order they came. */
    private final TreeMap<Long, ArrayDeque<Path>> bySize = new TreeMap<>();
    private long bytes;
    private int count;
    private long nextNumber;
    private long taken;
    /** Spares offered and not yet committed: they count against the bounds but cannot be taken. */
    private long offeredBytes;
    private int offered;

    private SegmentSpares(final FileLayer files, final Path dir, final long maxBytes)
    {
        this.files = files;
        this.dir = dir;
        this.maxBytes = maxBytes;
    }

    /**
     * Open the pool of a data directory, creating its directory if needed, adopting the spares in it and deleting
     * anything else there.
     *
     * @param files     the file layer.
     * @param directory the data directory.
     * @param maxBytes  most bytes the spares may hold together; 0 keeps none.
     * @return the pool.
     * @throws IOException if the directory cannot be created or listed.
     */
    static SegmentSpares open(final FileLayer files, final Path directory, final long maxBytes) throws IOException
    {
        final SegmentSpares spares = new SegmentSpares(files, directory.resolve(DIR), maxBytes);
        files.createDirectories(spares.dir);
        for (final String name : files.list(spares.dir))
        {
            final Path path = spares.dir.resolve(name);
            final long[] parsed = parse(name);
            if (null == parsed || !spares.fits(parsed[1]) || files.linkCount(path) > 1)
            {
                // A spare with a second name (a crash on a file system that wrote one rename's ends out of order)
                // must never be written over: only this name goes, the other keeps the file.
                deleteQuietly(files, path);
                continue;
            }
            spares.add(path, parsed[1]);
            spares.nextNumber = Math.max(spares.nextNumber, parsed[0] + 1);
        }
        return spares;
    }

    /**
     * @param name of a file in the pool's directory.
     * @return its number and size, or null if the name is not a spare's.
     */
    static long[] parse(final String name)
    {
        if (!name.endsWith(SUFFIX))
        {
            return null;
        }
        final String stem = name.substring(0, name.length() - SUFFIX.length());
        final int dash = stem.indexOf('-');
        if (dash <= 0 || dash == stem.length() - 1)
        {
            return null;
        }
        try
        {
            final long number = Long.parseUnsignedLong(stem.substring(0, dash), 16);
            final long size = Long.parseUnsignedLong(stem.substring(dash + 1), 16);
            return number < 0 || size <= 0 ? null : new long[] {number, size};
        }
        catch (final NumberFormatException ex)
        {
            return null;
        }
    }

    /**
     * Keep a segment compaction dropped, if the pool has room for it: it is renamed into the pool, and can be taken
     * once the caller has synced the segment's directory and then passed it to {@link #commit}.
     *
     * @param segment path of a segment no reader has open and none will open again.
     * @param size    its size in bytes.
     * @return the spare's path, or null if it was not kept (the caller then deletes the segment).
     */
    synchronized Path offer(final Path segment, final long size)
    {
        if (size <= 0 || !fits(size))
        {
            return null;
        }
        final Path spare = dir.resolve(Long.toHexString(nextNumber++) + "-" + Long.toHexString(size) + SUFFIX);
        try
        {
            files.move(segment, spare);
        }
        catch (final IOException ex)
        {
            LOG.debug("could not keep {} as a spare: {}", segment, ex.getMessage());
            return null;
        }
        offeredBytes += size;
        offered++;
        return spare;
    }

    /**
     * Sync the pool's directory and let the spares offered be taken: called once the directories they came from are
     * synced, or with {@code durable} false when that failed (they are then deleted).
     *
     * @param spares  returned by {@link #offer}.
     * @param durable whether their segments' directories were synced.
     */
    void commit(final List<Path> spares, final boolean durable)
    {
        if (spares.isEmpty())
        {
            return;
        }
        boolean synced = durable;
        if (durable)
        {
            try
            {
                files.syncDirectory(dir);
            }
            catch (final IOException ex)
            {
                LOG.warn("could not sync {}: {}", dir, ex.getMessage());
                synced = false;
            }
        }
        synchronized (this)
        {
            for (final Path spare : spares)
            {
                final long size = parse(spare.getFileName().toString())[1];
                offeredBytes -= size;
                offered--;
                if (synced)
                {
                    add(spare, size);
                }
                else
                {
                    deleteQuietly(files, spare);
                }
            }
        }
    }

    /**
     * Rename the spare that best fits a segment of {@code size} bytes to {@code target}: the smallest at least that
     * large, else the largest.
     *
     * @param size   bytes the segment will take.
     * @param target where it is written (its temporary name); replaced if present.
     * @return whether a spare is now at {@code target}; if not, the caller creates the file.
     */
    synchronized boolean take(final long size, final Path target)
    {
        Map.Entry<Long, ArrayDeque<Path>> entry = bySize.ceilingEntry(size);
        if (null == entry)
        {
            entry = bySize.lastEntry();
        }
        if (null == entry)
        {
            return false;
        }
        final Path spare = entry.getValue().poll();
        if (entry.getValue().isEmpty())
        {
            bySize.remove(entry.getKey());
        }
        bytes -= entry.getKey();
        count--;
        try
        {
            files.move(spare, target);
        }
        catch (final IOException ex)
        {
            LOG.warn("could not reuse the spare segment file {}: {}", spare, ex.getMessage());
            deleteQuietly(files, spare);
            return false;
        }
        taken++;
        return true;
    }

    /**
     * Sync the pool's directory, making the renames out of it since durable: called before the segments written over
     * the spares taken get their final names.
     *
     * @throws IOException if the sync fails.
     */
    void syncDirectory() throws IOException
    {
        files.syncDirectory(dir);
    }

    /**
     * @return segments written over a spare since the pool was opened.
     */
    synchronized long taken()
    {
        return taken;
    }

    private boolean fits(final long size)
    {
        return fits(size, 1);
    }

    private boolean fits(final long size, final int files)
    {
        return count + offered + files <= MAX_FILES && bytes + offeredBytes + size <= maxBytes;
    }

    private void add(final Path spare, final long size)
    {
        bySize.computeIfAbsent(size, s -> new ArrayDeque<>()).add(spare);
        bytes += size;
        count++;
    }

    private static void deleteQuietly(final FileLayer files, final Path path)
    {
        try
        {
            files.delete(path);
        }
        catch (final IOException ex)
        {
            LOG.warn("could not delete {}: {}", path, ex.getMessage());
        }
    }
}

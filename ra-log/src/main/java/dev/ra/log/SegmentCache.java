package dev.ra.log;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A bounded, least-recently-used cache of open segments shared by all servers of a storage, so that reads do not pay
 * an open per call and the number of open files stays bounded. A reader in use is never closed under its user:
 * eviction waits for the last release. Thread-safe.
 */
final class SegmentCache
{
    private final FileLayer files;
    private final int capacity;
    private final LinkedHashMap<SegmentFile, SegmentReader> open = new LinkedHashMap<>(64, 0.75f, true);
    /** Segments compaction dropped, by identity, which must not be opened again. */
    private final Set<SegmentFile> dropped = Collections.newSetFromMap(new IdentityHashMap<>());

    SegmentCache(final FileLayer files, final int capacity)
    {
        this.files = files;
        this.capacity = capacity;
    }

    /**
     * @param segment to read.
     * @return an open reader; pass it to {@link #release} when done.
     * @throws UncheckedIOException if it cannot be opened.
     */
    synchronized SegmentReader acquire(final SegmentFile segment)
    {
        if (dropped.contains(segment))
        {
            // Compaction dropped it after the caller found it: its file may already be written over as a new
            // segment (SegmentSpares), so it must not be opened, as if it had been deleted.
            throw new UncheckedIOException(new NoSuchFileException(segment.path().toString(), null,
                "dropped by compaction"));
        }
        SegmentReader reader = open.get(segment);
        if (null == reader)
        {
            try
            {
                reader = SegmentReader.open(files, segment);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot open segment " + segment.path(), ex);
            }
            catch (final IllegalStateException ex)
            {
                throw new UncheckedIOException(new IOException(ex.getMessage(), ex));
            }
            open.put(segment, reader);
            trim();
        }
        reader.references++;
        return reader;
    }

    synchronized void release(final SegmentReader reader)
    {
        reader.references--;
        if (reader.evicted && reader.references == 0)
        {
            reader.close();
        }
    }

    /**
     * Close a segment compaction dropped (or as soon as its last user releases it) and refuse to open it again.
     *
     * @param segment to forget; its file is deleted or kept as a spare by the caller.
     * @return whether a reader still has it open: then its file must be deleted, never written over.
     */
    synchronized boolean drop(final SegmentFile segment)
    {
        dropped.add(segment);
        final SegmentReader reader = open.remove(segment);
        if (null == reader)
        {
            return false;
        }
        retire(reader);
        return reader.references > 0;
    }

    /**
     * Forget segments dropped earlier, once their files are gone from their paths (renamed into the spares or
     * deleted): a reader that found one before it was dropped and opens it only now fails to find the file.
     *
     * @param segments dropped by {@link #drop}.
     */
    synchronized void forget(final List<SegmentFile> segments)
    {
        segments.forEach(dropped::remove);
    }

    private void trim()
    {
        final Iterator<Map.Entry<SegmentFile, SegmentReader>> it = open.entrySet().iterator();
        while (open.size() > capacity && it.hasNext())
        {
            final SegmentReader eldest = it.next().getValue();
            it.remove();
            retire(eldest);
        }
    }

    private static void retire(final SegmentReader reader)
    {
        reader.evicted = true;
        if (reader.references == 0)
        {
            reader.close();
        }
    }

    synchronized int size()
    {
        return open.size();
    }

    synchronized void closeAll()
    {
        for (final SegmentReader reader : open.values())
        {
            retire(reader);
        }
        open.clear();
    }
}

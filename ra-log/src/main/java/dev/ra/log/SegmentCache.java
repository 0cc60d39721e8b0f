package dev.ra.log;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

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
     * Close a segment about to be deleted (or as soon as its last user releases it).
     *
     * @param segment to forget.
     */
    synchronized void evict(final SegmentFile segment)
    {
        final SegmentReader reader = open.remove(segment);
        if (null != reader)
        {
            retire(reader);
        }
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

package dev.ra.log;

import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which segment holds which index of one server's log: a sorted set of non-overlapping ranges, each pointing at the
 * segment that holds its entries. Segments are applied in sequence order with the REPLACE-FROM-FIRST-INDEX rule of
 * {@link SegmentFile}. Not thread safe; guarded by the owning {@link ServerLog}.
 */
final class SegmentIndex
{
    /** A run of indexes held by one segment. */
    record Range(long first, long last, SegmentFile segment)
    {
    }

    private final TreeMap<Long, Range> ranges = new TreeMap<>();

    boolean isEmpty()
    {
        return ranges.isEmpty();
    }

    /**
     * @return the first index held, or 0 if empty.
     */
    long firstIndex()
    {
        return ranges.isEmpty() ? 0 : ranges.firstKey();
    }

    /**
     * @return the last index held, or 0 if empty.
     */
    long lastIndex()
    {
        return ranges.isEmpty() ? 0 : ranges.lastEntry().getValue().last;
    }

    /**
     * Replace the log from the segment's first index on with the segment's entries.
     *
     * @param segment to apply.
     */
    void apply(final SegmentFile segment)
    {
        if (segment.isReset())
        {
            ranges.clear();
        }
        else
        {
            truncateAfter(segment.firstIndex() - 1);
        }
        if (segment.count() > 0)
        {
            ranges.put(segment.firstIndex(), new Range(segment.firstIndex(), segment.lastIndex(), segment));
        }
    }

    /**
     * Forget everything above {@code index}.
     *
     * @param index last index kept.
     */
    void truncateAfter(final long index)
    {
        ranges.tailMap(index, false).clear();
        final Map.Entry<Long, Range> floor = ranges.floorEntry(index);
        if (null != floor && floor.getValue().last > index)
        {
            final Range r = floor.getValue();
            ranges.put(r.first, new Range(r.first, index, r.segment));
        }
    }

    /**
     * Forget everything at and below {@code index}.
     *
     * @param index last index dropped.
     */
    void truncateUpTo(final long index)
    {
        final Map.Entry<Long, Range> floor = ranges.floorEntry(index);
        ranges.headMap(index, true).clear();
        if (null != floor && floor.getValue().last > index)
        {
            final Range r = floor.getValue();
            ranges.put(index + 1, new Range(index + 1, r.last, r.segment));
        }
    }

    /**
     * @param index to look up.
     * @return the range holding it, or null.
     */
    Range find(final long index)
    {
        final Map.Entry<Long, Range> floor = ranges.floorEntry(index);
        return null != floor && floor.getValue().last >= index ? floor.getValue() : null;
    }

    /**
     * @param path of a segment.
     * @return whether any live range points into it.
     */
    boolean references(final Path path)
    {
        for (final Range r : ranges.values())
        {
            if (r.segment.path().equals(path))
            {
                return true;
            }
        }
        return false;
    }
}

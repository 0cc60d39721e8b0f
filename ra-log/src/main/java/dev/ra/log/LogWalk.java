package dev.ra.log;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;

/**
 * A server's log as {@link DataDirectoryReader} works it out without loading it: its extent as segments and WAL records
 * are applied in order, with the rules of recovery (each segment or entry replaces the log from its index on, a reset
 * discards everything before), the segments that do not continue the log before them, and the entries of a wanted
 * range. Not thread-safe.
 */
final class LogWalk
{
    private record Gap(long from, long to, Path before)
    {
    }

    /** The entries read so far in the wanted range, or null when only the extent matters. */
    final NavigableMap<Long, DataDirectoryReader.Entry> wanted;
    /** Entries missing, once {@link #finish} has run. */
    final List<DataDirectoryReader.Damage> gaps = new ArrayList<>();
    /** Gaps between segments until a later segment or record replaces the log from at or below them. */
    private final List<Gap> pending = new ArrayList<>();
    /** The index of the server's newest valid snapshot: a gap at or below it misses nothing. */
    long snapshotTop;
    boolean started;
    long first = 1;
    long last;
    long lastTerm;

    LogWalk(final NavigableMap<Long, DataDirectoryReader.Entry> wanted)
    {
        this.wanted = wanted;
    }

    /**
     * The log from {@code index} on is replaced (and with {@code reset}, everything before it is discarded).
     */
    void replaceFrom(final long index, final boolean reset)
    {
        if (reset)
        {
            pending.clear();
        }
        pending.removeIf(gap -> gap.from >= index);
        pending.replaceAll(gap -> gap.to < index ? gap : new Gap(gap.from, index - 1, gap.before));
        if (reset || !started || index < first)
        {
            first = index;
        }
        started = true;
        last = Math.min(last, index - 1);
        if (null != wanted)
        {
            if (reset)
            {
                wanted.clear();
            }
            wanted.tailMap(index, true).clear();
        }
    }

    /**
     * Apply a segment with the rules of a server's open ({@link RecoveredSegments}), except the term of its last entry.
     *
     * @param segment  an undamaged segment, the next in sequence order.
     * @param checkGap whether to note a gap before it (not after a damaged segment, reported as such).
     */
    void applySegment(final DataDirectoryReader.Segment segment, final boolean checkGap)
    {
        if (checkGap && started && !segment.reset() && segment.lastIndex() >= segment.firstIndex() &&
            segment.firstIndex() > last + 1)
        {
            pending.add(new Gap(last + 1, segment.firstIndex() - 1, segment.path()));
        }
        replaceFrom(segment.firstIndex(), segment.reset());
        if (segment.lastIndex() >= segment.firstIndex())
        {
            last = segment.lastIndex();
        }
        else if (segment.firstIndex() > 1 && !segment.reset())
        {
            // A truncation: the term of the entry it kept is in an earlier segment; not looked up.
            lastTerm = 0;
        }
    }

    /**
     * Everything is applied: the gaps nothing filled that a valid snapshot holds (a crash during a retention pass)
     * start the log after them; the others are missing entries, in {@link #gaps}.
     */
    void finish()
    {
        for (final Gap gap : pending)
        {
            if (gap.to <= snapshotTop)
            {
                first = Math.max(first, gap.to + 1);
                if (null != wanted)
                {
                    wanted.headMap(gap.to, true).clear();
                }
            }
            else
            {
                // What the server's open refuses: segments that do not continue each other (one deleted, say).
                gaps.add(new DataDirectoryReader.Damage(gap.before, 0, "entries " + gap.from + ".." + gap.to +
                    " are missing: this segment starts at " + (gap.to + 1) + " but the segments before it end at " +
                    (gap.from - 1)));
            }
        }
        pending.clear();
    }

    /**
     * Apply a WAL record with the rules of a replay (see {@link ServerReplay}).
     *
     * @return whether it is an entry now at {@code index}.
     */
    boolean apply(final byte type, final long index, final long term)
    {
        if (type == WalFormat.ENTRY)
        {
            replaceFrom(index, false);
            last = index;
            lastTerm = term;
            return true;
        }
        if (type == WalFormat.TRUNCATE && index < last)
        {
            replaceFrom(index + 1, false);
            last = index;
            lastTerm = term;
        }
        else if (type == WalFormat.RESET)
        {
            replaceFrom(index + 1, true);
            last = index;
            lastTerm = term;
        }
        return false;
    }
}

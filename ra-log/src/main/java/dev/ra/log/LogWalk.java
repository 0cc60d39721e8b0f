package dev.ra.log;

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
    /** The entries read so far in the wanted range, or null when only the extent matters. */
    final NavigableMap<Long, DataDirectoryReader.Entry> wanted;
    final List<DataDirectoryReader.Damage> gaps = new ArrayList<>();
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
     * @param segment     an undamaged segment, the next in sequence order.
     * @param checkGap    whether to record a gap before it (not after a damaged segment, reported as such).
     * @param snapshotTop the index of the newest valid snapshot: a gap at or below it is a crash during retention,
     *                    no damage, and the log starts after it.
     */
    void applySegment(final DataDirectoryReader.Segment segment, final boolean checkGap, final long snapshotTop)
    {
        if (started && !segment.reset() && segment.firstIndex() > last + 1)
        {
            if (segment.firstIndex() - 1 <= snapshotTop)
            {
                replaceFrom(segment.firstIndex(), true);
            }
            else if (checkGap)
            {
                // What the server's open refuses: segments that do not continue each other (one deleted, say).
                gaps.add(new DataDirectoryReader.Damage(segment.path(), 0, "entries " + (last + 1) + ".." +
                    (segment.firstIndex() - 1) + " are missing: this segment starts at " + segment.firstIndex() +
                    " but the segments before it end at " + last));
            }
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

package dev.ra.examples.watch;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where a watch client stands: the last revision it delivered, and the batches held back behind a gap. The rule of
 * exactly-once delivery, without threads or I/O, so the {@link Watcher} and the tests share it. Not thread-safe.
 *
 * <p>A batch at or below the last delivered revision is a duplicate; a batch whose {@code previous} is the last
 * delivered revision is next; any other batch is held back until the gap before it is filled, which the client does by
 * re-registering from {@link #resumeFrom()}.
 */
public final class WatchCursor
{
    private final TreeMap<Long, WatchNotification.Events> heldBack = new TreeMap<>();
    private long lastDelivered;

    /**
     * @param lastDelivered the revision before the watch's start revision.
     */
    public WatchCursor(final long lastDelivered)
    {
        this.lastDelivered = lastDelivered;
    }

    /**
     * @param events received.
     * @return the batches now deliverable, in revision order (possibly none, possibly several held back before).
     */
    public List<EventBatch> offer(final WatchNotification.Events events)
    {
        if (events.revision() > lastDelivered)
        {
            heldBack.put(events.revision(), events);
        }
        final List<EventBatch> deliverable = new ArrayList<>();
        while (!heldBack.isEmpty())
        {
            final Map.Entry<Long, WatchNotification.Events> first = heldBack.firstEntry();
            final WatchNotification.Events next = first.getValue();
            if (next.revision() <= lastDelivered)
            {
                heldBack.pollFirstEntry();
            }
            else if (next.previous() == lastDelivered)
            {
                heldBack.pollFirstEntry();
                lastDelivered = next.revision();
                deliverable.add(new EventBatch(next.revision(), next.events()));
            }
            else
            {
                break;
            }
        }
        return deliverable;
    }

    /**
     * @return whether batches are held back behind a gap (the client should resume).
     */
    public boolean hasGap()
    {
        return !heldBack.isEmpty();
    }

    /**
     * @param lastSent from a {@link WatchNotification.Resync}.
     * @return whether the machine sent more than was delivered (the client should resume).
     */
    public boolean isBehind(final long lastSent)
    {
        return lastSent > lastDelivered;
    }

    /**
     * @return the start revision to re-register with.
     */
    public long resumeFrom()
    {
        return lastDelivered + 1;
    }

    /**
     * @return the last revision delivered.
     */
    public long lastDelivered()
    {
        return lastDelivered;
    }

    /**
     * Forget the batches held back (the watch ended).
     */
    public void clear()
    {
        heldBack.clear();
    }
}

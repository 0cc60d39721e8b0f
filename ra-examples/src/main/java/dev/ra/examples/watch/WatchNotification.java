package dev.ra.examples.watch;

import java.util.List;
import java.util.Objects;

/**
 * What a watcher's process receives.
 */
public sealed interface WatchNotification
{
    /**
     * The events of one revision that a watch covers.
     *
     * @param watchId  of the watch.
     * @param revision of the events.
     * @param previous revision of the batch sent before this one for this watch ({@code start - 1} for the first
     *                 since the watch was registered): a batch whose {@code previous} is not the last revision the
     *                 client delivered reveals a gap (a batch lost in a leader failover).
     * @param events   of that revision under the watched prefix, in order.
     */
    record Events(String watchId, long revision, long previous, List<WatchEvent> events) implements WatchNotification
    {
        /** Checks that the id and events are not null. */
        public Events
        {
            Objects.requireNonNull(watchId, "watchId");
            Objects.requireNonNull(events, "events");
        }
    }

    /**
     * Sent by a new leader, or when the watcher's node is reachable again: "the last batch sent to this watch was at
     * {@code lastSent}". A client that delivered less re-registers from its last revision + 1.
     *
     * @param watchId  of the watch.
     * @param lastSent revision of the last batch the machine sent (or would have sent) to it.
     */
    record Resync(String watchId, long lastSent) implements WatchNotification
    {
        /** Checks that the id is not null. */
        public Resync
        {
            Objects.requireNonNull(watchId, "watchId");
        }
    }

    /**
     * Sent when the watcher's node is reachable again after its watch expired (it stayed unreachable longer than the
     * hub's expiry bound): the watch is gone, and batches from {@code lastSent} on were never sent. The client
     * re-registers from its last delivered revision + 1, which succeeds if the history still reaches back that far
     * and is refused as compacted otherwise.
     *
     * @param watchId  of the expired watch.
     * @param lastSent revision of the last batch sent to it before it expired.
     */
    record Expired(String watchId, long lastSent) implements WatchNotification
    {
        /** Checks that the id is not null. */
        public Expired
        {
            Objects.requireNonNull(watchId, "watchId");
        }
    }
}

package dev.ra.examples.watch;

import dev.ra.ProcessRef;
import java.util.Objects;

/**
 * One registered watch.
 *
 * @param watchId       chosen by the client; the same watcher registering the same id again replaces the watch (a
 *                      resume); another watcher is refused it.
 * @param watcher       process that receives {@link WatchNotification}s.
 * @param prefix        of the keys watched (a whole key watches that key and every key it prefixes).
 * @param startRevision first revision the watch delivers.
 * @param lastSent      revision of the last batch sent to it, or {@code startRevision - 1} if none: the link the next
 *                      batch carries, so the client can tell a gap.
 * @param unreachableSinceMs log time ({@code CommandMeta.systemTimeMs}) of the entry that first reported the
 *                      watcher's node unreachable, or {@link #REACHABLE}. While it is set, messages to the watcher are
 *                      lost (it is told to resume when the node returns), and the watch expires once the log time
 *                      passes this plus the hub's expiry bound.
 */
public record Watch(String watchId, ProcessRef watcher, String prefix, long startRevision, long lastSent,
    long unreachableSinceMs)
{
    /** The {@code unreachableSinceMs} of a watch whose watcher is reachable. */
    public static final long REACHABLE = -1;

    /** Checks that the id, watcher and prefix are not null. */
    public Watch
    {
        Objects.requireNonNull(watchId, "watchId");
        Objects.requireNonNull(watcher, "watcher");
        Objects.requireNonNull(prefix, "prefix");
    }

    /**
     * @return whether the watcher's node is reachable (as far as the leader's monitors know).
     */
    public boolean reachable()
    {
        return unreachableSinceMs == REACHABLE;
    }

    /**
     * @param sinceMs log time the watcher's node was found unreachable, or {@link #REACHABLE}.
     * @return this watch with that reachability.
     */
    public Watch withUnreachableSince(final long sinceMs)
    {
        return new Watch(watchId, watcher, prefix, startRevision, lastSent, sinceMs);
    }

    /**
     * @param key of an event.
     * @return whether this watch covers it.
     */
    public boolean covers(final String key)
    {
        return key.startsWith(prefix);
    }
}

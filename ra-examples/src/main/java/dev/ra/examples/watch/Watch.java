package dev.ra.examples.watch;

import dev.ra.ProcessRef;
import java.util.Objects;

/**
 * One registered watch.
 *
 * @param watchId       chosen by the client; registering the same id again replaces the watch (a resume).
 * @param watcher       process that receives {@link WatchNotification}s.
 * @param prefix        of the keys watched (a whole key watches that key and every key it prefixes).
 * @param startRevision first revision the watch delivers.
 * @param lastSent      revision of the last batch sent to it, or {@code startRevision - 1} if none: the link the next
 *                      batch carries, so the client can tell a gap.
 * @param reachable     false while the watcher's node is unreachable (messages to it are lost; it is told to resume
 *                      when the node returns).
 */
public record Watch(String watchId, ProcessRef watcher, String prefix, long startRevision, long lastSent,
    boolean reachable)
{
    /** Checks that the id, watcher and prefix are not null. */
    public Watch
    {
        Objects.requireNonNull(watchId, "watchId");
        Objects.requireNonNull(watcher, "watcher");
        Objects.requireNonNull(prefix, "prefix");
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

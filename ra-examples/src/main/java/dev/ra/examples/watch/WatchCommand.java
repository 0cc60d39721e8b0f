package dev.ra.examples.watch;

import dev.ra.ProcessRef;
import dev.ra.examples.lease.LeasedKvMachineCommand;
import java.util.Objects;

/**
 * The watch commands of a machine that embeds a {@link WatchHub}.
 */
public sealed interface WatchCommand extends LeasedKvMachineCommand
{
    /**
     * Register (or resume) a watch. Replies {@link WatchReply.Watching}, {@link WatchReply.Compacted} when the
     * history no longer reaches back to {@code startRevision}, or {@link WatchReply.Refused} when the id is another
     * watcher's.
     *
     * @param watchId       chosen by the client, unique among its watches; the same id again from the same watcher
     *                      replaces the watch (a resume), from another watcher is refused with
     *                      {@link WatchReply.Refused} (machine version 1 of {@code LeasedKvMachine} on).
     * @param watcher       process that receives the {@link WatchNotification}s.
     * @param prefix        of the keys to watch; the empty prefix watches everything.
     * @param startRevision first revision to deliver; 0 means "changes after now".
     */
    record Register(String watchId, ProcessRef watcher, String prefix, long startRevision) implements WatchCommand
    {
        /** Checks that the id, watcher and prefix are not null and the start revision is not negative. */
        public Register
        {
            Objects.requireNonNull(watchId, "watchId");
            Objects.requireNonNull(watcher, "watcher");
            Objects.requireNonNull(prefix, "prefix");
            if (startRevision < 0)
            {
                throw new IllegalArgumentException("start revision must be >= 0, got " + startRevision);
            }
        }
    }

    /**
     * Remove a watch. Replies {@code Boolean.TRUE} if it existed.
     *
     * @param watchId of the watch.
     */
    record Cancel(String watchId) implements WatchCommand
    {
        /** Checks that the id is not null. */
        public Cancel
        {
            Objects.requireNonNull(watchId, "watchId");
        }
    }
}

package dev.ra.examples.tree;

import java.util.Objects;

/**
 * The messages the leader sends to watching processes ({@link dev.ra.Effect.SendMsg}); none is written to the log.
 */
public sealed interface TreeWatchMessage
{
    /**
     * A watch fired (or, after a {@link Resync}, may have fired while its event could have been lost).
     *
     * @param type what happened.
     * @param path where.
     * @param zxid of the change (or of the re-registration that found the change).
     */
    record Event(TreeEventType type, String path, long zxid) implements TreeWatchMessage
    {
        /** Checks that the parts are not null. */
        public Event
        {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(path, "path");
        }
    }

    /**
     * A new leader took over, or the watcher's node became reachable again: events may have been lost, so the
     * watcher re-registers its watches ({@link TreeCommand.Reregister}), as ZooKeeper's client does on reconnect.
     *
     * @param zxid of the tree when the message was decided.
     */
    record Resync(long zxid) implements TreeWatchMessage
    {
    }
}

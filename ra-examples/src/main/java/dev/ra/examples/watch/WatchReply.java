package dev.ra.examples.watch;

/**
 * The replies to {@link WatchCommand.Register}, and the refusal of a {@link WatchCommand.CancelOwn} or (machine
 * version 2 on) {@link WatchCommand.Cancel}.
 */
public sealed interface WatchReply
{
    /**
     * The watch is registered; every batch from {@code startRevision} on will be sent (the ones already in the
     * history at once).
     *
     * @param watchId         of the watch.
     * @param startRevision   first revision delivered (resolved when 0 was asked for).
     * @param currentRevision of the store when the watch was registered.
     */
    record Watching(String watchId, long startRevision, long currentRevision) implements WatchReply
    {
    }

    /**
     * The start revision is older than the history kept: nothing was registered, and a watch of that id (being
     * resumed) has ended. etcd's "required revision has been compacted".
     *
     * @param watchId           of the refused watch.
     * @param requestedRevision asked for.
     * @param compactRevision   newest revision no longer in the history; the oldest start accepted is this + 1.
     */
    record Compacted(String watchId, long requestedRevision, long compactRevision) implements WatchReply
    {
        /**
         * @return the oldest start revision a watch may ask for now.
         */
        public long oldestAvailable()
        {
            return compactRevision + 1;
        }
    }

    /**
     * Nothing was registered or cancelled: the request makes no sense here (the watch id is another watcher's, or
     * a cancel names no watcher). The watches registered before are unchanged.
     *
     * @param watchId of the refused watch.
     * @param reason  what was wrong, naming the id and the watcher that holds it.
     */
    record Refused(String watchId, String reason) implements WatchReply
    {
    }
}

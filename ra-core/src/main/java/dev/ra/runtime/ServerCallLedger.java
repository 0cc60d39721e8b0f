package dev.ra.runtime;

import dev.ra.ServerId;
import java.util.HashMap;
import java.util.Map;

/**
 * The calls a server took and has not answered yet, by the call id its core knows them by (a command awaiting
 * consensus, a membership change, a transfer, a delete, a read index). The core keeps its own index-to-call-id
 * bookkeeping and reports each call's end by id; this ledger maps the id back to where the answer goes.
 *
 * <p>The server's side only: calls this node made and that wait for an answer from another node are in the
 * {@link CallsTable}. Confined to the server's event loop.
 */
final class ServerCallLedger
{
    /** Kinds of pending calls, to know what a completion means. */
    enum Kind
    {
        COMMAND, MEMBER_CHANGE, TRANSFER, DELETE, READ_INDEX
    }

    /**
     * A pending call.
     *
     * @param origin where the answer goes.
     * @param kind   what was asked.
     */
    record Entry(CallOrigin origin, Kind kind)
    {
    }

    private final Map<Long, Entry> pending = new HashMap<>();
    /** Positive: the hand-over of an orderly stop uses a negative id of its own ({@link LeadershipHandOver}). */
    private long nextCallId = 1;

    /**
     * @return the id to give the core.
     */
    long register(final CallOrigin origin, final Kind kind)
    {
        final long callId = nextCallId++;
        pending.put(callId, new Entry(origin, kind));
        return callId;
    }

    /**
     * @return the call, now answered by the caller of this method, or null if none is pending by that id.
     */
    Entry take(final long callId)
    {
        return pending.remove(callId);
    }

    /**
     * The server stopped: every pending call learns it.
     */
    void stopped(final ServerId server, final Throwable cause)
    {
        for (final Entry e : pending.values())
        {
            e.origin().stopped(server, cause);
        }
        pending.clear();
    }
}

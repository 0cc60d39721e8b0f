package dev.ra.admin;

import dev.ra.RaSystem;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Takes the node's status for {@code /status} and {@code /health}, at most once per interval whatever the number of
 * requests: callers within the interval share the last one. Called on the admin endpoint's status thread only.
 */
final class StatusSource
{
    private final RaSystem system;
    private final Predicate<String> reachable;
    private final PeerStatuses peers;
    private final long intervalNanos;
    private Snapshot last;

    /**
     * One status, written out.
     *
     * @param full      JSON of {@code GET /status}.
     * @param localOnly JSON of {@code GET /status?scope=local}: this node's servers only (what peers ask for).
     * @param ready     whether every local server knows a leader.
     * @param atNanos   when it was taken.
     */
    record Snapshot(String full, String localOnly, boolean ready, long atNanos)
    {
    }

    StatusSource(final RaSystem system, final Predicate<String> reachable, final PeerStatuses peers,
        final long intervalMillis)
    {
        this.system = system;
        this.reachable = reachable;
        this.peers = peers;
        this.intervalNanos = intervalMillis * 1_000_000L;
    }

    Snapshot current()
    {
        final long now = System.nanoTime();
        if (null != last && now - last.atNanos < intervalNanos)
        {
            return last;
        }
        peers.refresh();
        final NodeStatus status = NodeStatus.take(system, reachable, peers::reported);
        final Map<String, Object> json = status.toJson(System.currentTimeMillis());
        final String full = JsonWriter.write(json);
        json.remove("clusters");
        last = new Snapshot(full, JsonWriter.write(json), status.ready(), now);
        return last;
    }
}

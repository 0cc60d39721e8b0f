package dev.ra.admin;

import dev.ra.FailedRestart;
import dev.ra.RaSystem;
import dev.ra.ServerId;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * Takes the node's status for {@code /status} and {@code /health}, at most once per interval whatever the number of
 * requests: callers within the interval share the last one. Called on the admin endpoint's status thread only.
 */
final class StatusSource implements AutoCloseable
{
    private static final long PEER_WAIT_MILLIS = 300;
    private static final Duration OVERVIEW_WAIT = Duration.ofSeconds(2);

    private final RaSystem system;
    private final LocalOverviews overviews;
    private final Predicate<String> reachable;
    private final PeerStatuses peers;
    private final long intervalNanos;
    private Snapshot full;
    private Snapshot local;
    private Snapshot peer;

    /**
     * One status, written out.
     *
     * @param json           of {@code GET /status}, of {@code GET /status?scope=local} (this node's servers only),
     *                       or of {@code GET /status?scope=peer} (what peers ask for: of each server, what they
     *                       show).
     * @param ready          whether every local server knows a leader, and every stored one runs.
     * @param failedRestarts how many servers stored here do not run because their restart failed.
     * @param atNanos        when it was taken.
     */
    record Snapshot(String json, boolean ready, int failedRestarts, long atNanos)
    {
    }

    StatusSource(final RaSystem system, final Predicate<String> reachable, final PeerStatuses peers,
        final long intervalMillis)
    {
        this.system = system;
        this.overviews = new LocalOverviews(system, OVERVIEW_WAIT);
        this.reachable = reachable;
        this.peers = peers;
        this.intervalNanos = intervalMillis * 1_000_000L;
    }

    /**
     * @return the status with every cluster as this node sees it, members of peers included.
     */
    Snapshot full()
    {
        final long now = System.nanoTime();
        if (null != full && now - full.atNanos < intervalNanos)
        {
            return full;
        }
        // The peers' numbers and the local ones are taken together, so that the view compares like with like; a slow
        // peer is not waited for long, and shows what it said last (or nothing) until it answers.
        try
        {
            peers.refresh().get(PEER_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        catch (final ExecutionException | TimeoutException ex)
        {
            // Dealt with by PeerStatuses: a failed peer is forgotten, a slow one used once it answers.
        }
        final NodeStatus status = NodeStatus.of(system.nodeId(), overviews.take(), reachable, peers::reported,
            failedRestarts());
        final Map<String, Object> json = status.toJson(System.currentTimeMillis());
        // Peers whose last answer failed, with why: their members show what this node infers, and this says why.
        json.put("unavailablePeers", new LinkedHashMap<String, Object>(peers.unavailable()));
        full = new Snapshot(JsonWriter.write(json), status.ready(), status.failedRestarts().size(), now);
        return full;
    }

    /**
     * @return the status of this node's servers only, without asking peers: what a peer asks for, and what
     *         {@code /health} needs.
     */
    Snapshot local()
    {
        final long now = System.nanoTime();
        if (null != local && now - local.atNanos < intervalNanos)
        {
            return local;
        }
        final NodeStatus status = NodeStatus.of(system.nodeId(), overviews.take(), reachable, member -> null,
            failedRestarts());
        final Map<String, Object> json = status.toJson(System.currentTimeMillis());
        json.remove("clusters");
        local = new Snapshot(JsonWriter.write(json), status.ready(), status.failedRestarts().size(), now);
        return local;
    }

    /**
     * @return what another node's endpoint asks for: per server of this node, only what it shows of a member.
     */
    Snapshot peer()
    {
        final long now = System.nanoTime();
        if (null != peer && now - peer.atNanos < intervalNanos)
        {
            return peer;
        }
        final NodeStatus status = NodeStatus.of(system.nodeId(), overviews.take(), reachable, member -> null,
            failedRestarts());
        peer = new Snapshot(JsonWriter.write(status.toPeerJson(System.currentTimeMillis())), status.ready(),
            status.failedRestarts().size(), now);
        return peer;
    }

    /**
     * @return the servers stored on this node whose restart failed, with why.
     */
    private Map<ServerId, String> failedRestarts()
    {
        final Map<ServerId, String> failed = new LinkedHashMap<>();
        for (final FailedRestart restart : system.failedRestarts())
        {
            failed.put(restart.server(), restart.reason());
        }
        return failed;
    }

    @Override
    public void close()
    {
        // Nothing to release: no thread waits for an overview, and what is still awaited is dropped with the poller.
    }
}

package dev.ra.examples.lease;

import dev.ra.ProcessRef;
import java.util.List;
import java.util.Objects;

/**
 * One live session (an etcd lease): its id, its time-to-live, the process that owns it, and the resources bound to it,
 * which go when the session ends.
 *
 * @param id     of the session: the log index of the grant, so unique and never reused.
 * @param ttlMs  time-to-live: the session ends when no keep-alive reaches the leader for this long.
 * @param owner  the process that asked for it, or {@code null}; when it ends (not merely becomes unreachable), the
 *               session is closed at once.
 * @param bound  names of the resources bound to the session (keys, locks, tree nodes), in binding order.
 */
public record Session(long id, long ttlMs, ProcessRef owner, List<String> bound)
{
    /** Checks that {@code bound} is not null and the TTL positive. */
    public Session
    {
        Objects.requireNonNull(bound, "bound");
        if (ttlMs <= 0)
        {
            throw new IllegalArgumentException("session TTL must be positive, got " + ttlMs + " ms");
        }
    }
}

package dev.ra.examples.lock;

import java.util.Objects;

/**
 * The message a queued process receives when the lock passes to it.
 *
 * <p>Delivery is at-least-once at best: the grant may be lost if the leader fails right after applying it (a new
 * leader sends it again to every holder), and it may arrive twice. The lock state is the truth; a client treats a
 * second grant with a token it already has as a duplicate, and may always ask the cluster who holds the lock.
 *
 * @param key   of the lock.
 * @param token the fencing token of the new tenure.
 */
public record LockGranted(String key, long token)
{
    /** Checks that {@code key} is not null. */
    public LockGranted
    {
        Objects.requireNonNull(key, "key");
    }
}

package dev.ra.examples.lease;

import java.util.List;
import java.util.Objects;

/**
 * The replies to {@link SessionCommand}s.
 */
public sealed interface SessionReply
{
    /**
     * A session was opened.
     *
     * @param sessionId of the new session.
     * @param ttlMs     its time-to-live.
     */
    record Granted(long sessionId, long ttlMs) implements SessionReply
    {
    }

    /**
     * A revoke or expiry was applied.
     *
     * @param sessionId that was asked for.
     * @param existed   whether it was live (false: it had already ended, or never existed).
     * @param released  the resources that were bound to it and are gone now, in binding order.
     */
    record Ended(long sessionId, boolean existed, List<String> released) implements SessionReply
    {
        /** Checks that {@code released} is not null. */
        public Ended
        {
            Objects.requireNonNull(released, "released");
        }
    }

    /**
     * An expiry from a lessor that is no longer the current one: the session lives on.
     *
     * @param sessionId    that was asked for.
     * @param lessorEpoch  of the lessor that asked.
     * @param currentEpoch the epoch in force.
     */
    record ExpiryRefused(long sessionId, long lessorEpoch, long currentEpoch) implements SessionReply
    {
    }
}

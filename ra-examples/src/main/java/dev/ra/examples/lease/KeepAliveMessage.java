package dev.ra.examples.lease;

import dev.ra.ProcessRef;
import java.util.Objects;

/**
 * The messages between a session's client and the leader's lessor process. None of them is written to the log.
 */
public sealed interface KeepAliveMessage
{
    /**
     * "Session {@code sessionId} is alive": restarts its clock on the lessor.
     *
     * @param sessionId to keep alive.
     * @param replyTo   process that receives the {@link Ack} or {@link NotFound}.
     */
    record KeepAlive(long sessionId, ProcessRef replyTo) implements KeepAliveMessage
    {
        /** Checks that {@code replyTo} is not null. */
        public KeepAlive
        {
            Objects.requireNonNull(replyTo, "replyTo");
        }
    }

    /**
     * The lessor restarted the session's clock.
     *
     * @param sessionId kept alive.
     * @param ttlMs     the session's time-to-live.
     * @param epoch     of the lessor that answered.
     */
    record Ack(long sessionId, long ttlMs, long epoch) implements KeepAliveMessage
    {
    }

    /**
     * The lessor does not know the session: it ended (expired or revoked), or it is too new for this lessor.
     *
     * @param sessionId asked about.
     * @param epoch     of the lessor that answered.
     */
    record NotFound(long sessionId, long epoch) implements KeepAliveMessage
    {
    }
}

package dev.ra.examples.lease;

import dev.ra.ProcessRef;
import dev.ra.examples.tree.TreeMachineCommand;
import java.util.Objects;

/**
 * The session commands of a machine that embeds a {@link SessionTable}. Keep-alives are not among them: they go to
 * the leader's {@link LessorHost} as process messages ({@link KeepAliveMessage}) and never reach the log.
 */
public sealed interface SessionCommand extends LeasedKvMachineCommand, TreeMachineCommand
{
    /**
     * Open a session. Replies {@link SessionReply.Granted} with the session id (the log index of this entry).
     *
     * @param ttlMs time-to-live of the session, positive.
     * @param owner process whose end closes the session, or {@code null}.
     */
    record Grant(long ttlMs, ProcessRef owner) implements SessionCommand
    {
        /** Checks that the TTL is positive. */
        public Grant
        {
            if (ttlMs <= 0)
            {
                throw new IllegalArgumentException("session TTL must be positive, got " + ttlMs + " ms");
            }
        }
    }

    /**
     * Close a session now and release what is bound to it (etcd's LeaseRevoke). Replies {@link SessionReply.Ended};
     * closing an absent session is not an error.
     *
     * @param sessionId to close.
     */
    record Revoke(long sessionId) implements SessionCommand
    {
    }

    /**
     * End a session whose TTL lapsed: issued by the leader's {@link LessorHost}, never by clients. Replies
     * {@link SessionReply.Ended}, or {@link SessionReply.ExpiryRefused} when {@code lessorEpoch} is not the current
     * epoch.
     *
     * @param sessionId   to expire.
     * @param lessorEpoch of the lessor that saw the TTL lapse.
     */
    record Expire(long sessionId, long lessorEpoch) implements SessionCommand
    {
    }

    /**
     * "A new leader's lessor starts here": appended by every new leader; its log index is the new lessor epoch, and
     * applying it starts the lessor, which gives every session a fresh TTL. Replies nothing.
     */
    record NewLeader() implements SessionCommand
    {
    }

    /**
     * The lessor of {@code epoch} runs as process {@code lessor}: clients send keep-alives there. Ignored unless
     * {@code epoch} is current. Replies {@code Boolean.TRUE} if taken.
     *
     * @param epoch  of the lessor.
     * @param lessor its process.
     */
    record LessorReady(long epoch, ProcessRef lessor) implements SessionCommand
    {
        /** Checks that {@code lessor} is not null. */
        public LessorReady
        {
            Objects.requireNonNull(lessor, "lessor");
        }
    }
}

package dev.ra.core;

import dev.ra.ProcessRef;
import java.util.Objects;

/**
 * How the caller of a command wants to hear its outcome.
 */
public sealed interface ReplyMode
{
    /** No reply: fire and forget. */
    NoReply NO_REPLY = new NoReply();

    /**
     * Fire and forget.
     */
    record NoReply() implements ReplyMode
    {
    }

    /**
     * Reply once the entry is committed and applied on the leader (Ra's {@code await_consensus}).
     *
     * @param callId the runtime's handle on the waiting caller.
     */
    record AwaitConsensus(long callId) implements ReplyMode
    {
    }

    /**
     * Notify a process, in batches, once the entry is applied (Ra's {@code notify}); a member that is not the leader
     * rejects the command instead.
     *
     * @param to          the process to notify.
     * @param correlation chosen by the caller to match notifications with commands.
     */
    record Notify(ProcessRef to, Object correlation) implements ReplyMode
    {
        /**
         * Checks that {@code to} is not null.
         */
        public Notify
        {
            Objects.requireNonNull(to, "to");
        }
    }
}

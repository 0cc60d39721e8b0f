package dev.ra.protocol;

import java.util.Objects;

/**
 * A pipelined command that failed, as a {@link NodeMessage.FailedNotice} tells the process to notify on another node:
 * the data of the exception a process on the leader's node gets as the command's reply.
 *
 * @param correlation    of the command (generic codec), possibly null.
 * @param kind           how it failed.
 * @param exceptionClass for {@link Kind#APPLY_THREW}, the fully qualified class name of what the machine's
 *                       {@code apply} threw; null for the other kinds.
 * @param message        the exception's message: possibly null for {@link Kind#APPLY_THREW}, the reason (not null)
 *                       for the other kinds.
 * @param index          for {@link Kind#APPLY_THREW}, the command's (positive) log index; 0 for the other kinds.
 */
public record FailedCommand(Object correlation, Kind kind, String exceptionClass, String message, long index)
{
    /**
     * How a command failed; each is one exception a process is notified with.
     */
    public enum Kind
    {
        /** The machine's {@code apply} threw: a {@link dev.ra.CommandFailedException}. */
        APPLY_THREW,
        /** The leader refused the command before appending it: a {@link dev.ra.InvalidCommandException}. */
        REFUSED,
        /**
         * The command was applied, but its reply cannot reach the process (the machine's reply codec cannot encode it,
         * or it is too large for a message): a {@link dev.ra.RaException} saying so, as a caller of
         * {@code processCommand} is told.
         */
        REPLY_NOT_SENT,
        /**
         * The leader refused the command before appending it because it holds as many commands not yet applied as it
         * may: a {@link dev.ra.ServerOverloadedException}.
         */
        OVERLOADED
    }

    /**
     * Checks that the fields fit the kind: an exception class and a positive index for {@link Kind#APPLY_THREW}, a
     * message and neither of the others for the other kinds.
     */
    public FailedCommand
    {
        Objects.requireNonNull(kind, "kind");
        if (Kind.APPLY_THREW == kind)
        {
            Objects.requireNonNull(exceptionClass, "exceptionClass");
            if (index <= 0)
            {
                throw new IllegalArgumentException("the index of a command whose apply threw must be positive, got " +
                    index);
            }
        }
        else
        {
            Objects.requireNonNull(message, "message");
            if (null != exceptionClass || 0 != index)
            {
                throw new IllegalArgumentException("only a command whose apply threw has an exception class and index");
            }
        }
    }
}

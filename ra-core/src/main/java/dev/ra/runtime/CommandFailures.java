package dev.ra.runtime;

import dev.ra.CommandFailedException;
import dev.ra.InvalidCommandException;
import dev.ra.RaEvent;
import dev.ra.RaException;
import dev.ra.ServerId;
import dev.ra.ServerOverloadedException;
import dev.ra.core.CallError;
import dev.ra.core.RaftAction;
import dev.ra.protocol.FailedCommand;

/**
 * The failures a server notifies a pipelining process of in place of a reply ({@link CommandFailedException} when the
 * machine's {@code apply} threw, {@link InvalidCommandException} when the leader refused the command,
 * {@link ServerOverloadedException} when it refused it for holding too much not yet applied), turned into
 * the data a {@link dev.ra.protocol.NodeMessage.FailedNotice} carries to another node and back into the same
 * exceptions there, so that a process on any node is told the same; and a reply that cannot reach a process on
 * another node (not encodable, too large, not decodable there), which it is told of as a caller of
 * {@code processCommand} is, rather than left waiting.
 */
final class CommandFailures
{
    private CommandFailures()
    {
    }

    /**
     * @param notification one of a server's notifications.
     * @return the failure it tells of, or null when it holds a reply of the machine (even one that is an exception:
     *     only the runtime's own failures, of these exact classes, are failures).
     */
    static FailedCommand failureOf(final RaEvent.Correlated notification)
    {
        final Object reply = notification.reply();
        if (null == reply)
        {
            return null;
        }
        if (reply.getClass() == CommandFailedException.class)
        {
            final CommandFailedException failed = (CommandFailedException)reply;
            return new FailedCommand(notification.correlation(), FailedCommand.Kind.APPLY_THREW,
                failed.exceptionClass(), failed.getMessage(), failed.index());
        }
        if (reply.getClass() == InvalidCommandException.class)
        {
            return new FailedCommand(notification.correlation(), FailedCommand.Kind.REFUSED, null,
                String.valueOf(((InvalidCommandException)reply).getMessage()), 0);
        }
        if (reply.getClass() == ServerOverloadedException.class)
        {
            return new FailedCommand(notification.correlation(), FailedCommand.Kind.OVERLOADED, null,
                String.valueOf(((ServerOverloadedException)reply).getMessage()), 0);
        }
        return null;
    }

    /**
     * @param refused a pipelined command the leader refused.
     * @return the notification that tells the process so.
     */
    static RaEvent.Correlated refused(final RaftAction.NotifyRefused refused)
    {
        return new RaEvent.Correlated(refused.correlation(), CallError.OVERLOADED == refused.error() ?
            new ServerOverloadedException(refused.detail()) : new InvalidCommandException(refused.detail()));
    }

    /**
     * @param correlation of a command applied whose reply cannot be sent to the process's node.
     * @param why         the reply cannot be sent.
     * @return the failure that tells the process so.
     */
    static FailedCommand replyNotSent(final Object correlation, final String why)
    {
        return new FailedCommand(correlation, FailedCommand.Kind.REPLY_NOT_SENT, null, why, 0);
    }

    /**
     * @param leader      that applied the command.
     * @param correlation of the command.
     * @param why         its reply cannot be decoded on this node.
     * @return the notification that tells the process so, rather than nothing (it would wait for ever).
     */
    static RaEvent.Correlated replyNotDecoded(final ServerId leader, final Object correlation, final String why)
    {
        return new RaEvent.Correlated(correlation, new RaException("the command was applied by " + leader +
            " but its reply cannot be decoded on this node: " + why));
    }

    /**
     * @param leader  that sent the failure.
     * @param failure received from another node.
     * @return the notification a process on the leader's node would have been given (for a reply that could not be
     *     sent, what a caller of {@code processCommand} is told).
     */
    static RaEvent.Correlated notificationOf(final ServerId leader, final FailedCommand failure)
    {
        final Exception exception = switch (failure.kind())
        {
            case APPLY_THREW -> new CommandFailedException(failure.exceptionClass(), failure.message(),
                failure.index());
            case REFUSED -> new InvalidCommandException(failure.message());
            case OVERLOADED -> new ServerOverloadedException(failure.message());
            case REPLY_NOT_SENT -> appliedButReplyLost(leader, failure.message());
        };
        return new RaEvent.Correlated(failure.correlation(), exception);
    }

    /**
     * @param failure of a command.
     * @return what happened, for the log: without the machine's message, which may be of any size.
     */
    static String describe(final FailedCommand failure)
    {
        return FailedCommand.Kind.APPLY_THREW == failure.kind() ?
            "its apply threw " + failure.exceptionClass() + " at index " + failure.index() :
            FailedCommand.Kind.REFUSED == failure.kind() ? "the leader refused it" :
            FailedCommand.Kind.OVERLOADED == failure.kind() ? "the leader was overloaded" :
            "its reply cannot be sent: " + failure.message();
    }

    /**
     * @param failure to send.
     * @return an upper bound of the bytes its text takes in a message (UTF-8: at most three bytes a char).
     */
    static long textBytes(final FailedCommand failure)
    {
        return 3L * ((null == failure.exceptionClass() ? 0 : failure.exceptionClass().length()) +
            (null == failure.message() ? 0 : failure.message().length()));
    }

    /**
     * @param failure  to send.
     * @param maxBytes the most its text may take.
     * @return it, or a copy whose message is cut to fit, saying so: the process must hear of the failure even when the
     *     machine's message is larger than a message between nodes can be.
     */
    static FailedCommand fitted(final FailedCommand failure, final long maxBytes)
    {
        if (null == failure.message() || textBytes(failure) <= maxBytes)
        {
            return failure;
        }
        final int classChars = null == failure.exceptionClass() ? 0 : failure.exceptionClass().length();
        final String message = failure.message();
        final int keep = (int)Math.max(0, Math.min(message.length(), maxBytes / 3 - classChars - 64));
        final String cut = message.substring(0, keep) + "... (" + (message.length() - keep) + " chars cut)";
        return new FailedCommand(failure.correlation(), failure.kind(), failure.exceptionClass(), cut,
            failure.index());
    }

    /**
     * What a caller is told of a command applied whose reply cannot reach it, whether it called or pipelined it.
     *
     * @param leader that applied it.
     * @param why    the reply cannot be sent.
     * @return the failure.
     */
    static RaException appliedButReplyLost(final Object leader, final String why)
    {
        return new RaException("the command was applied by " + leader + " but its reply cannot be sent back: " + why);
    }
}

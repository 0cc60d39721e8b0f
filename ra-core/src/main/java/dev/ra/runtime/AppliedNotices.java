package dev.ra.runtime;

import dev.ra.ProcessRef;
import dev.ra.RaEvent;
import dev.ra.ServerId;
import dev.ra.codec.Bytes;
import dev.ra.codec.Codec;
import dev.ra.protocol.FailedCommand;
import dev.ra.protocol.NodeMessage;
import dev.ra.spi.RateLimitedWarnings;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The notices that tell a process on another node which of its pipelined commands were applied, with their replies,
 * or failed: as few messages as fit the transport's limit. One message for all of a step's notifications could exceed
 * it, and a transport drops such a message whole, so every process waiting on one of them would never hear of its
 * commands.
 *
 * <p>A reply is encoded with the machine's reply codec ({@link NodeMessage.AppliedNotice}); a failure (the machine's
 * {@code apply} threw, or the leader refused the command) is no reply, which that codec may not encode, so it goes as
 * data in a {@link NodeMessage.FailedNotice} ({@link CommandFailures}), when the receiving node takes one. The notices
 * keep the order the notifications were made in: a process hears of its commands in log order, on any node.
 */
final class AppliedNotices
{
    /** What a notice needs beside its replies (its process, leader, the framing), at most. */
    static final int ENVELOPE_BYTES = 1024;

    private static final Logger LOG = LoggerFactory.getLogger(AppliedNotices.class);
    /** A process pipelining failing commands from an older node would otherwise put a line in the log for each. */
    private static final RateLimitedWarnings FAILURES_NOT_TAKEN = new RateLimitedWarnings(LOG);

    private final ProcessRef to;
    private final ServerId leader;
    private final int maxMessageBytes;
    /** Half the limit for the replies leaves the other half for the correlations, which the caller chose. */
    private final long budget;
    private final List<NodeMessage> notices = new ArrayList<>(1);
    private List<Object> correlations = new ArrayList<>();
    private List<Bytes> replies = new ArrayList<>();
    private List<FailedCommand> failures = new ArrayList<>();
    private long bytes;

    private AppliedNotices(final ProcessRef to, final ServerId leader, final int maxMessageBytes)
    {
        this.to = to;
        this.leader = leader;
        this.maxMessageBytes = maxMessageBytes;
        this.budget = Math.max(1, maxMessageBytes / 2);
    }

    /**
     * @param to              the process to notify.
     * @param leader          that applied the commands.
     * @param codec           the machine's reply codec.
     * @param applied         the commands' correlations and replies, in the order applied.
     * @param maxMessageBytes the transport's message limit.
     * @param failuresTaken   whether the process's node takes a {@link NodeMessage.FailedNotice}
     *                        ({@link dev.ra.spi.PeerFeature#FAILED_COMMAND_NOTICE}).
     * @return the notices to send, in order; a notification whose reply cannot be encoded, or is too large for any
     *     message, goes as a failure that says so (logged); a failure the node does not take is left out (logged):
     *     only it is lost, never the others nor the leader.
     */
    static List<NodeMessage> of(final ProcessRef to, final ServerId leader, final Codec<Object> codec,
        final List<RaEvent.Correlated> applied, final int maxMessageBytes, final boolean failuresTaken)
    {
        final AppliedNotices notices = new AppliedNotices(to, leader, maxMessageBytes);
        for (final RaEvent.Correlated c : applied)
        {
            final FailedCommand failure = CommandFailures.failureOf(c);
            if (null == failure)
            {
                notices.addReply(c, codec, failuresTaken);
            }
            else if (failuresTaken)
            {
                notices.addFailure(failure);
            }
            else
            {
                FAILURES_NOT_TAKEN.warn("{}: cannot notify {} of the command correlated {}: {}, and node {} runs a " +
                    "release that takes no notice of failed commands (the machine's reply codec cannot carry one)",
                    leader, to, c.correlation(), CommandFailures.describe(failure), to.node());
            }
        }
        notices.flush();
        return notices.notices;
    }

    private void addReply(final RaEvent.Correlated c, final Codec<Object> codec, final boolean failuresTaken)
    {
        final byte[] reply;
        try
        {
            reply = codec.toBytes(c.reply());
        }
        catch (final RuntimeException ex)
        {
            LOG.warn("{}: cannot send {} the reply of the command correlated {}: it cannot be encoded: {}",
                leader, to, c.correlation(), ex.toString());
            replyNotSent(c, failuresTaken, "the reply (a " + (null == c.reply() ? "null" :
                c.reply().getClass().getName()) + ") cannot be encoded by the machine's reply codec: " + ex);
            return;
        }
        if ((long)reply.length + ENVELOPE_BYTES > maxMessageBytes)
        {
            LOG.warn("{}: cannot send {} the reply of the command correlated {}: its {} bytes exceed the " +
                "transport's message limit of {} bytes", leader, to, c.correlation(), reply.length,
                maxMessageBytes);
            replyNotSent(c, failuresTaken, "the reply of " + reply.length + " bytes (encoded) exceeds the " +
                "transport's message limit of " + maxMessageBytes + " bytes");
            return;
        }
        if (!failures.isEmpty() || (!replies.isEmpty() && bytes + reply.length > budget))
        {
            flush();
        }
        correlations.add(c.correlation());
        replies.add(Bytes.wrap(reply));
        bytes += reply.length;
    }

    /** The process is told its command was applied but the reply cannot reach it, where its node takes that. */
    private void replyNotSent(final RaEvent.Correlated c, final boolean failuresTaken, final String why)
    {
        if (failuresTaken)
        {
            addFailure(CommandFailures.replyNotSent(c.correlation(), why));
        }
    }

    private void addFailure(final FailedCommand failure)
    {
        final FailedCommand fitted = CommandFailures.fitted(failure, Math.max(0, budget - ENVELOPE_BYTES));
        final long size = CommandFailures.textBytes(fitted);
        if (!replies.isEmpty() || (!failures.isEmpty() && bytes + size > budget))
        {
            flush();
        }
        failures.add(fitted);
        bytes += size;
    }

    private void flush()
    {
        if (!replies.isEmpty())
        {
            notices.add(new NodeMessage.AppliedNotice(to, leader, correlations, replies));
            correlations = new ArrayList<>();
            replies = new ArrayList<>();
        }
        if (!failures.isEmpty())
        {
            notices.add(new NodeMessage.FailedNotice(to, leader, failures));
            failures = new ArrayList<>();
        }
        bytes = 0;
    }
}

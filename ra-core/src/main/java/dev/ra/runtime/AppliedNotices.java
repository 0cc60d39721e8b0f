package dev.ra.runtime;

import dev.ra.ProcessRef;
import dev.ra.RaEvent;
import dev.ra.ServerId;
import dev.ra.codec.Bytes;
import dev.ra.codec.Codec;
import dev.ra.protocol.NodeMessage;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The notices that tell a process on another node which of its pipelined commands were applied, with their replies:
 * as few messages as fit the transport's limit. One message for all of a step's notifications could exceed it, and a
 * transport drops such a message whole, so every process waiting on one of them would never hear of its commands.
 */
final class AppliedNotices
{
    /** What a notice needs beside its replies (its process, leader, the framing), at most. */
    static final int ENVELOPE_BYTES = 1024;

    private static final Logger LOG = LoggerFactory.getLogger(AppliedNotices.class);

    private AppliedNotices()
    {
    }

    /**
     * @param to              the process to notify.
     * @param leader          that applied the commands.
     * @param codec           the machine's reply codec.
     * @param applied         the commands' correlations and replies, in the order applied.
     * @param maxMessageBytes the transport's message limit.
     * @return the notices to send, in order; a notification whose reply cannot be encoded, or is too large for any
     *     message, is left out (logged): only it is lost, never the others nor the leader.
     */
    static List<NodeMessage.AppliedNotice> of(final ProcessRef to, final ServerId leader, final Codec<Object> codec,
        final List<RaEvent.Correlated> applied, final int maxMessageBytes)
    {
        // Half the limit for the replies leaves the other half for the correlations, which the caller chose.
        final long budget = Math.max(1, maxMessageBytes / 2);
        final List<NodeMessage.AppliedNotice> notices = new ArrayList<>(1);
        List<Object> correlations = new ArrayList<>(applied.size());
        List<Bytes> replies = new ArrayList<>(applied.size());
        long bytes = 0;
        for (final RaEvent.Correlated c : applied)
        {
            final byte[] reply;
            try
            {
                reply = codec.toBytes(c.reply());
            }
            catch (final RuntimeException ex)
            {
                LOG.warn("{}: cannot notify {} of the command correlated {}: its reply cannot be encoded: {}",
                    leader, to, c.correlation(), ex.toString());
                continue;
            }
            if ((long)reply.length + ENVELOPE_BYTES > maxMessageBytes)
            {
                LOG.warn("{}: cannot notify {} of the command correlated {}: its reply of {} bytes exceeds the " +
                    "transport's message limit of {} bytes", leader, to, c.correlation(), reply.length,
                    maxMessageBytes);
                continue;
            }
            if (!replies.isEmpty() && bytes + reply.length > budget)
            {
                notices.add(new NodeMessage.AppliedNotice(to, leader, correlations, replies));
                correlations = new ArrayList<>();
                replies = new ArrayList<>();
                bytes = 0;
            }
            correlations.add(c.correlation());
            replies.add(Bytes.wrap(reply));
            bytes += reply.length;
        }
        if (!replies.isEmpty())
        {
            notices.add(new NodeMessage.AppliedNotice(to, leader, correlations, replies));
        }
        return notices;
    }
}

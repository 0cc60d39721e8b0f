package dev.ra.examples.support;

import java.util.List;
import java.util.Objects;

/**
 * The replies a machine gave to its last commands that carried a request id, oldest first, so that a retry of one
 * (its first attempt applied, the reply lost) gets the same reply instead of one that describes the work already
 * done, such as {@code false} for "not held any more" after the first attempt released the lock. Ra's and Hazelcast
 * CP's sessions remember replies for the same reason. Only the last {@link #KEPT} are kept: a retry comes within
 * its call's timeout, long before so many commands. Immutable; part of a machine's state and snapshots.
 *
 * @param replies oldest first.
 */
public record RememberedReplies(List<Reply> replies)
{
    /** How many replies are remembered. */
    public static final int KEPT = 1_000;
    /** None remembered. */
    public static final RememberedReplies NONE = new RememberedReplies(List.of());

    /** Copies the replies. */
    public RememberedReplies
    {
        replies = List.copyOf(replies);
    }

    /**
     * The reply a command carrying a request id was given.
     *
     * @param requestId of the call, the same for each of its attempts.
     * @param value     of the reply.
     */
    public record Reply(String requestId, boolean value)
    {
        /** Checks that the request id is not null. */
        public Reply
        {
            Objects.requireNonNull(requestId, "requestId");
        }
    }

    /**
     * @param requestId of a command.
     * @return the reply it was given, or null if none is remembered.
     */
    public Boolean of(final String requestId)
    {
        for (final Reply reply : replies)
        {
            if (reply.requestId().equals(requestId))
            {
                return reply.value();
            }
        }
        return null;
    }

    /**
     * @param requestId of a command just applied.
     * @param value     of its reply.
     * @return these replies and that one, without the oldest beyond {@link #KEPT}.
     */
    public RememberedReplies with(final String requestId, final boolean value)
    {
        final List<Reply> longer = Persistent.append(replies, new Reply(requestId, value));
        return new RememberedReplies(longer.size() <= KEPT ? longer : longer.subList(longer.size() - KEPT,
            longer.size()));
    }
}

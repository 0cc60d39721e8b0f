package dev.ra.examples.lease;

import dev.ra.CommandOutcomeUnknownException;
import dev.ra.examples.support.Answered;
import dev.ra.examples.support.ClusterClient;

/**
 * The client side of ending a session now ({@link SessionCommand.Revoke}), shared by the clients of every machine that
 * embeds a {@link SessionTable}. A revoke sent again after an unknown outcome finds the session already ended by its
 * own first attempt and would answer "did not exist, released nothing"; this says instead that the outcome is unknown.
 */
public final class Revocation
{
    private Revocation()
    {
    }

    /**
     * End a session now. An attempt whose outcome is unknown (a timeout, a leader lost) is followed by another, so
     * that the session is ended in the end. An attempt that answers it found the session live proves the earlier one
     * did nothing (session ids are never reused), and its reply is the answer; one that found it ended cannot tell
     * whether the earlier attempt ended it (and what it released), and the call throws
     * {@link CommandOutcomeUnknownException}.
     *
     * @param cluster   of a machine that takes {@link SessionCommand}s.
     * @param sessionId to end.
     * @return what ended.
     * @throws CommandOutcomeUnknownException if the session is ended but whether this call ended it is not known.
     */
    public static SessionReply.Ended revoke(final ClusterClient cluster, final long sessionId)
    {
        return ended(sessionId, cluster.retriedCommand(new SessionCommand.Revoke(sessionId), cluster.deadline()));
    }

    /**
     * @param sessionId revoked.
     * @param answered  the reply, and whether an attempt before the one that answered had an unknown outcome.
     * @return the reply, when it says what the revoke did.
     * @throws CommandOutcomeUnknownException if it may not.
     */
    static SessionReply.Ended ended(final long sessionId, final Answered<SessionReply.Ended> answered)
    {
        if (!answered.afterUnknownOutcome() || answered.reply().existed())
        {
            return answered.reply();
        }
        throw new CommandOutcomeUnknownException("the revoke of session " + sessionId + " was sent again after an " +
            "attempt whose outcome is unknown; the session is ended, but whether that attempt ended it, and what it " +
            "released, is not known", null);
    }
}

package dev.ra.examples.lease;

import dev.ra.CommandOutcomeUnknownException;
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
     * End a session now. When the outcome of the revoke is unknown (a timeout, a leader lost), it is sent again, so
     * that the session is ended in the end. A retry that finds the session live proves the first attempt did nothing
     * (session ids are never reused), and its reply is the answer; one that finds it ended cannot tell whether the
     * first attempt ended it (and what it released), and the call throws {@link CommandOutcomeUnknownException}.
     *
     * @param cluster   of a machine that takes {@link SessionCommand}s.
     * @param sessionId to end.
     * @return what ended.
     * @throws CommandOutcomeUnknownException if the session is ended but whether this call ended it is not known.
     */
    public static SessionReply.Ended revoke(final ClusterClient cluster, final long sessionId)
    {
        return revokeOnce(new SessionCommand.Revoke(sessionId), cluster.deadline(),
            (revoke, idempotent, deadline) -> cluster.command(revoke, idempotent, deadline));
    }

    /**
     * @param revoke   to apply.
     * @param deadline of the whole call.
     * @param send     one call of the revoke: retried inside when its flag says so, and otherwise not.
     * @return the reply of the attempt that took effect, when that is known.
     * @throws CommandOutcomeUnknownException if it is not.
     */
    static SessionReply.Ended revokeOnce(final SessionCommand.Revoke revoke, final long deadline,
        final RevokeCall send)
    {
        final RuntimeException unknown;
        try
        {
            return send.apply(revoke, false, deadline);
        }
        catch (final RuntimeException ex)
        {
            if (!ClusterClient.outcomeUnknown(ex))
            {
                throw ex;
            }
            unknown = ex;
        }
        final SessionReply.Ended retried = send.apply(revoke, true, deadline);
        if (retried.existed())
        {
            return retried;
        }
        final CommandOutcomeUnknownException reported = new CommandOutcomeUnknownException("the revoke of session " +
            revoke.sessionId() + " was sent again after an unknown outcome (" + unknown.getMessage() + "); the " +
            "session is ended, but whether the first attempt ended it, and what it released, is not known", null);
        reported.addSuppressed(unknown);
        throw reported;
    }

    /**
     * One call of a revoke through the cluster client.
     */
    @FunctionalInterface
    interface RevokeCall
    {
        /**
         * @param revoke     to apply.
         * @param idempotent whether the cluster client may send it again when an attempt's outcome is unknown.
         * @param deadline   of the whole call.
         * @return the reply.
         */
        SessionReply.Ended apply(SessionCommand.Revoke revoke, boolean idempotent, long deadline);
    }
}

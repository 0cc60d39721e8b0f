package dev.ra.examples.lease;

import java.util.List;
import java.util.Objects;

/**
 * What a machine tells its leader's {@link LessorHost}, as the argument of a {@link dev.ra.Effect.ModCall}: effects
 * run on the leader only, so only the leader's host hears them, in log order.
 */
public sealed interface LessorCall
{
    /**
     * Start the lessor of a new epoch with every live session, each on a FRESH clock.
     *
     * @param epoch    log index of the {@link SessionCommand.NewLeader} entry.
     * @param sessions live at that entry.
     */
    record Start(long epoch, List<Tracked> sessions) implements LessorCall
    {
        /** Checks that {@code sessions} is not null. */
        public Start
        {
            Objects.requireNonNull(sessions, "sessions");
        }
    }

    /**
     * Track a newly granted session.
     *
     * @param session to track.
     */
    record Track(Tracked session) implements LessorCall
    {
        /** Checks that {@code session} is not null. */
        public Track
        {
            Objects.requireNonNull(session, "session");
        }
    }

    /**
     * Stop tracking a session that ended.
     *
     * @param sessionId that ended.
     */
    record Untrack(long sessionId) implements LessorCall
    {
    }

    /**
     * A session as the lessor sees it.
     *
     * @param sessionId of the session.
     * @param ttlMs     its time-to-live.
     */
    record Tracked(long sessionId, long ttlMs)
    {
    }
}

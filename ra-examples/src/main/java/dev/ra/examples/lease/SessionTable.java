package dev.ra.examples.lease;

import dev.ra.ProcessRef;
import dev.ra.examples.support.Persistent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The sessions of a machine and the lessor that keeps them alive: an immutable value that any machine embeds in its
 * state (the leased KV does, a tree machine can) and replaces on every change. Pure: no clock, no effects.
 *
 * <p><b>Expiry is fenced by the lessor epoch.</b> Every new leader appends {@link SessionCommand.NewLeader}; its log
 * index becomes the {@link #lessorEpoch} and the leader's {@link LessorHost} starts EVERY session's clock afresh. An
 * {@link SessionCommand.Expire} carries the epoch of the lessor that decided it, and {@link #acceptsExpiry} takes it
 * only from the current epoch. So an expiry decided by a deposed leader's lessor (which may not have heard the
 * keep-alives the new leader's lessor has, or may have been partitioned from the session's client) is refused: the
 * session was granted a fresh TTL by a newer epoch.
 *
 * @param sessions    by id, in grant order.
 * @param lessorEpoch log index of the latest {@link SessionCommand.NewLeader}; 0 before the first.
 * @param lessor      the process of that epoch's lessor, where clients send keep-alives; {@code null} until it
 *                    reported ready.
 */
public record SessionTable(Map<Long, Session> sessions, long lessorEpoch, ProcessRef lessor)
{
    /** No session, no lessor. */
    public static final SessionTable EMPTY = new SessionTable(Map.of(), 0, null);

    /** Checks that {@code sessions} is not null. */
    public SessionTable
    {
        Objects.requireNonNull(sessions, "sessions");
    }

    /**
     * @param id of a session.
     * @return the session, or {@code null} if it does not exist (never did, or ended).
     */
    public Session session(final long id)
    {
        return sessions.get(id);
    }

    /**
     * @param id of a session.
     * @return whether it is live.
     */
    public boolean contains(final long id)
    {
        return sessions.containsKey(id);
    }

    /**
     * @return the live sessions, in grant order.
     */
    public List<Session> list()
    {
        return List.copyOf(sessions.values());
    }

    /**
     * @param owner a process.
     * @return the ids of the sessions it owns, in grant order.
     */
    public List<Long> ownedBy(final ProcessRef owner)
    {
        final List<Long> ids = new ArrayList<>();
        for (final Session session : sessions.values())
        {
            if (owner.equals(session.owner()))
            {
                ids.add(session.id());
            }
        }
        return ids;
    }

    /**
     * @param id    of the new session (the grant's log index).
     * @param ttlMs of the session.
     * @param owner of the session, or {@code null}.
     * @return the table with the session added.
     */
    public SessionTable granted(final long id, final long ttlMs, final ProcessRef owner)
    {
        return withSessions(Persistent.put(sessions, id, new Session(id, ttlMs, owner, List.of())));
    }

    /**
     * @param id       of a live session.
     * @param resource to bind to it; binding twice is binding once.
     * @return the table with the resource bound, or this table if the session does not exist.
     */
    public SessionTable bind(final long id, final String resource)
    {
        final Session session = sessions.get(id);
        if (null == session || session.bound().contains(resource))
        {
            return this;
        }
        return withSessions(Persistent.put(sessions, id, new Session(id, session.ttlMs(), session.owner(),
            Persistent.append(session.bound(), resource))));
    }

    /**
     * @param id       of a session.
     * @param resource to unbind (it was deleted, or bound to another session).
     * @return the table without that binding; this table if there was none.
     */
    public SessionTable unbind(final long id, final String resource)
    {
        final Session session = sessions.get(id);
        if (null == session || !session.bound().contains(resource))
        {
            return this;
        }
        return withSessions(Persistent.put(sessions, id, new Session(id, session.ttlMs(), session.owner(),
            Persistent.removeIf(session.bound(), resource::equals))));
    }

    /**
     * @param id of a session.
     * @return the table without it (its bound resources are the caller's to release); this table if absent.
     */
    public SessionTable without(final long id)
    {
        return sessions.containsKey(id) ? withSessions(Persistent.remove(sessions, id)) : this;
    }

    /**
     * A new leader's lessor epoch begins: the previous lessor is forgotten until the new one reports ready.
     *
     * @param epoch log index of the {@link SessionCommand.NewLeader} entry.
     * @return the table in the new epoch.
     */
    public SessionTable newEpoch(final long epoch)
    {
        return new SessionTable(sessions, epoch, null);
    }

    /**
     * @param epoch  the lessor was started for.
     * @param ref    of its process.
     * @return the table naming that lessor, or this table if {@code epoch} is not the current one (a late report).
     */
    public SessionTable lessorReady(final long epoch, final ProcessRef ref)
    {
        return epoch == lessorEpoch && epoch > 0 ? new SessionTable(sessions, lessorEpoch, ref) : this;
    }

    /**
     * @param epoch of the lessor that decided an expiry.
     * @return whether that lessor is the current one, whose clocks every session's keep-alives go to.
     */
    public boolean acceptsExpiry(final long epoch)
    {
        return epoch == lessorEpoch && epoch > 0;
    }

    private SessionTable withSessions(final Map<Long, Session> next)
    {
        return new SessionTable(next, lessorEpoch, lessor);
    }
}

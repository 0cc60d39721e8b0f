package dev.ra.examples.lease;

import dev.ra.Effect;
import dev.ra.ProcessRef;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What the session commands ({@link SessionCommand}) do, for every machine that embeds sessions
 * ({@link LeasedKvMachine}, the tree's {@code TreeMachine}): grant, revoke, expiry (refused from a lessor epoch that is
 * not the current one), a new leader's lessor epoch and its lessor's report. Pure; what a session holds (keys,
 * ephemeral nodes) is the embedding machine's to release, through its {@link Scope}.
 */
public final class SessionCommands
{
    private SessionCommands()
    {
    }

    /**
     * The embedding machine's view of one command's changes.
     */
    public interface Scope
    {
        /**
         * @return the sessions as changed so far by the command.
         */
        SessionTable sessions();

        /**
         * @param sessions the sessions after a change.
         */
        void sessions(SessionTable sessions);

        /**
         * @return the command's effects, to add to.
         */
        List<Effect> effects();

        /**
         * Remove what an ending session holds.
         *
         * @param session that ends.
         * @return the names of what was removed (keys, paths).
         */
        List<String> release(Session session);
    }

    /**
     * What a new leader of a machine with sessions does on entering LEADER: monitor every session owner once (an owner
     * that ended ends its sessions; one whose node this leader does not reach is reported unreachable at once, and
     * {@link #ownerUnreachable} then watches its node), then the embedding machine's own leader effects, then append
     * {@link SessionCommand.NewLeader}, whose index becomes the lessor epoch that fences expiry.
     *
     * @param sessions       the machine's sessions.
     * @param machineEffects the embedding machine's own leader effects (its watches'), in their order.
     * @return the effects, in that order.
     */
    public static List<Effect> leaderEffects(final SessionTable sessions, final List<Effect> machineEffects)
    {
        final List<Effect> effects = new ArrayList<>();
        final Set<ProcessRef> owners = new LinkedHashSet<>();
        for (final Session session : sessions.sessions().values())
        {
            if (null != session.owner() && owners.add(session.owner()))
            {
                effects.add(new Effect.Monitor(session.owner()));
            }
        }
        effects.addAll(machineEffects);
        effects.add(new Effect.Append(new SessionCommand.NewLeader()));
        return effects;
    }

    /**
     * An owner was reported unreachable ({@code Down} with {@code NOCONNECTION}): its sessions live on (it may be
     * alive), and their TTLs bound them. The runtime forgets a process monitor once it reported {@code NOCONNECTION},
     * so without more the owner's later end on a reachable node would go unheard and its sessions would wait for
     * their TTLs; its node is watched instead ({@link Effect.MonitorNode}, which reports at once if the node is
     * already back), and {@link #nodeUp} monitors the owner again.
     *
     * @param scope of the command.
     * @param owner reported unreachable.
     */
    public static void ownerUnreachable(final Scope scope, final ProcessRef owner)
    {
        if (!scope.sessions().ownedBy(owner).isEmpty())
        {
            scope.effects().add(new Effect.MonitorNode(owner.node()));
        }
    }

    /**
     * A node is reachable again: every session owner there is monitored again, so an owner that ended while it was
     * cut off, or ends later, closes its sessions. Monitoring an owner already monitored changes nothing.
     *
     * @param scope of the command.
     * @param node  that is reachable.
     */
    public static void nodeUp(final Scope scope, final String node)
    {
        final Set<ProcessRef> owners = new LinkedHashSet<>();
        for (final Session session : scope.sessions().sessions().values())
        {
            final ProcessRef owner = session.owner();
            if (null != owner && owner.node().equals(node) && owners.add(owner))
            {
                scope.effects().add(new Effect.Monitor(owner));
            }
        }
    }

    /**
     * @param scope         of the command.
     * @param command       to apply.
     * @param index         of its log entry (a granted session's id; a new leader's lessor epoch).
     * @param lessorHandler the ModCall handler of the machine's {@link LessorHost}.
     * @return the reply.
     */
    public static Object apply(final Scope scope, final SessionCommand command, final long index,
        final String lessorHandler)
    {
        if (command instanceof SessionCommand.Grant grant)
        {
            scope.sessions(scope.sessions().granted(index, grant.ttlMs(), grant.owner()));
            scope.effects().add(new Effect.ModCall(lessorHandler,
                new LessorCall.Track(new LessorCall.Tracked(index, grant.ttlMs()))));
            if (null != grant.owner())
            {
                scope.effects().add(new Effect.Monitor(grant.owner()));
            }
            return new SessionReply.Granted(index, grant.ttlMs());
        }
        if (command instanceof SessionCommand.Revoke revoke)
        {
            return end(scope, revoke.sessionId(), lessorHandler);
        }
        if (command instanceof SessionCommand.Expire expire)
        {
            if (!scope.sessions().acceptsExpiry(expire.lessorEpoch()))
            {
                return new SessionReply.ExpiryRefused(expire.sessionId(), expire.lessorEpoch(),
                    scope.sessions().lessorEpoch());
            }
            return end(scope, expire.sessionId(), lessorHandler);
        }
        if (command instanceof SessionCommand.NewLeader)
        {
            scope.sessions(scope.sessions().newEpoch(index));
            final List<LessorCall.Tracked> tracked = new ArrayList<>();
            for (final Session session : scope.sessions().sessions().values())
            {
                tracked.add(new LessorCall.Tracked(session.id(), session.ttlMs()));
            }
            scope.effects().add(new Effect.ModCall(lessorHandler, new LessorCall.Start(index, List.copyOf(tracked))));
            return null;
        }
        if (command instanceof SessionCommand.LessorReady ready)
        {
            scope.sessions(scope.sessions().lessorReady(ready.epoch(), ready.lessor()));
            return ready.lessor().equals(scope.sessions().lessor());
        }
        // Unreachable while SessionCommand is sealed; the machines' tests check every permitted type.
        throw new IllegalStateException("unhandled command " + command);
    }

    /**
     * End a session (revoked, expired, or its owner ended): release what it holds, forget it, stop tracking it.
     *
     * @param scope         of the command.
     * @param id            of the session.
     * @param lessorHandler the ModCall handler of the machine's {@link LessorHost}.
     * @return the reply: whether it was open, and what it released.
     */
    public static SessionReply.Ended end(final Scope scope, final long id, final String lessorHandler)
    {
        final Session session = scope.sessions().session(id);
        if (null == session)
        {
            return new SessionReply.Ended(id, false, List.of());
        }
        final List<String> released = scope.release(session);
        scope.sessions(scope.sessions().without(id));
        scope.effects().add(new Effect.ModCall(lessorHandler, new LessorCall.Untrack(id)));
        return new SessionReply.Ended(id, true, List.copyOf(released));
    }
}

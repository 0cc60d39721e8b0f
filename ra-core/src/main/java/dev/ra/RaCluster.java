package dev.ra;

import java.lang.invoke.MethodType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * A typed handle on one cluster, as seen from one {@link RaSystem}: commands are of the machine's command type
 * {@code C}, replies of its reply type {@code R}, and query functions take its state type {@code S}, so the compiler
 * checks what the untyped {@link RaSystem} methods cannot, and query lambdas need no parameter types:
 *
 * <pre>{@code
 * RaCluster<String, Map<String, Long>, Long> counters =
 *     node.startCluster("counters", new Counter(), Long.class, members);
 * CommandResult<Long> added = counters.process("apples");
 * QueryResult<Long> apples = counters.consistentQuery(s -> s.get("apples"));
 * }</pre>
 *
 * <p>Get one from {@link RaSystem#startCluster(String, StateMachine, Class, List)} or, for a cluster started
 * elsewhere, {@link RaSystem#cluster(String, StateMachine, Class, List)}. Commands go to the leader this handle last
 * heard of (else a member running on this node, else a member on another node) and follow redirects; a member of
 * this node that no longer runs (removed from the cluster, and so deleted) is passed over. Query functions are code, so
 * they run on the member hosted by this node; from a node without one, use {@link #namedQuery}. Commands and queries
 * have the same four forms as {@link RaSystem}'s: blocking or asynchronous, with the system's default timeout or a
 * given one; membership and leadership calls block, with the default timeout. Thread-safe.
 *
 * @param <C> the command type.
 * @param <S> the state type.
 * @param <R> the reply type.
 */
public final class RaCluster<C, S, R>
{
    private final RaSystem system;
    private final String name;
    private final StateMachine<C, S> machine;
    private final Class<R> replyType;
    private final List<ServerId> members;
    /**
     * The members as this handle last knew them: the initial ones, then as its own additions and removals and the
     * leader's answers left them, so that a cluster moved to other members through the handle stays reachable.
     */
    private volatile List<ServerId> known;
    private volatile ServerId leader;

    RaCluster(final RaSystem system, final String name, final StateMachine<C, S> machine, final Class<R> replyType,
        final List<ServerId> members, final ServerId leader)
    {
        this.system = system;
        this.name = name;
        this.machine = machine;
        this.replyType = boxed(replyType);
        this.members = List.copyOf(members);
        this.known = this.members;
        this.leader = leader;
    }

    /**
     * {@code long.class} is a {@code Class<Long>} to the compiler, but no reply is an instance of it: checked as is,
     * every reply would fail its call after the command was applied. So a primitive type stands for its box.
     */
    @SuppressWarnings("unchecked")
    private static <R> Class<R> boxed(final Class<R> replyType)
    {
        return (Class<R>)MethodType.methodType(replyType).wrap().returnType();
    }

    /**
     * @return the name of the cluster.
     */
    public String name()
    {
        return name;
    }

    /**
     * @return the members this handle was created with (see {@link #members()} for the current ones).
     */
    public List<ServerId> initialMembers()
    {
        return members;
    }

    /**
     * @return the member of the cluster hosted by the handle's node, where query functions run.
     * @throws IllegalStateException if the node hosts none.
     */
    public ServerId localMember()
    {
        final List<ServerId> current = known;
        for (final ServerId member : current)
        {
            if (member.node().equals(system.nodeId()))
            {
                return member;
            }
        }
        throw new IllegalStateException("node " + system.nodeId() + " hosts no member of cluster '" + name +
            "' " + current + ": query functions run on a member of the calling node; use namedQuery instead");
    }

    /**
     * Where a call goes first: the leader this handle last heard of, else a member of this node, else another
     * member it knows. A member of this node that does not run is passed over: once removed from the cluster (the
     * leader this handle knew, say) it is deleted, and a call addressed to it takes a detour through the member its
     * removal names (or fails, if none is known), while the cluster lives on elsewhere.
     */
    private ServerId target()
    {
        final ServerId lastLeader = leader;
        if (null != lastLeader && runsOrRemote(lastLeader))
        {
            return lastLeader;
        }
        final List<ServerId> current = known;
        ServerId remote = null;
        for (final ServerId member : current)
        {
            if (member.node().equals(system.nodeId()))
            {
                if (system.isRunning(member))
                {
                    return member;
                }
            }
            else if (null == remote)
            {
                remote = member;
            }
        }
        return null == remote ? current.get(0) : remote;
    }

    private boolean runsOrRemote(final ServerId member)
    {
        return !member.node().equals(system.nodeId()) || system.isRunning(member);
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Commands

    /**
     * Apply a command and wait for the reply, with the default timeout; see {@link RaSystem#processCommandAsync}.
     *
     * @param command to apply.
     * @return the reply and the leader.
     */
    public CommandResult<R> process(final C command)
    {
        return process(command, system.defaultTimeout());
    }

    /**
     * Apply a command and wait for the reply.
     *
     * @param command to apply.
     * @param timeout of the call.
     * @return the reply and the leader.
     */
    public CommandResult<R> process(final C command, final Duration timeout)
    {
        return typed(system.processCommand(target(), command, timeout));
    }

    /**
     * Apply a command, with the default timeout.
     *
     * @param command to apply.
     * @return completes with the reply and the leader.
     */
    public CompletableFuture<CommandResult<R>> processAsync(final C command)
    {
        return processAsync(command, system.defaultTimeout());
    }

    /**
     * Apply a command.
     *
     * @param command to apply.
     * @param timeout of the call.
     * @return completes with the reply and the leader.
     */
    public CompletableFuture<CommandResult<R>> processAsync(final C command, final Duration timeout)
    {
        return system.processCommandAsync(target(), command, timeout).thenApply(this::typed);
    }

    private CommandResult<R> typed(final CommandResult<Object> result)
    {
        leader = result.leader();
        final Object reply = result.reply();
        if (null != reply && !replyType.isInstance(reply))
        {
            throw new RaException("cluster '" + name + "': the machine " + machine.getClass().getName() +
                " replied with a " + reply.getClass().getName() + ", but this handle was created for replies of " +
                "type " + replyType.getName());
        }
        return new CommandResult<>(replyType.cast(reply), result.leader());
    }

    /**
     * Submit a command without waiting and without any notification; see {@link RaSystem#pipelineCommand(ServerId,
     * Object)}.
     *
     * @param command to apply.
     */
    public void pipeline(final C command)
    {
        system.pipelineCommand(target(), command);
    }

    /**
     * Submit a command without waiting; {@code notifyTo} is told when it is applied or rejected; see
     * {@link RaSystem#pipelineCommand(ServerId, Object, Object, ProcessRef)}.
     *
     * @param command     to apply.
     * @param correlation identifies the command in the notifications.
     * @param notifyTo    the process to notify.
     */
    public void pipeline(final C command, final Object correlation, final ProcessRef notifyTo)
    {
        system.pipelineCommand(target(), command, correlation, notifyTo);
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Queries

    /**
     * A linearizable query, run on the member of this node; see {@link RaSystem#consistentQueryAsync}.
     *
     * @param query of the state.
     * @param <T>   the result type.
     * @return the result.
     */
    public <T> QueryResult<T> consistentQuery(final Function<S, T> query)
    {
        return noted(system.consistentQuery(localMember(), query));
    }

    /**
     * A linearizable query with a timeout.
     *
     * @param query   of the state.
     * @param timeout of the call.
     * @param <T>     the result type.
     * @return the result.
     */
    public <T> QueryResult<T> consistentQuery(final Function<S, T> query, final Duration timeout)
    {
        return noted(system.consistentQuery(localMember(), query, timeout));
    }

    /**
     * A linearizable query, asynchronously, with the default timeout.
     *
     * @param query of the state.
     * @param <T>   the result type.
     * @return completes with the result.
     */
    public <T> CompletableFuture<QueryResult<T>> consistentQueryAsync(final Function<S, T> query)
    {
        return system.consistentQueryAsync(localMember(), query).thenApply(this::noted);
    }

    /**
     * A linearizable query, asynchronously.
     *
     * @param query   of the state.
     * @param timeout of the call.
     * @param <T>     the result type.
     * @return completes with the result.
     */
    public <T> CompletableFuture<QueryResult<T>> consistentQueryAsync(final Function<S, T> query,
        final Duration timeout)
    {
        return system.consistentQueryAsync(localMember(), query, timeout).thenApply(this::noted);
    }

    /**
     * A query of the current state of the member of this node, however stale; see
     * {@link RaSystem#localQuery(ServerId, Function)}.
     *
     * @param query of the state.
     * @param <T>   the result type.
     * @return the result.
     */
    public <T> QueryResult<T> localQuery(final Function<S, T> query)
    {
        return system.localQuery(localMember(), query);
    }

    /**
     * A local query with a timeout.
     *
     * @param query   of the state.
     * @param timeout of the call.
     * @param <T>     the result type.
     * @return the result.
     */
    public <T> QueryResult<T> localQuery(final Function<S, T> query, final Duration timeout)
    {
        return system.localQuery(localMember(), query, timeout);
    }

    /**
     * A local query, asynchronously, with the default timeout.
     *
     * @param query of the state.
     * @param <T>   the result type.
     * @return completes with the result.
     */
    public <T> CompletableFuture<QueryResult<T>> localQueryAsync(final Function<S, T> query)
    {
        return system.localQueryAsync(localMember(), query);
    }

    /**
     * A local query, asynchronously.
     *
     * @param query   of the state.
     * @param timeout of the call.
     * @param <T>     the result type.
     * @return completes with the result.
     */
    public <T> CompletableFuture<QueryResult<T>> localQueryAsync(final Function<S, T> query, final Duration timeout)
    {
        return system.localQueryAsync(localMember(), query, timeout);
    }

    /**
     * A query the machine declares by name ({@link StateMachine#query}); works from any node that knows the cluster.
     *
     * @param queryName  of the query.
     * @param argument   of the query, or null.
     * @param consistent whether the answer must be linearizable.
     * @param <T>        the result type, as the machine documents it.
     * @return the result.
     */
    public <T> QueryResult<T> namedQuery(final String queryName, final Object argument, final boolean consistent)
    {
        return noted(system.namedQuery(target(), queryName, argument, consistent));
    }

    /**
     * A named query with a timeout.
     *
     * @param queryName  of the query.
     * @param argument   of the query, or null.
     * @param consistent whether the answer must be linearizable.
     * @param timeout    of the query.
     * @param <T>        the result type.
     * @return the result.
     */
    public <T> QueryResult<T> namedQuery(final String queryName, final Object argument, final boolean consistent,
        final Duration timeout)
    {
        return noted(system.namedQuery(target(), queryName, argument, consistent, timeout));
    }

    /**
     * A named query, asynchronously, with the default timeout.
     *
     * @param queryName  of the query.
     * @param argument   of the query, or null.
     * @param consistent whether the answer must be linearizable.
     * @param <T>        the result type.
     * @return completes with the result.
     */
    public <T> CompletableFuture<QueryResult<T>> namedQueryAsync(final String queryName, final Object argument,
        final boolean consistent)
    {
        return system.<T>namedQueryAsync(target(), queryName, argument, consistent).thenApply(this::noted);
    }

    /**
     * A named query, asynchronously.
     *
     * @param queryName  of the query.
     * @param argument   of the query, or null.
     * @param consistent whether the answer must be linearizable.
     * @param timeout    of the query.
     * @param <T>        the result type.
     * @return completes with the result.
     */
    public <T> CompletableFuture<QueryResult<T>> namedQueryAsync(final String queryName, final Object argument,
        final boolean consistent, final Duration timeout)
    {
        return system.<T>namedQueryAsync(target(), queryName, argument, consistent, timeout).thenApply(this::noted);
    }

    private <T> QueryResult<T> noted(final QueryResult<T> result)
    {
        if (null != result.leader())
        {
            leader = result.leader();
        }
        return result;
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Membership and leadership

    /**
     * @return the members, as the leader sees them.
     */
    public List<ServerId> members()
    {
        return learned(system.members(target()));
    }

    /**
     * @return the members a leader reported, which this handle now knows (unless there are none).
     */
    private List<ServerId> learned(final List<ServerId> reported)
    {
        if (!reported.isEmpty())
        {
            known = List.copyOf(reported);
        }
        return reported;
    }

    /**
     * @return the current leader, asked of the cluster (waiting, up to the default timeout, while none is known).
     */
    public ServerId leader()
    {
        final ServerId current = system.leader(target());
        leader = current;
        return current;
    }

    /**
     * Add a voting member and start it (on this node or another, which creates the machine from its class name).
     * While the cluster's log needs a machine version above 0 it joins as promotable and becomes a voter once caught
     * up on a build that supports that version ({@link RaSystem#addMemberAsync}).
     *
     * @param newMember to add.
     * @return the configuration entry.
     */
    public MemberChange addMember(final ServerId newMember)
    {
        return addMember(newMember, MemberKind.VOTER);
    }

    /**
     * Add a member of the given kind and start it; see {@link RaSystem#addMemberAsync}. If it is added but cannot be
     * started, the {@link RaException} says so and names the change to start it with. It takes three steps, each
     * waiting up to the default timeout (the addition, asking the leader for the members, the start), so the whole
     * call may take up to three times that when each is slow.
     *
     * @param newMember to add.
     * @param kind      of the new member: a {@link MemberKind#PROMOTABLE} member becomes a voter once caught up.
     * @return the configuration entry.
     */
    public MemberChange addMember(final ServerId newMember, final MemberKind kind)
    {
        Objects.requireNonNull(newMember, "newMember");
        final MemberChange change = Futures.await(system.addMemberAsync(target(), newMember, kind),
            system.defaultTimeout());
        final List<ServerId> current = currentMembers(change, newMember);
        final List<ServerId> withNew = new ArrayList<>(current);
        if (!withNew.contains(newMember))
        {
            withNew.add(newMember);
        }
        known = List.copyOf(withNew);
        try
        {
            system.startServer(name, machine, newMember, current, change);
        }
        catch (final RuntimeException ex)
        {
            // The addition committed: the member is in the configuration (a voter counts in every quorum) though it
            // does not run. Said so, with the change the start needs, rather than looking like a refused addition.
            throw new RaException(newMember + " was added to cluster '" + name + "' (" + change + ") but could not " +
                "be started: " + ex.getMessage() + "; start it with RaSystem.startServer(..., " + change +
                "), or remove it", ex);
        }
        return change;
    }

    /**
     * The members to start a new member with: as the leader that added it has them (members were added and removed
     * since this handle was made, perhaps every one of its initial members), else, if it cannot say, the members this
     * handle knows and the new one.
     */
    private List<ServerId> currentMembers(final MemberChange change, final ServerId newMember)
    {
        try
        {
            return system.members(null != change.leader() ? change.leader() : target());
        }
        catch (final RuntimeException unknown)
        {
            final List<ServerId> guessed = new ArrayList<>(known);
            if (!guessed.contains(newMember))
            {
                guessed.add(newMember);
            }
            return guessed;
        }
    }

    /**
     * Remove a member; once the removal commits the removed member stops and deletes its data.
     *
     * @param member to remove.
     * @return the configuration entry.
     */
    public MemberChange removeMember(final ServerId member)
    {
        final MemberChange change = system.removeMember(target(), member);
        final List<ServerId> remaining = new ArrayList<>(known);
        if (remaining.remove(member) && !remaining.isEmpty())
        {
            known = List.copyOf(remaining);
        }
        if (member.equals(leader))
        {
            // It stepped down and is gone: the next call finds the new leader.
            leader = null;
        }
        return change;
    }

    /**
     * Hand leadership to another up-to-date voter; see {@link RaSystem#transferLeadership}.
     *
     * @param target to become leader.
     */
    public void transferLeadership(final ServerId target)
    {
        system.transferLeadership(target(), target);
        leader = null;
    }

    @Override
    public String toString()
    {
        return "RaCluster[" + name + " " + members + " on " + system.nodeId() + "]";
    }
}

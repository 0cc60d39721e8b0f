package dev.ra;

import dev.ra.runtime.RaRuntime;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The queries of {@link RaSystem}: local, consistent, leader and named queries of a member's state. A part of the
 * node's API kept in a file of its own; applications use it through {@link RaSystem}.
 */
abstract class RaSystemQueries
{
    /** The node's runtime. */
    final RaRuntime runtime;
    /** The timeout of calls that are not given one. */
    final Duration defaultTimeout;

    RaSystemQueries(final RaRuntime runtime, final Duration defaultTimeout)
    {
        this.runtime = runtime;
        this.defaultTimeout = defaultTimeout;
    }

    /**
     * Run a query against the current state of a member of this node, however stale it may be.
     *
     * @param server a member hosted by this node.
     * @param query  of the state; must not modify it.
     * @param <S>    the state type.
     * @param <R>    the result type.
     * @return the result and the index it reflects.
     */
    public <S, R> QueryResult<R> localQuery(final ServerId server, final Function<S, R> query)
    {
        return Futures.await(localQueryAsync(server, query, 0, 0, defaultTimeout), defaultTimeout);
    }

    /**
     * Run a query against the state of a member of this node once it has applied index {@code appliedIndex} written
     * in term {@code appliedTerm} (read-your-writes: pass the index and term of your last write); fails if the entry
     * at that index turns out to have another term (the write was lost), and also when that entry is compacted into a
     * snapshot of a later term, whose term no longer tells whether it was the write (see docs/RUNTIME.md, "Queries").
     *
     * @param server       a member hosted by this node.
     * @param query        of the state.
     * @param appliedIndex to wait for.
     * @param appliedTerm  of that entry, or 0 to accept any.
     * @param timeout      of the wait.
     * @param <S>          the state type.
     * @param <R>          the result type.
     * @return the result and the index it reflects.
     */
    public <S, R> QueryResult<R> localQuery(final ServerId server, final Function<S, R> query,
        final long appliedIndex, final long appliedTerm, final Duration timeout)
    {
        return Futures.await(localQueryAsync(server, query, appliedIndex, appliedTerm, timeout), timeout);
    }

    /**
     * {@link #localQuery(ServerId, Function)} with a timeout (of the wait for the member's event loop).
     *
     * @param server  a member hosted by this node.
     * @param query   of the state.
     * @param timeout of the call.
     * @param <S>     the state type.
     * @param <R>     the result type.
     * @return the result and the index it reflects.
     */
    public <S, R> QueryResult<R> localQuery(final ServerId server, final Function<S, R> query,
        final Duration timeout)
    {
        return Futures.await(localQueryAsync(server, query, 0, 0, timeout), timeout);
    }

    /**
     * Asynchronous form of {@link #localQuery(ServerId, Function, Duration)}.
     *
     * @param server  a member hosted by this node.
     * @param query   of the state.
     * @param timeout of the call.
     * @param <S>     the state type.
     * @param <R>     the result type.
     * @return completes with the result.
     */
    public <S, R> CompletableFuture<QueryResult<R>> localQueryAsync(final ServerId server, final Function<S, R> query,
        final Duration timeout)
    {
        return localQueryAsync(server, query, 0, 0, timeout);
    }

    /**
     * Asynchronous form of {@link #localQuery(ServerId, Function)}.
     *
     * @param server a member hosted by this node.
     * @param query  of the state.
     * @param <S>    the state type.
     * @param <R>    the result type.
     * @return completes with the result.
     */
    public <S, R> CompletableFuture<QueryResult<R>> localQueryAsync(final ServerId server, final Function<S, R> query)
    {
        return localQueryAsync(server, query, 0, 0, defaultTimeout);
    }

    /**
     * Asynchronous form of {@link #localQuery(ServerId, Function, long, long, Duration)}.
     *
     * @param server       a member hosted by this node.
     * @param query        of the state.
     * @param appliedIndex to wait for, 0 for none.
     * @param appliedTerm  of that entry, or 0 to accept any.
     * @param timeout      of the wait.
     * @param <S>          the state type.
     * @param <R>          the result type.
     * @return completes with the result.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public <S, R> CompletableFuture<QueryResult<R>> localQueryAsync(final ServerId server, final Function<S, R> query,
        final long appliedIndex, final long appliedTerm, final Duration timeout)
    {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(query, "query");
        Arguments.requireTimeout(timeout);
        if (appliedIndex < 0 || appliedTerm < 0)
        {
            throw new IllegalArgumentException("applied index and term must not be negative, got " + appliedIndex +
                "/" + appliedTerm);
        }
        return runtime.localQuery(server, (Function)query, appliedIndex, appliedTerm, timeout);
    }

    /**
     * A linearizable query with the default timeout; see {@link #consistentQueryAsync}.
     *
     * @param server a member hosted by this node.
     * @param query  of the state.
     * @param <S>    the state type.
     * @param <R>    the result type.
     * @return the result.
     */
    public <S, R> QueryResult<R> consistentQuery(final ServerId server, final Function<S, R> query)
    {
        return consistentQuery(server, query, defaultTimeout);
    }

    /**
     * A linearizable query with a timeout; see {@link #consistentQueryAsync}.
     *
     * @param server  a member hosted by this node.
     * @param query   of the state.
     * @param timeout of the call.
     * @param <S>     the state type.
     * @param <R>     the result type.
     * @return the result.
     */
    public <S, R> QueryResult<R> consistentQuery(final ServerId server, final Function<S, R> query,
        final Duration timeout)
    {
        return Futures.await(consistentQueryAsync(server, query, timeout), timeout);
    }

    /**
     * A linearizable query with the default timeout; see {@link #consistentQueryAsync(ServerId, Function, Duration)}.
     *
     * @param server a member hosted by this node.
     * @param query  of the state.
     * @param <S>    the state type.
     * @param <R>    the result type.
     * @return completes with the result.
     */
    public <S, R> CompletableFuture<QueryResult<R>> consistentQueryAsync(final ServerId server,
        final Function<S, R> query)
    {
        return consistentQueryAsync(server, query, defaultTimeout);
    }

    /**
     * A linearizable query: the leader confirms its leadership with a quorum (ReadIndex, Raft thesis §6.4) and
     * returns its applied index; the member of this node runs the query once it has applied that index. Works when
     * the addressed member is a follower.
     *
     * @param server  a member hosted by this node.
     * @param query   of the state.
     * @param timeout of the call.
     * @param <S>     the state type.
     * @param <R>     the result type.
     * @return completes with the result.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public <S, R> CompletableFuture<QueryResult<R>> consistentQueryAsync(final ServerId server,
        final Function<S, R> query, final Duration timeout)
    {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(query, "query");
        Arguments.requireTimeout(timeout);
        return runtime.readThroughLeader(server, (Function)query, true, timeout);
    }

    /**
     * A query against state at least as recent as the leader's (without confirming leadership with a quorum, so a
     * deposed leader may answer): the leader returns its applied index and the member of this node runs the query once
     * it has applied it.
     *
     * @param server a member hosted by this node.
     * @param query  of the state.
     * @param <S>    the state type.
     * @param <R>    the result type.
     * @return the result.
     */
    public <S, R> QueryResult<R> leaderQuery(final ServerId server, final Function<S, R> query)
    {
        return leaderQuery(server, query, defaultTimeout);
    }

    /**
     * {@link #leaderQuery(ServerId, Function)} with a timeout.
     *
     * @param server  a member hosted by this node.
     * @param query   of the state.
     * @param timeout of the call.
     * @param <S>     the state type.
     * @param <R>     the result type.
     * @return the result.
     */
    public <S, R> QueryResult<R> leaderQuery(final ServerId server, final Function<S, R> query,
        final Duration timeout)
    {
        return Futures.await(leaderQueryAsync(server, query, timeout), timeout);
    }

    /**
     * Asynchronous form of {@link #leaderQuery(ServerId, Function)}.
     *
     * @param server a member hosted by this node.
     * @param query  of the state.
     * @param <S>    the state type.
     * @param <R>    the result type.
     * @return completes with the result.
     */
    public <S, R> CompletableFuture<QueryResult<R>> leaderQueryAsync(final ServerId server, final Function<S, R> query)
    {
        return leaderQueryAsync(server, query, defaultTimeout);
    }

    /**
     * Asynchronous form of {@link #leaderQuery(ServerId, Function, Duration)}.
     *
     * @param server  a member hosted by this node.
     * @param query   of the state.
     * @param timeout of the call.
     * @param <S>     the state type.
     * @param <R>     the result type.
     * @return completes with the result.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public <S, R> CompletableFuture<QueryResult<R>> leaderQueryAsync(final ServerId server,
        final Function<S, R> query, final Duration timeout)
    {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(query, "query");
        Arguments.requireTimeout(timeout);
        return runtime.readThroughLeader(server, (Function)query, false, timeout);
    }

    /**
     * Run a query the cluster's machine declares by name ({@link StateMachine#query}); unlike query functions, this
     * works from any node that knows the cluster, including one hosting none of its members
     * ({@link RaSystem#registerCluster}). The argument and the result travel encoded with the machine's query codec.
     *
     * @param server     any member of the cluster.
     * @param name       of the query.
     * @param argument   of the query, or null.
     * @param consistent true for a linearizable answer (the leader confirms its leadership with a quorum and answers
     *                   once it has applied the read index); false to read the addressed member as it is.
     * @param <R>        the result type.
     * @return the result, the index it reflects, and the leader (with {@code consistent} false: the leader the
     *         addressed member knows, possibly null).
     */
    public <R> QueryResult<R> namedQuery(final ServerId server, final String name, final Object argument,
        final boolean consistent)
    {
        return namedQuery(server, name, argument, consistent, defaultTimeout);
    }

    /**
     * {@link #namedQuery(ServerId, String, Object, boolean)} with a timeout.
     *
     * @param server     any member of the cluster.
     * @param name       of the query.
     * @param argument   of the query, or null.
     * @param consistent whether the answer must be linearizable.
     * @param timeout    of the query.
     * @param <R>        the result type.
     * @return the result and the index it reflects.
     */
    public <R> QueryResult<R> namedQuery(final ServerId server, final String name, final Object argument,
        final boolean consistent, final Duration timeout)
    {
        return Futures.await(namedQueryAsync(server, name, argument, consistent, timeout), timeout);
    }

    /**
     * Asynchronous form of {@link #namedQuery(ServerId, String, Object, boolean)}, with the default timeout.
     *
     * @param server     any member of the cluster.
     * @param name       of the query.
     * @param argument   of the query, or null.
     * @param consistent whether the answer must be linearizable.
     * @param <R>        the result type.
     * @return completes with the result.
     */
    public <R> CompletableFuture<QueryResult<R>> namedQueryAsync(final ServerId server, final String name,
        final Object argument, final boolean consistent)
    {
        return namedQueryAsync(server, name, argument, consistent, defaultTimeout);
    }

    /**
     * Asynchronous form of {@link #namedQuery(ServerId, String, Object, boolean)}.
     *
     * @param server     any member of the cluster.
     * @param name       of the query.
     * @param argument   of the query, or null.
     * @param consistent whether the answer must be linearizable.
     * @param timeout    of the query.
     * @param <R>        the result type.
     * @return completes with the result.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public <R> CompletableFuture<QueryResult<R>> namedQueryAsync(final ServerId server, final String name,
        final Object argument, final boolean consistent, final Duration timeout)
    {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(name, "name");
        Arguments.requireTimeout(timeout);
        return (CompletableFuture)runtime.namedQuery(server, name, argument, consistent, timeout);
    }
}

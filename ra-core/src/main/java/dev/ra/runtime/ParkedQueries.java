package dev.ra.runtime;

import dev.ra.QueryResult;
import dev.ra.RaException;
import dev.ra.ServerId;
import dev.ra.ServerStoppedException;
import dev.ra.StateMachine;
import dev.ra.core.ServerCore;
import dev.ra.protocol.ServerRequest;
import dev.ra.spi.LogStore;
import dev.ra.spi.ServerStorage;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Queries a server runs on its machine state, each once the server has applied the index it waits for (at once when
 * it already has); the server looks at the waiting ones after each batch. Confined to the server's event loop, but
 * for {@link #sweepSoon}, which runs where a waiting query's call completes.
 */
final class ParkedQueries
{
    /**
     * A query waiting until the server has applied an index.
     *
     * @param query    to run against the machine state.
     * @param minIndex that must be applied first (0 for none).
     * @param minTerm  the entry at {@code minIndex} must have, or 0 for any.
     * @param call     completed with a {@link QueryResult}.
     */
    record ParkedQuery(Function<Object, Object> query, long minIndex, long minTerm, CompletableFuture<Object> call)
    {
    }

    private final ServerId id;
    private final ServerStorage storage;
    private final List<ParkedQuery> parked = new ArrayList<>();
    /**
     * Any thread: a waiting query's call completed (failed, or its caller's timeout passed) while the server is not
     * in a batch of its own: it gets one, whose end ({@link #runDue}) forgets the query.
     */
    private final Runnable sweepSoon;

    /**
     * @param sweepSoon run, on whatever thread completes it, when a waiting query's call completes: the server makes
     *                  sure {@link #runDue} follows.
     */
    ParkedQueries(final ServerId id, final ServerStorage storage, final Runnable sweepSoon)
    {
        this.id = id;
        this.storage = storage;
        this.sweepSoon = sweepSoon;
    }

    /**
     * Run the query now if its index is applied, else when it is.
     */
    void runOrPark(final ServerCore core, final ParkedQuery q)
    {
        if (core.lastApplied() >= q.minIndex)
        {
            answer(core, q);
        }
        else if (!failedForGood(core, q))
        {
            parked.add(q);
            // A query whose call fails or times out is forgotten at once, not at the server's next batch of events:
            // on an idle member that may be long coming, and every such query would stay held, with what it holds.
            q.call.whenComplete((result, error) -> sweepSoon.run());
        }
    }

    /**
     * @return how many queries wait (a test's look from any thread: not exact while the server runs).
     */
    int waiting()
    {
        return parked.size();
    }

    /**
     * A member that stopped applying (its build lacks the machine version its log switches to) applies nothing more
     * until it is restarted with another build: a query waiting for a later index fails now, with the reason, rather
     * than at its timeout with none.
     *
     * @return whether the query failed.
     */
    private boolean failedForGood(final ServerCore core, final ParkedQuery q)
    {
        final String error = core.machineVersionError();
        if (null == error)
        {
            return false;
        }
        q.call.completeExceptionally(new RaException(id + " cannot apply index " + q.minIndex + " that the query " +
            "waits for, it stopped applying at index " + core.lastApplied() + ": " + error));
        return true;
    }

    /**
     * Run the queries whose index is now applied; forget those whose caller gave up.
     */
    void runDue(final ServerCore core)
    {
        if (parked.isEmpty())
        {
            return;
        }
        final Iterator<ParkedQuery> it = parked.iterator();
        while (it.hasNext())
        {
            final ParkedQuery q = it.next();
            if (q.call.isDone())
            {
                it.remove();
            }
            else if (core.lastApplied() >= q.minIndex)
            {
                it.remove();
                answer(core, q);
            }
            else if (failedForGood(core, q))
            {
                it.remove();
            }
        }
    }

    /**
     * The server stopped: the waiting queries fail.
     */
    void stopped(final Throwable cause)
    {
        for (final ParkedQuery q : parked)
        {
            q.call.completeExceptionally(new ServerStoppedException("server " + id + " stopped", cause));
        }
        parked.clear();
    }

    /**
     * A query the machine declares by name, possibly from another node: decoded and answered with the machine's query
     * codec, as described on {@link ServerRequest.NamedQuery}.
     */
    void namedQuery(final ServerCore core, final StateMachine<Object, Object> machine,
        final ServerRequest.NamedQuery named, final CallOrigin origin)
    {
        final CompletableFuture<Object> answer = new CompletableFuture<>();
        final Object argument;
        try
        {
            argument = machine.queryCodec().fromBytes(named.argument().unsafeArray());
        }
        catch (final RuntimeException | Error ex)
        {
            if (!ContainedFailures.contained(ex))
            {
                throw ex;
            }
            origin.ok(List.of(false, 0L, 0L, "bad query argument: " + ex.getMessage()), core.leaderId());
            return;
        }
        answer.whenComplete((value, error) -> answerNamed(named.name(), machine, (QueryResult<?>)value, error,
            origin));
        runOrPark(core, new ParkedQuery(state -> machine.query(named.name(), argument, state), named.minIndex(), 0,
            answer));
    }

    /**
     * Answer a named query's caller: with the result encoded with the machine's query codec, or with why not. Nothing
     * here may throw: the future completing runs this, and what it threw would be lost, leaving the caller waiting
     * for its timeout.
     */
    private void answerNamed(final String name, final StateMachine<Object, Object> machine,
        final QueryResult<?> result, final Throwable error, final CallOrigin origin)
    {
        if (null != error)
        {
            origin.ok(List.of(false, 0L, 0L, "query '" + name + "' failed on " + id + ": " + error), null);
            return;
        }
        final byte[] encoded;
        try
        {
            encoded = machine.queryCodec().toBytes(result.result());
            if (null == encoded)
            {
                throw new NullPointerException("the codec returned null");
            }
        }
        catch (final RuntimeException | Error ex)
        {
            if (!ContainedFailures.contained(ex))
            {
                throw ex;
            }
            origin.ok(List.of(false, 0L, 0L, "the result of query '" + name + "' on " + id + " cannot be encoded " +
                "with the machine's query codec: " + ex), result.leader());
            return;
        }
        origin.ok(List.of(true, result.index(), result.term(), encoded), result.leader());
    }

    /**
     * A member started on a snapshot of a machine version its build does not support stopped applying without
     * decoding it (ServerRegistry): it holds no state, and a query run on null would answer null as the state.
     *
     * @return whether the member stopped applying and holds no state.
     */
    static boolean withoutState(final ServerCore core)
    {
        return null != core.machineVersionError() && null == core.machineState();
    }

    private void answer(final ServerCore core, final ParkedQuery q)
    {
        if (q.minTerm > 0)
        {
            final long term = storage.log().term(q.minIndex);
            if (term != LogStore.UNKNOWN_TERM && term != q.minTerm)
            {
                q.call.completeExceptionally(new RaException("the entry at index " + q.minIndex +
                    " on " + id + " has term " + term + ", not " + q.minTerm + ": the awaited write was lost"));
                return;
            }
        }
        if (withoutState(core))
        {
            q.call.completeExceptionally(new RaException(id + " holds no machine state to query: " +
                core.machineVersionError()));
            return;
        }
        final long applied = core.lastApplied();
        final Object result;
        try
        {
            result = q.query.apply(core.machineState());
        }
        catch (final RuntimeException | Error ex)
        {
            if (!ContainedFailures.contained(ex))
            {
                throw ex;
            }
            q.call.completeExceptionally(ex);
            return;
        }
        final long term = storage.log().term(applied);
        final ServerId leader = core.leaderId();
        q.call.complete(new QueryResult<>(result, applied, Math.max(0, term), leader));
    }
}

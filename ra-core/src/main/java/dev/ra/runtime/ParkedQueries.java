package dev.ra.runtime;

import dev.ra.QueryResult;
import dev.ra.RaException;
import dev.ra.RaTimeoutException;
import dev.ra.ServerId;
import dev.ra.ServerStoppedException;
import dev.ra.StateMachine;
import dev.ra.core.ServerCore;
import dev.ra.protocol.ServerRequest;
import dev.ra.spi.LogStore;
import dev.ra.spi.ServerStorage;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Queries a server runs on its machine state, each once the server has applied the index it waits for (at once when
 * it already has); the server looks at the waiting ones after each batch. Confined to the server's event loop, but
 * for {@link #sweepSoon}, which runs where a waiting query's call completes.
 *
 * <p>A query of this node waits as long as its call: when the call completes (its timeout passed, or it failed) the
 * query is forgotten. A named query from another node carries no timeout on the wire, and nothing tells this node
 * when its caller gave up: it waits at most {@link #remoteWaitNanos} (the node's default call timeout, within
 * {@link #LEAST_REMOTE_WAIT} and {@link #LONGEST_REMOTE_WAIT}) and then fails, answering its caller if it still
 * listens. Without that bound a member that never applies the index (removed while it could not be told, or asked
 * for an index far ahead) held every such query for the rest of its life.
 */
final class ParkedQueries
{
    /** The shortest a named query from another node may wait: callers often give a longer timeout than the default. */
    static final Duration LEAST_REMOTE_WAIT = Duration.ofMinutes(1);
    /** The longest a named query from another node may wait, even when the node's default timeout is longer. */
    static final Duration LONGEST_REMOTE_WAIT = Duration.ofHours(1);

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

    /**
     * When a named query from another node stops waiting.
     *
     * @param deadlineNanos on the runtime clock.
     * @param minIndex      it waits for.
     * @param answer        failed at the deadline unless done by then.
     * @param node          the caller's node: once it is down the answer can go nowhere.
     */
    private record RemoteDeadline(long deadlineNanos, long minIndex, CompletableFuture<Object> answer, String node)
    {
    }

    private final ServerId id;
    private final ServerStorage storage;
    private final EventLoop loop;
    private final RuntimeClock clock;
    private final long remoteWaitNanos;
    private final List<ParkedQuery> parked = new ArrayList<>();
    /**
     * The named queries from other nodes that wait, oldest first: all wait as long, so the first is the first due.
     */
    private final ArrayDeque<RemoteDeadline> remoteDeadlines = new ArrayDeque<>();
    /** Fails the named queries from other nodes whose deadline passed; null when none is pending. */
    private LoopTimer remoteExpiry;
    /**
     * Any thread: a waiting query's call completed (failed, or its caller's timeout passed) while the server is not
     * in a batch of its own: it gets one, whose end ({@link #runDue}) forgets the query.
     */
    private final Runnable sweepSoon;

    /**
     * @param sweepSoon   run, on whatever thread completes it, when a waiting query's call completes: the server
     *                    makes sure {@link #runDue} follows.
     * @param loop        of the server, whose timer fails the named queries from other nodes that waited too long.
     * @param environment its clock, and how long a named query from another node waits.
     */
    ParkedQueries(final ServerId id, final ServerStorage storage, final Runnable sweepSoon, final EventLoop loop,
        final ServerEnvironment environment)
    {
        this.id = id;
        this.storage = storage;
        this.sweepSoon = sweepSoon;
        this.loop = loop;
        this.clock = environment.clock();
        this.remoteWaitNanos = environment.remoteQueryWaitNanos();
    }

    /**
     * @param defaultTimeout of the node's calls.
     * @return how long a named query from another node waits for its index: the default timeout, which the callers
     *         that give none use, within {@link #LEAST_REMOTE_WAIT} and {@link #LONGEST_REMOTE_WAIT}.
     */
    static long remoteWaitNanos(final Duration defaultTimeout)
    {
        return Math.min(LONGEST_REMOTE_WAIT.toNanos(), Math.max(LEAST_REMOTE_WAIT.toNanos(),
            Durations.nanos(defaultTimeout)));
    }

    /**
     * Run the query now if its index is applied, else when it is.
     */
    void runOrPark(final ServerCore core, final ParkedQuery q)
    {
        park(core, q);
    }

    /**
     * @return whether the query waits.
     */
    private boolean park(final ServerCore core, final ParkedQuery q)
    {
        if (core.lastApplied() >= q.minIndex)
        {
            answer(core, q);
            return false;
        }
        if (failedForGood(core, q))
        {
            return false;
        }
        parked.add(q);
        // A query whose call fails or times out is forgotten at once, not at the server's next batch of events:
        // on an idle member that may be long coming, and every such query would stay held, with what it holds.
        q.call.whenComplete((result, error) -> sweepSoon.run());
        return true;
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
        while (!remoteDeadlines.isEmpty() && remoteDeadlines.peekFirst().answer().isDone())
        {
            remoteDeadlines.pollFirst();
        }
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
        remoteDeadlines.clear();
        if (null != remoteExpiry)
        {
            remoteExpiry.cancel();
            remoteExpiry = null;
        }
    }

    /**
     * A node went down: the named queries from it stop waiting, as their answers can go nowhere (the caller's node,
     * losing this one, moves its call on to another member).
     *
     * @param node that went down.
     */
    void callerNodeDown(final String node)
    {
        boolean dropped = false;
        for (final Iterator<RemoteDeadline> it = remoteDeadlines.iterator(); it.hasNext();)
        {
            final RemoteDeadline remote = it.next();
            if (node.equals(remote.node()))
            {
                it.remove();
                dropped |= remote.answer().completeExceptionally(new RaException("node " + node + " went down"));
            }
        }
        if (dropped)
        {
            parked.removeIf(q -> q.call.isDone());
        }
    }

    /**
     * On the loop, by the timer: the named queries from other nodes whose deadline passed fail, and are forgotten.
     */
    private void expireRemote()
    {
        remoteExpiry = null;
        final long now = clock.nanoTime();
        boolean expired = false;
        while (!remoteDeadlines.isEmpty())
        {
            final RemoteDeadline due = remoteDeadlines.peekFirst();
            if (!due.answer().isDone() && due.deadlineNanos() - now > 0)
            {
                break;
            }
            remoteDeadlines.pollFirst();
            expired |= due.answer().completeExceptionally(new RaTimeoutException("waited " +
                TimeUnit.NANOSECONDS.toMillis(remoteWaitNanos) + " ms for " + id + " to apply index " +
                due.minIndex() + ": a named query from another node waits no longer, " +
                "whatever its caller's timeout"));
        }
        if (expired)
        {
            parked.removeIf(q -> q.call.isDone());
        }
        scheduleRemoteExpiry(now);
    }

    /**
     * Make sure the timer runs when the first named query from another node is due, or soon after: never sooner than
     * an eighth of the wait after the last run, so that a steady stream of such queries wakes the loop a few times per
     * wait, not once per query.
     */
    private void scheduleRemoteExpiry(final long now)
    {
        if (null != remoteExpiry || remoteDeadlines.isEmpty())
        {
            return;
        }
        final long due = remoteDeadlines.peekFirst().deadlineNanos() - now;
        remoteExpiry = loop.schedule(Math.max(due, remoteWaitNanos / 8), this::expireRemote);
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
        if (!park(core, new ParkedQuery(state -> machine.query(named.name(), argument, state), named.minIndex(), 0,
            answer)))
        {
            return;
        }
        if (origin instanceof ClientCall local)
        {
            // A caller of this node: the query waits as long as its call, as a local query does.
            local.future.whenComplete((value, error) -> answer.completeExceptionally(new RaTimeoutException(
                "the call ended")));
            return;
        }
        final long now = clock.nanoTime();
        remoteDeadlines.addLast(new RemoteDeadline(now + remoteWaitNanos, named.minIndex(), answer,
            origin instanceof RemoteOrigin remote ? remote.node() : null));
        scheduleRemoteExpiry(now);
    }

    /**
     * Answer a named query's caller: with the result encoded with the machine's query codec, or with why not. Nothing
     * here may throw: the future completing runs this, and what it threw would be lost, leaving the caller waiting
     * for its timeout.
     */
    private void answerNamed(final String name, final StateMachine<Object, Object> machine,
        final QueryResult<?> result, final Throwable error, final CallOrigin origin)
    {
        if (error instanceof ServerStoppedException stopped)
        {
            // As any call held by a server that stops: the caller may ask another member.
            origin.stopped(id, stopped.getCause());
            return;
        }
        if (null != error)
        {
            origin.ok(List.of(false, 0L, 0L, "query '" + name + "' failed on " + id + ": " + error,
                NamedQueryFailure.kindOf(error)), null);
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
            final String mismatch = termMismatch(core, q.minIndex, q.minTerm);
            if (null != mismatch)
            {
                q.call.completeExceptionally(new RaException(mismatch));
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
        final long term = termOf(core, applied);
        final ServerId leader = core.leaderId();
        q.call.complete(new QueryResult<>(result, applied, Math.max(0, term), leader));
    }

    /**
     * @return the term of the entry at the index: from the core (which knows the entries not yet written and the
     *         snapshot's), else from the log store (which may still hold an entry below the snapshot), else
     *         {@link LogStore#UNKNOWN_TERM}.
     */
    private long termOf(final ServerCore core, final long index)
    {
        final long term = core.termAt(index);
        return term != LogStore.UNKNOWN_TERM ? term : storage.log().term(index);
    }

    /**
     * Whether the applied entry at {@code index} is the one written there in {@code expectedTerm}. When the entry is
     * compacted into a snapshot its term is gone, but the snapshot's tells enough in two cases (terms never decrease
     * along the log): a snapshot of a lower term proves the entry's lower too; one of the same term proves it the
     * same, since only that term's leader wrote entries of that term, and it never overwrote its own (the committed
     * log matches its log up to the snapshot's index). A snapshot of a higher term leaves it unknown, and the query
     * fails rather than answer as if the write had been applied.
     *
     * @return null if the entry has that term, else why the query fails.
     */
    private String termMismatch(final ServerCore core, final long index, final long expectedTerm)
    {
        final long term = termOf(core, index);
        if (term == expectedTerm)
        {
            return null;
        }
        if (term != LogStore.UNKNOWN_TERM)
        {
            return "the entry at index " + index + " on " + id + " has term " + term + ", not " + expectedTerm +
                ": the awaited write was lost";
        }
        final long snapshotIndex = core.snapshotIndex();
        final long snapshotTerm = core.termAt(snapshotIndex);
        if (index > snapshotIndex || snapshotTerm == LogStore.UNKNOWN_TERM)
        {
            // Applied but neither in the log nor in the snapshot: not expected, and not taken as a match.
            return "cannot tell whether the entry at index " + index + " on " + id + " had term " + expectedTerm +
                ": its term is unknown";
        }
        if (snapshotTerm == expectedTerm)
        {
            return null;
        }
        if (snapshotTerm < expectedTerm)
        {
            return "the entry at index " + index + " on " + id + " has a term of at most " + snapshotTerm +
                " (that of the snapshot at index " + snapshotIndex + " it was compacted into), not " + expectedTerm +
                ": the awaited write was lost";
        }
        return "cannot tell whether the entry at index " + index + " on " + id + " had term " + expectedTerm +
            ": compacted into the snapshot at index " + snapshotIndex + " of term " + snapshotTerm + ", and its " +
            "term is not kept (ask with the index and term of a later write, or use a consistent query)";
    }
}

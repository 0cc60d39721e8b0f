package dev.ra.runtime;

import dev.ra.ServerId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * Read-index calls shared by the queries of this node that ask the same member for one at the same time: at most one
 * call per member (and kind) is in flight, and the queries that ask while it is in flight wait for the next call,
 * issued as soon as it completes, whose answer serves them all. The next call, never the one in flight: that one may
 * have been answered by the leader before they asked, and a read index is only good for the queries that asked before
 * the leader confirmed it (ReadIndex, thesis §6.4). Under load this makes one read-index call per round trip serve
 * every query of that round trip, instead of one call, one event and one answer per query. Thread-safe.
 */
final class SharedReadIndex
{
    /**
     * A query waiting for a read index.
     */
    interface Waiter
    {
        /**
         * @param index  the read index.
         * @param leader the leader that answered.
         */
        void readIndex(long index, ServerId leader);

        /**
         * @param error why the call failed.
         */
        void failed(Throwable error);

        /**
         * @return whether the query no longer waits (its timeout passed, or it failed): it is forgotten rather than
         *         held until the call in flight ends, and a next call is not made for it alone.
         */
        default boolean gaveUp()
        {
            return false;
        }
    }

    /**
     * Makes one read-index call (following redirects to the leader).
     */
    interface ReadIndexCall
    {
        /**
         * @param server     the member asked.
         * @param consistent whether the leader confirms its leadership first.
         * @param timeout    of the call.
         * @param answered   told the index and the leader that answered, before the returned future completes.
         * @return completes when the call does, exceptionally if it failed.
         */
        CompletableFuture<?> call(ServerId server, boolean consistent, Duration timeout,
            BiConsumer<Long, ServerId> answered);
    }

    private record Key(ServerId server, boolean consistent)
    {
    }

    /** A waiter for the next call, with its timeout: the next call lasts the longest of those still waiting. */
    private record Pending(Waiter waiter, long timeoutNanos)
    {
    }

    /** The fewest waiters for the next call at which those that gave up are looked for. */
    private static final int LEAST_PRUNE_SIZE = 64;

    /** The call of a member and kind: whether one is in flight, and who waits for the next. */
    private static final class Batch
    {
        private boolean inFlight;
        /** Idle and removed from the map: whoever finds it must look the member up again. */
        private boolean retired;
        private List<Pending> next = new ArrayList<>();
        /**
         * How many waiters for the next call before those that gave up are forgotten: twice as many as were left the
         * last time, so that looking costs each query a constant on average. The call in flight lasts the longest
         * timeout of its own waiters, which may be far longer than those of the queries that wait behind it.
         */
        private int pruneAt = LEAST_PRUNE_SIZE;
    }

    private final ReadIndexCall caller;
    private final ConcurrentHashMap<Key, Batch> batches = new ConcurrentHashMap<>();

    SharedReadIndex(final ReadIndexCall caller)
    {
        this.caller = caller;
    }

    /**
     * @return how many queries wait for a next call (a test's look).
     */
    int waitingForNext()
    {
        int waiting = 0;
        for (final Batch batch : batches.values())
        {
            synchronized (batch)
            {
                waiting += batch.next.size();
            }
        }
        return waiting;
    }

    /**
     * Ask for a read index: now if no call to that member is in flight, else with the next one.
     *
     * @param server     the member asked (it redirects to the leader).
     * @param consistent whether the leader confirms its leadership first.
     * @param timeout    of the call; the next call lasts the longest of its waiters'.
     * @param waiter     told the index or the failure, on the thread that completes the call.
     */
    void await(final ServerId server, final boolean consistent, final Duration timeout, final Waiter waiter)
    {
        final Key key = new Key(server, consistent);
        Batch batch;
        while (true)
        {
            batch = batches.computeIfAbsent(key, k -> new Batch());
            synchronized (batch)
            {
                if (batch.retired)
                {
                    continue;
                }
                if (batch.inFlight)
                {
                    if (batch.next.size() >= batch.pruneAt)
                    {
                        batch.next.removeIf(p -> p.waiter().gaveUp());
                        batch.pruneAt = Math.max(LEAST_PRUNE_SIZE, 2 * batch.next.size());
                    }
                    batch.next.add(new Pending(waiter, Durations.nanos(timeout)));
                    return;
                }
                batch.inFlight = true;
                break;
            }
        }
        final List<Waiter> waiters = new ArrayList<>(1);
        waiters.add(waiter);
        issue(key, batch, waiters, Durations.nanos(timeout));
    }

    private void issue(final Key key, final Batch batch, final List<Waiter> waiters, final long timeoutNanos)
    {
        CompletableFuture<?> answer;
        try
        {
            answer = caller.call(key.server(), key.consistent(), Duration.ofNanos(timeoutNanos), (index, leader) ->
            {
                for (int i = 0; i < waiters.size(); i++)
                {
                    waiters.get(i).readIndex(index, leader);
                }
            });
        }
        catch (final RuntimeException ex)
        {
            // The waiters fail, and the batch moves on rather than stay in flight for ever.
            answer = CompletableFuture.failedFuture(ex);
        }
        answer.whenComplete((value, error) ->
        {
            if (null != error)
            {
                for (int i = 0; i < waiters.size(); i++)
                {
                    waiters.get(i).failed(error);
                }
            }
            final List<Waiter> next = new ArrayList<>();
            long nextTimeout = 0;
            synchronized (batch)
            {
                for (final Pending p : batch.next)
                {
                    if (!p.waiter().gaveUp())
                    {
                        next.add(p.waiter());
                        nextTimeout = Math.max(nextTimeout, p.timeoutNanos());
                    }
                }
                batch.next = new ArrayList<>();
                batch.pruneAt = LEAST_PRUNE_SIZE;
                if (next.isEmpty())
                {
                    // Idle: its entry goes, or a node would keep one per member it ever queried (clusters come and
                    // go). Retired under its lock, so a query that found it asks for a fresh one.
                    batch.inFlight = false;
                    batch.retired = true;
                    batches.remove(key, batch);
                    return;
                }
            }
            issue(key, batch, next, nextTimeout);
        });
    }
}

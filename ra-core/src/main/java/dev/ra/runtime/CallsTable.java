package dev.ra.runtime;

import dev.ra.protocol.NodeMessage;
import dev.ra.protocol.ServerRequest;
import dev.ra.stats.CallKind;
import dev.ra.stats.CallStatistics;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The calls this node made to other nodes that await a {@link NodeMessage.CallReply}, by call id: client calls sent
 * to a server on another node ({@link ClientCall}) and requests to start a server there. It hands out the call ids,
 * owns the timeout thread of client calls ({@link CallTimeouts}) and the scheduler of their retries.
 *
 * <p>This is the caller's side. The other side, the calls a server took and has not answered yet, is that server's
 * own ({@link ServerCallLedger}), keyed by ids its core knows; the two never share an id. Thread-safe.
 */
final class CallsTable
{
    /**
     * Something waiting for the answer to a message this node sent.
     */
    interface AwaitingReply
    {
        /**
         * @param reply the answer; called once, on a transport thread.
         */
        void onReply(NodeMessage.CallReply reply);

        /**
         * @param node that became unreachable.
         * @return whether the answer was to come from there (and so will not come).
         */
        default boolean awaitsNode(final String node)
        {
            return false;
        }

        /**
         * The node the answer was to come from became unreachable; called once, instead of {@link #onReply}.
         */
        default void nodeLost()
        {
        }

        /**
         * The node the answer was to come from left in order without answering: it did not act on the message, which
         * may be sent elsewhere. Called once, instead of {@link #onReply}; by default the same as {@link #nodeLost}.
         */
        default void nodeLeft()
        {
            nodeLost();
        }

        /**
         * @return whether to stop waiting when the node the answer is to come from goes silent
         *     ({@link #nodeSilent}); by default the wait goes on until the answer, the node's loss or the timeout.
         */
        default boolean givesUpOnSilence()
        {
            return false;
        }

        /**
         * The node the answer was to come from went silent (connected, but nothing heard for a while, as from a
         * paused process): the answer may come late or never. Called once, instead of {@link #onReply}, and only if
         * {@link #givesUpOnSilence}.
         */
        default void nodeSilent()
        {
        }
    }

    /** A call awaiting its answer, and the node it was sent to: only that node may answer it. */
    private record Pending(String node, AwaitingReply waiter)
    {
    }

    private final Map<Long, Pending> awaiting = new ConcurrentHashMap<>();
    /**
     * Starts at a random point rather than 1: a node that restarts under the same id would otherwise reuse the ids of
     * its previous run, and a late answer to a call of that run (the server commits and answers after the caller's
     * process ended; its link to the node now reaches the new process) would complete the new call with the same id.
     * Below 2^62, so the ids never wrap in a process's life.
     */
    private final AtomicLong callIds = new AtomicLong(ThreadLocalRandom.current().nextLong(1L << 62));
    private final RuntimeClock clock;
    private final CallTimeouts timeouts;
    private final ScheduledExecutorService scheduler;
    private final CallStatistics statistics = new CallStatistics();

    CallsTable(final RuntimeClock clock, final CallTimeouts timeouts, final ScheduledExecutorService scheduler)
    {
        this.clock = clock;
        this.timeouts = timeouts;
        this.scheduler = scheduler;
    }

    long nextCallId()
    {
        return callIds.incrementAndGet();
    }

    RuntimeClock clock()
    {
        return clock;
    }

    CallTimeouts timeouts()
    {
        return timeouts;
    }

    ScheduledExecutorService scheduler()
    {
        return scheduler;
    }

    /**
     * @return latencies, timeouts and redirects of the client calls made on this node.
     */
    CallStatistics statistics()
    {
        return statistics;
    }

    /**
     * @param request a client call asks; null for a local query (which the runtime hands to the server itself).
     * @return the kind its statistics are kept under.
     */
    static CallKind kindOf(final ServerRequest request)
    {
        if (null == request)
        {
            return CallKind.LOCAL_QUERY;
        }
        if (request instanceof ServerRequest.Command)
        {
            return CallKind.COMMAND;
        }
        if (request instanceof ServerRequest.ReadIndex)
        {
            return CallKind.READ_INDEX;
        }
        if (request instanceof ServerRequest.NamedQuery || request instanceof ServerRequest.ConfirmedNamedQuery)
        {
            return CallKind.NAMED_QUERY;
        }
        if (request instanceof ServerRequest.AddMember || request instanceof ServerRequest.RemoveMember ||
            request instanceof ServerRequest.TransferLeadership || request instanceof ServerRequest.TriggerElection)
        {
            return CallKind.MEMBERSHIP;
        }
        return CallKind.ADMIN;
    }

    /**
     * Run a retry after a pause, on the scheduler thread.
     */
    void retryAfter(final Runnable retry, final long delayMs)
    {
        scheduler.schedule(retry, delayMs, TimeUnit.MILLISECONDS);
    }

    /**
     * @param callId of the message sent.
     * @param node   the message was sent to: an answer to the call from any other node is not taken.
     * @param waiter for the answer.
     */
    void await(final long callId, final String node, final AwaitingReply waiter)
    {
        awaiting.put(callId, new Pending(node, waiter));
    }

    void forget(final long callId, final AwaitingReply waiter)
    {
        take(callId, waiter);
    }

    /**
     * Stop waiting for an answer, unless something else (an answer, a node's departure) already took the call.
     *
     * @return whether this took it: the caller now decides what becomes of the call.
     */
    boolean take(final long callId, final AwaitingReply waiter)
    {
        final Pending pending = awaiting.get(callId);
        return null != pending && pending.waiter == waiter && awaiting.remove(callId, pending);
    }

    /**
     * An answer came: hand it to whoever waits for it (nobody, if the call completed otherwise meanwhile).
     *
     * @param fromNode the node it came from: an answer to a call sent to another node is dropped, so that no node can
     *                 answer for another (a forged or misrouted reply).
     * @param reply    the answer.
     * @return false if a call with that id awaits an answer from another node (the reply was dropped).
     */
    boolean onReply(final String fromNode, final NodeMessage.CallReply reply)
    {
        final Pending pending = awaiting.get(reply.callId());
        if (null == pending)
        {
            return true;
        }
        if (!pending.node.equals(fromNode))
        {
            return false;
        }
        if (awaiting.remove(reply.callId(), pending))
        {
            pending.waiter.onReply(reply);
        }
        return true;
    }

    /**
     * A node became unreachable: the answers it owed will not come.
     */
    void nodeDown(final String node)
    {
        for (final Map.Entry<Long, Pending> e : awaiting.entrySet())
        {
            final AwaitingReply waiter = e.getValue().waiter;
            if (waiter.awaitsNode(node) && awaiting.remove(e.getKey(), e.getValue()))
            {
                waiter.nodeLost();
            }
        }
    }

    /**
     * A node went silent: the calls that give up on silence stop waiting for its answers.
     */
    void nodeSilent(final String node)
    {
        for (final Map.Entry<Long, Pending> e : awaiting.entrySet())
        {
            final AwaitingReply waiter = e.getValue().waiter;
            if (waiter.awaitsNode(node) && waiter.givesUpOnSilence() && awaiting.remove(e.getKey(), e.getValue()))
            {
                waiter.nodeSilent();
            }
        }
    }

    /**
     * A node left in order: the answers it owed were all delivered before, so the calls still waiting for one were
     * never taken there.
     */
    void nodeLeft(final String node)
    {
        for (final Map.Entry<Long, Pending> e : awaiting.entrySet())
        {
            final AwaitingReply waiter = e.getValue().waiter;
            if (waiter.awaitsNode(node) && awaiting.remove(e.getKey(), e.getValue()))
            {
                waiter.nodeLeft();
            }
        }
    }

    /**
     * Fail every call still pending (the node is closing) and any made later.
     */
    void close()
    {
        timeouts.shutdown();
    }
}

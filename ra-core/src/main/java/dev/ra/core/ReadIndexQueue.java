package dev.ra.core;

import dev.ra.ServerId;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * A leader's consistent queries waiting to be answered (ReadIndex, thesis §6.4; etcd's {@code read_only.go}).
 *
 * <p>A query records the commit index when it arrived (its read index) and the heartbeat round that must confirm the
 * leader is still leading: a round started after the query arrived. Rounds are numbered; a peer acknowledges a round
 * by echoing its number, and a query is ready once a majority of voters has acknowledged its round and the machine
 * has applied its read index. Queries that arrive before this leader's noop commits wait for it first: until then
 * the commit index of an earlier term is not known to be current (§8).
 *
 * <p>Mutable; owned by the leader, emptied when leadership ends.
 */
final class ReadIndexQueue
{
    private record PendingQuery(long queryId, long readIndex, long round)
    {
    }

    private final ArrayDeque<PendingQuery> pending = new ArrayDeque<>();
    private final ArrayList<Long> awaitingNoop = new ArrayList<>();
    private final List<RaftAction> actions;
    private long round;
    private boolean heartbeatNeeded;

    /**
     * @param actions where answers and failures are emitted.
     */
    ReadIndexQueue(final List<RaftAction> actions)
    {
        this.actions = actions;
    }

    /**
     * Forget everything: a new leadership starts with round 0.
     */
    void reset()
    {
        pending.clear();
        awaitingNoop.clear();
        round = 0;
        heartbeatNeeded = false;
    }

    /**
     * @return the newest heartbeat round started; the leader's own acknowledgement of it.
     */
    long round()
    {
        return round;
    }

    /**
     * @return whether no query waits for a heartbeat round.
     */
    boolean isEmpty()
    {
        return pending.isEmpty();
    }

    /**
     * @param queryId of a query that must wait for the leader's noop to commit.
     */
    void awaitNoop(final long queryId)
    {
        awaitingNoop.add(queryId);
    }

    /**
     * The leader's noop committed: hand each query that waited for it on, in arrival order.
     *
     * @param enqueue what to do with each.
     */
    void releaseAwaitingNoop(final LongConsumer enqueue)
    {
        for (final Long queryId : awaitingNoop)
        {
            enqueue.accept(queryId);
        }
        awaitingNoop.clear();
    }

    /**
     * Queue a query behind a heartbeat round that starts with the next flush.
     *
     * @param queryId   of the query.
     * @param readIndex the commit index when it arrived.
     * @param joinSent  the deliberate bug of joining a round already sent ({@link Mutation#QUERY_JOINS_SENT_ROUND}).
     */
    void add(final long queryId, final long readIndex, final boolean joinSent)
    {
        if (joinSent && round > 0 && !heartbeatNeeded)
        {
            pending.add(new PendingQuery(queryId, readIndex, round));
            return;
        }
        round++;
        pending.add(new PendingQuery(queryId, readIndex, round));
        heartbeatNeeded = true;
    }

    /**
     * @return whether a heartbeat round must be sent now; it counts as sent once asked.
     */
    boolean takeHeartbeatNeeded()
    {
        final boolean needed = heartbeatNeeded;
        heartbeatNeeded = false;
        return needed;
    }

    /**
     * Answer, in order, the queries whose round a majority acknowledged and whose read index is applied.
     *
     * @param agreedRound the highest round a majority of voters acknowledged.
     * @param lastApplied the machine's last applied index.
     */
    void answerReady(final long agreedRound, final long lastApplied)
    {
        while (!pending.isEmpty())
        {
            final PendingQuery query = pending.peekFirst();
            if (query.round() > agreedRound || query.readIndex() > lastApplied)
            {
                break;
            }
            pending.pollFirst();
            actions.add(new RaftAction.QueryReady(query.queryId()));
        }
        if (pending.isEmpty())
        {
            heartbeatNeeded = false;
        }
    }

    /**
     * Leadership ended: fail every query, those waiting for a round first, then those waiting for the noop.
     *
     * @param leaderHint the leader now known, or null.
     */
    void failAll(final ServerId leaderHint)
    {
        for (final PendingQuery query : pending)
        {
            actions.add(new RaftAction.CallFailed(query.queryId(), CallError.NOT_LEADER, leaderHint));
        }
        pending.clear();
        for (final Long queryId : awaitingNoop)
        {
            actions.add(new RaftAction.CallFailed(queryId, CallError.NOT_LEADER, leaderHint));
        }
        awaitingNoop.clear();
    }
}

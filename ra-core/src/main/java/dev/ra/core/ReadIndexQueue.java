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
 * <p>Rounds run back to back, one in flight at a time: the queries that arrive while a round is in flight join the
 * next round (never the one in flight: it was sent before they arrived), which is sent once a majority acknowledged
 * the one in flight. Under load each round then confirms every query that arrived during the previous one, so the
 * heartbeats per read fall as the load grows, instead of one round per batch of events. A round not acknowledged by
 * the next tick after it was sent (a heartbeat or its reply lost) is sent again, as the newest round.
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
    /** The newest round: the one being filled when it is above {@link #sentRound}, else the one sent last. */
    private long round;
    /** The newest round sent. */
    private long sentRound;
    /** The newest round a majority acknowledged. */
    private long acknowledgedRound;
    /** {@link #sentRound} at the previous tick: still unacknowledged at this tick means lost. */
    private long sentRoundAtTick;
    private boolean resendNeeded;

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
        sentRound = 0;
        acknowledgedRound = 0;
        sentRoundAtTick = 0;
        resendNeeded = false;
    }

    /**
     * @return the newest round (being filled, or sent); the leader's own acknowledgement of it.
     */
    long round()
    {
        return round;
    }

    /**
     * @return the newest round sent: no member can acknowledge a later one.
     */
    long sentRound()
    {
        return sentRound;
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
     * Queue a query behind the next heartbeat round: one not sent yet, which it joins with the queries that arrived
     * since the last round was sent.
     *
     * @param queryId   of the query.
     * @param readIndex the commit index when it arrived.
     * @param joinSent  the deliberate bug of joining a round already sent ({@link Mutation#QUERY_JOINS_SENT_ROUND}).
     */
    void add(final long queryId, final long readIndex, final boolean joinSent)
    {
        if (round == sentRound && !(joinSent && sentRound > 0))
        {
            round++;
        }
        pending.add(new PendingQuery(queryId, readIndex, round));
    }

    /**
     * @return whether the newest round must be sent now ({@link #round()}): it has queries and no round is in
     *     flight, or the round in flight looks lost. It counts as sent once asked.
     */
    boolean takeHeartbeatNeeded()
    {
        final boolean inFlight = acknowledgedRound < sentRound;
        final boolean needed = round > sentRound && !inFlight || resendNeeded && !pending.isEmpty();
        resendNeeded = false;
        if (needed)
        {
            sentRound = round;
        }
        return needed;
    }

    /**
     * @return whether a round was sent and a majority has not acknowledged it yet: ticks must come, for {@link #onTick}
     *     to send it again if it was lost (queries arriving meanwhile wait for it).
     */
    boolean awaitsAcknowledgement()
    {
        return acknowledgedRound < sentRound && !pending.isEmpty();
    }

    /**
     * A tick: a round sent before the previous tick and still not acknowledged by a majority was lost (a heartbeat or
     * a reply), or a voter is down; send the newest round at the next flush, so that the queries are not stuck.
     */
    void onTick()
    {
        if (acknowledgedRound < sentRound && sentRound == sentRoundAtTick)
        {
            resendNeeded = true;
        }
        sentRoundAtTick = sentRound;
    }

    /**
     * Answer, in order, the queries whose round a majority acknowledged and whose read index is applied.
     *
     * @param agreedRound the highest round a majority of voters acknowledged.
     * @param lastApplied the machine's last applied index.
     */
    void answerReady(final long agreedRound, final long lastApplied)
    {
        acknowledgedRound = Math.max(acknowledgedRound, Math.min(agreedRound, sentRound));
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
    }

    /**
     * Leadership ended: give every query to {@code take} and forget them all, those waiting for a round first, then
     * those waiting for the noop.
     *
     * @param take takes a query's id.
     */
    void drain(final LongConsumer take)
    {
        for (final PendingQuery query : pending)
        {
            take.accept(query.queryId());
        }
        pending.clear();
        for (final Long queryId : awaitingNoop)
        {
            take.accept(queryId);
        }
        awaitingNoop.clear();
    }

    /**
     * Leadership ended: fail every query, those waiting for a round first, then those waiting for the noop.
     *
     * @param leaderHint the leader now known, or null.
     */
    void failAll(final ServerId leaderHint)
    {
        drain(queryId -> actions.add(new RaftAction.CallFailed(queryId, CallError.NOT_LEADER, leaderHint)));
    }
}

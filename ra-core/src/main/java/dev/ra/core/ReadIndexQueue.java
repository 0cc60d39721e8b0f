package dev.ra.core;

import dev.ra.ServerId;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
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
 * <p>A query that a majority has not confirmed (nor the noop committed) within a limit the leader sets (twice the
 * longest election timeout, by which time the members this leader cannot reach have elected another if they could;
 * failure detection takes half the shortest) fails as
 * "not leader" at a tick: this leader does not know that it still leads. There is no check-quorum, so a leader cut
 * off from its quorum leads on until it hears of a later term, and without the limit every query that reached it
 * would wait there, its caller long gone (timed out, cancelled), until the partition healed: memory without bound, and
 * callers that never moved on to the leader the others elected meanwhile.
 *
 * <p>Mutable; owned by the leader, emptied when leadership ends.
 */
final class ReadIndexQueue
{
    private record PendingQuery(long queryId, long readIndex, long round, long arrivedAtMs, long arrivedAtTick)
    {
    }

    private record AwaitingNoop(long queryId, long arrivedAtMs, long arrivedAtTick)
    {
    }

    /**
     * A round sent after a tick is found lost at the second tick after it (the first only notes it as sent) and sent
     * again at the flush after that; its answers come before the third.
     */
    private static final int TICKS_BEFORE_FAILING = 3;

    private final ArrayDeque<PendingQuery> pending = new ArrayDeque<>();
    private final ArrayList<AwaitingNoop> awaitingNoop = new ArrayList<>();
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
     * Ticks seen: a query fails as unconfirmed only after {@link #TICKS_BEFORE_FAILING} of them, so that its round
     * was sent again once (at the second) whatever the ticks' spacing against the time limit.
     */
    private long ticks;

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
     * @param nowMs   when it arrived.
     */
    void awaitNoop(final long queryId, final long nowMs)
    {
        awaitingNoop.add(new AwaitingNoop(queryId, nowMs, ticks));
    }

    /**
     * The leader's noop committed: hand each query that waited for it on, in arrival order.
     *
     * @param enqueue what to do with each.
     */
    void releaseAwaitingNoop(final LongConsumer enqueue)
    {
        for (final AwaitingNoop query : awaitingNoop)
        {
            enqueue.accept(query.queryId());
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
     * @param nowMs     when it arrived (the leader's noop committed since, for one that waited for it).
     */
    void add(final long queryId, final long readIndex, final boolean joinSent, final long nowMs)
    {
        if (round == sentRound && !(joinSent && sentRound > 0))
        {
            round++;
        }
        pending.add(new PendingQuery(queryId, readIndex, round, nowMs, ticks));
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
     * Queries unconfirmed for longer than {@code unconfirmedLimitMs}, and over three ticks (so that their round was
     * sent again once, however far apart the ticks), fail as "not leader" (a query whose round was
     * confirmed waits for its read index to be applied, however long: this member does lead).
     *
     * @param nowMs              the time of the tick.
     * @param unconfirmedLimitMs how long a query may wait for a majority to confirm its round (or for the noop).
     */
    void onTick(final long nowMs, final long unconfirmedLimitMs)
    {
        ticks++;
        if (acknowledgedRound < sentRound && sentRound == sentRoundAtTick)
        {
            resendNeeded = true;
        }
        sentRoundAtTick = sentRound;
        final Iterator<PendingQuery> queries = pending.iterator();
        while (queries.hasNext())
        {
            final PendingQuery query = queries.next();
            if (query.round() > acknowledgedRound && overdue(query.arrivedAtMs(), query.arrivedAtTick(), nowMs,
                unconfirmedLimitMs))
            {
                queries.remove();
                actions.add(unconfirmed(query.queryId(), unconfirmedLimitMs));
            }
        }
        final Iterator<AwaitingNoop> early = awaitingNoop.iterator();
        while (early.hasNext())
        {
            final AwaitingNoop query = early.next();
            if (overdue(query.arrivedAtMs(), query.arrivedAtTick(), nowMs, unconfirmedLimitMs))
            {
                early.remove();
                actions.add(unconfirmed(query.queryId(), unconfirmedLimitMs));
            }
        }
    }

    private boolean overdue(final long arrivedAtMs, final long arrivedAtTick, final long nowMs,
        final long unconfirmedLimitMs)
    {
        return nowMs - arrivedAtMs > unconfirmedLimitMs && ticks - arrivedAtTick >= TICKS_BEFORE_FAILING;
    }

    private static RaftAction.CallFailed unconfirmed(final long queryId, final long unconfirmedLimitMs)
    {
        return new RaftAction.CallFailed(queryId, CallError.NOT_LEADER, null, "no majority of voters confirmed " +
            "this leader's leadership within " + unconfirmedLimitMs + " ms (cut off from them?)");
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
        for (final AwaitingNoop query : awaitingNoop)
        {
            take.accept(query.queryId());
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

package dev.ra.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ServerId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The leader's queue of consistent queries, on random sequences of arrivals, rounds sent and acknowledged, ticks,
 * applies and lost leadership: a query is answered once, in arrival order, only once a majority acknowledged a round
 * sent after it arrived and its read index is applied; one round is in flight at a time (unless one looks lost at a
 * tick); every query is answered once its rounds are; on lost leadership every query not answered fails, and only
 * those.
 */
class ReadIndexQueueTest
{
    private static final ServerId NEXT_LEADER = new ServerId("c", "n2");

    @Test
    void answersInOrderOnlyConfirmedAndAppliedQueriesAndFailsTheRest()
    {
        for (long seed = 0; seed < 500; seed++)
        {
            final String failing = "seed " + seed;
            final SplittableRandom random = new SplittableRandom(seed);
            final List<RaftAction> actions = new ArrayList<>();
            final ReadIndexQueue queue = new ReadIndexQueue(actions);
            // per query: its read index and the newest round sent when it arrived
            final Map<Long, long[]> arrived = new HashMap<>();
            final List<Long> answered = new ArrayList<>();
            long nextQuery = 1;
            long commitIndex = 0;
            long lastApplied = 0;
            long agreedRound = 0;
            long sentRound = 0;
            boolean resendDue = false;
            for (int step = 0; step < 60; step++)
            {
                switch (random.nextInt(6))
                {
                    case 0 ->
                    {
                        queue.add(nextQuery, commitIndex, false);
                        assertThat(queue.round()).as(failing).isEqualTo(sentRound + 1);
                        arrived.put(nextQuery, new long[] {commitIndex, sentRound});
                        nextQuery++;
                    }
                    case 1 -> commitIndex += random.nextInt(3);
                    case 2 -> lastApplied = Math.min(commitIndex, lastApplied + random.nextInt(3));
                    case 3 ->
                    {
                        final boolean inFlight = agreedRound < sentRound;
                        if (queue.takeHeartbeatNeeded())
                        {
                            assertThat(!inFlight || resendDue).as(failing + ": one round in flight").isTrue();
                            assertThat(queue.round()).as(failing).isGreaterThanOrEqualTo(sentRound);
                            sentRound = queue.round();
                        }
                        else
                        {
                            assertThat(inFlight && !resendDue || queue.round() == sentRound).as(failing).isTrue();
                        }
                        resendDue = false;
                    }
                    case 4 ->
                    {
                        final long roundsInFlightBefore = sentRound;
                        queue.onTick();
                        queue.onTick();
                        resendDue = agreedRound < roundsInFlightBefore && !queue.isEmpty();
                    }
                    default -> agreedRound = Math.min(sentRound, agreedRound + random.nextInt(2));
                }
                actions.clear();
                queue.answerReady(agreedRound, lastApplied);
                for (final RaftAction action : actions)
                {
                    final long queryId = ((RaftAction.QueryReady)action).queryId();
                    final long[] readIndexAndSentBefore = arrived.get(queryId);
                    assertThat(readIndexAndSentBefore[0]).as(failing).isLessThanOrEqualTo(lastApplied);
                    assertThat(agreedRound).as(failing + ": confirmed by a round sent after query " + queryId)
                        .isGreaterThan(readIndexAndSentBefore[1]);
                    assertThat(answered).as(failing).doesNotContain(queryId);
                    if (!answered.isEmpty())
                    {
                        assertThat(queryId).as(failing).isGreaterThan(answered.get(answered.size() - 1));
                    }
                    answered.add(queryId);
                }
            }
            // Liveness: with every round acknowledged as it is sent and everything applied, every query is answered.
            for (int flush = 0; flush < 3; flush++)
            {
                if (queue.takeHeartbeatNeeded())
                {
                    sentRound = queue.round();
                }
                agreedRound = sentRound;
                actions.clear();
                queue.answerReady(agreedRound, commitIndex);
                actions.forEach(a -> answered.add(((RaftAction.QueryReady)a).queryId()));
            }
            assertThat(answered).as(failing).hasSize(arrived.size());
        }
    }

    @Test
    void failsEveryQueryNotAnsweredWhenLeadershipEnds()
    {
        for (long seed = 0; seed < 200; seed++)
        {
            final String failing = "seed " + seed;
            final SplittableRandom random = new SplittableRandom(seed);
            final List<RaftAction> actions = new ArrayList<>();
            final ReadIndexQueue queue = new ReadIndexQueue(actions);
            final Set<Long> arrived = new HashSet<>();
            final Set<Long> answered = new HashSet<>();
            long nextQuery = 1;
            long sentRound = 0;
            for (int step = 0; step < 40; step++)
            {
                switch (random.nextInt(3))
                {
                    case 0 ->
                    {
                        queue.add(nextQuery, 0, false);
                        arrived.add(nextQuery++);
                    }
                    case 1 ->
                    {
                        if (queue.takeHeartbeatNeeded())
                        {
                            sentRound = queue.round();
                        }
                    }
                    default ->
                    {
                        actions.clear();
                        queue.answerReady(sentRound, 0);
                        actions.forEach(a -> answered.add(((RaftAction.QueryReady)a).queryId()));
                    }
                }
            }
            final long awaitingNoop = nextQuery;
            queue.awaitNoop(awaitingNoop);
            actions.clear();
            queue.failAll(NEXT_LEADER);
            final Set<Long> failed = new HashSet<>();
            for (final RaftAction action : actions)
            {
                final RaftAction.CallFailed failure = (RaftAction.CallFailed)action;
                assertThat(failure.error()).as(failing).isEqualTo(CallError.NOT_LEADER);
                assertThat(failure.leaderHint()).as(failing).isEqualTo(NEXT_LEADER);
                assertThat(failed.add(failure.callId())).as(failing).isTrue();
            }
            final Set<Long> expected = new HashSet<>(arrived);
            expected.removeAll(answered);
            expected.add(awaitingNoop);
            assertThat(failed).as(failing).isEqualTo(expected);
            assertThat(queue.isEmpty()).as(failing).isTrue();
        }
    }

    /**
     * Thesis §6.4: a round confirms only the queries that arrived before it was sent. A query arriving while a round
     * is in flight waits for the next one, which is sent only once the round in flight is acknowledged.
     */
    @Test
    void aQueryArrivingWhileARoundIsInFlightJoinsTheNextRound()
    {
        final List<RaftAction> actions = new ArrayList<>();
        final ReadIndexQueue queue = new ReadIndexQueue(actions);
        queue.add(1, 0, false);
        assertThat(queue.takeHeartbeatNeeded()).isTrue();
        final long first = queue.round();
        queue.add(2, 0, false);
        queue.add(3, 0, false);
        assertThat(queue.takeHeartbeatNeeded()).as("round %d is in flight", first).isFalse();

        queue.answerReady(first, 0);
        assertThat(actions).containsExactly(new RaftAction.QueryReady(1));
        assertThat(queue.takeHeartbeatNeeded()).as("the next round, once the first is acknowledged").isTrue();
        final long second = queue.round();
        assertThat(second).isGreaterThan(first);
        queue.answerReady(second, 0);
        assertThat(actions).containsExactly(new RaftAction.QueryReady(1), new RaftAction.QueryReady(2),
            new RaftAction.QueryReady(3));
        assertThat(queue.takeHeartbeatNeeded()).as("no query waits").isFalse();
    }

    @Test
    void aRoundNotAcknowledgedByTheNextTickIsSentAgain()
    {
        final List<RaftAction> actions = new ArrayList<>();
        final ReadIndexQueue queue = new ReadIndexQueue(actions);
        queue.add(1, 0, false);
        assertThat(queue.takeHeartbeatNeeded()).isTrue();
        queue.onTick();
        assertThat(queue.takeHeartbeatNeeded()).as("sent since the previous tick: not lost yet").isFalse();
        queue.onTick();
        assertThat(queue.takeHeartbeatNeeded()).as("a whole tick without a majority: sent again").isTrue();
        queue.answerReady(queue.round(), 0);
        assertThat(actions).containsExactly(new RaftAction.QueryReady(1));
        queue.onTick();
        queue.onTick();
        assertThat(queue.takeHeartbeatNeeded()).as("nothing waits").isFalse();
    }

    @Test
    void aRoundIsAskedForOnceAndQueriesAwaitingTheNoopAreHandedOnInOrder()
    {
        final List<RaftAction> actions = new ArrayList<>();
        final ReadIndexQueue queue = new ReadIndexQueue(actions);
        assertThat(queue.takeHeartbeatNeeded()).isFalse();
        queue.add(1, 0, false);
        assertThat(queue.takeHeartbeatNeeded()).isTrue();
        assertThat(queue.takeHeartbeatNeeded()).isFalse();

        queue.awaitNoop(7);
        queue.awaitNoop(8);
        final List<Long> handedOn = new ArrayList<>();
        queue.releaseAwaitingNoop(handedOn::add);
        assertThat(handedOn).containsExactly(7L, 8L);
        actions.clear();
        queue.failAll(null);
        assertThat(actions).containsExactly(new RaftAction.CallFailed(1, CallError.NOT_LEADER, null));

        queue.reset();
        assertThat(queue.round()).isZero();
    }
}

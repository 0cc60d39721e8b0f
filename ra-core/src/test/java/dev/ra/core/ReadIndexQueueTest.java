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
 * The leader's queue of consistent queries, on random sequences of arrivals, acknowledged rounds, applies and lost
 * leadership: a query is answered once, in arrival order, only once a majority acknowledged a round started after it
 * arrived and its read index is applied; on lost leadership every query not answered fails, and only those.
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
            final Map<Long, long[]> arrived = new HashMap<>();
            final List<Long> answered = new ArrayList<>();
            long nextQuery = 1;
            long commitIndex = 0;
            long lastApplied = 0;
            long agreedRound = 0;
            for (int step = 0; step < 50; step++)
            {
                switch (random.nextInt(4))
                {
                    case 0 ->
                    {
                        final long roundBefore = queue.round();
                        queue.add(nextQuery, commitIndex, false);
                        assertThat(queue.round()).as(failing).isEqualTo(roundBefore + 1);
                        arrived.put(nextQuery, new long[] {commitIndex, queue.round()});
                        nextQuery++;
                    }
                    case 1 -> commitIndex += random.nextInt(3);
                    case 2 -> lastApplied = Math.min(commitIndex, lastApplied + random.nextInt(3));
                    default -> agreedRound = Math.min(queue.round(), agreedRound + random.nextInt(2));
                }
                actions.clear();
                queue.answerReady(agreedRound, lastApplied);
                for (final RaftAction action : actions)
                {
                    final long queryId = ((RaftAction.QueryReady)action).queryId();
                    final long[] readIndexAndRound = arrived.get(queryId);
                    assertThat(readIndexAndRound[0]).as(failing).isLessThanOrEqualTo(lastApplied);
                    assertThat(readIndexAndRound[1]).as(failing).isLessThanOrEqualTo(agreedRound);
                    assertThat(answered).as(failing).doesNotContain(queryId);
                    if (!answered.isEmpty())
                    {
                        assertThat(queryId).as(failing).isGreaterThan(answered.get(answered.size() - 1));
                    }
                    answered.add(queryId);
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
            final Set<Long> expected = new HashSet<>(arrived.keySet());
            expected.removeAll(answered);
            expected.add(awaitingNoop);
            assertThat(failed).as(failing).isEqualTo(expected);
            assertThat(queue.isEmpty()).as(failing).isTrue();
        }
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

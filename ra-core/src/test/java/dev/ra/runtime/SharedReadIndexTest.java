package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ServerId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;

/**
 * Read-index calls shared by the queries that ask at the same time: a query that asks while a call is in flight is
 * never served by that call (the leader may have confirmed it before the query asked), but by the next one, issued
 * when the one in flight completes; one call in flight per member and kind; a failure reaches the waiters of that
 * call only, and the next call still goes out.
 */
class SharedReadIndexTest
{
    private static final ServerId MEMBER = new ServerId("c", "n1");
    private static final ServerId LEADER = new ServerId("c", "n2");

    /** One call made through the fake. */
    private record Call(boolean consistent, Duration timeout, BiConsumer<Long, ServerId> answered,
        CompletableFuture<Object> done)
    {
        void answer(final long index)
        {
            answered.accept(index, LEADER);
            done.complete(index);
        }
    }

    /** Records what a waiter was told. */
    private static final class Recorded implements SharedReadIndex.Waiter
    {
        private final List<Long> indexes = new ArrayList<>();
        private final List<Throwable> failures = new ArrayList<>();
        /** Its query's timeout passed. */
        private boolean gaveUp;

        @Override
        public boolean gaveUp()
        {
            return gaveUp;
        }

        @Override
        public void readIndex(final long index, final ServerId leader)
        {
            indexes.add(index);
        }

        @Override
        public void failed(final Throwable error)
        {
            failures.add(error);
        }
    }

    private final List<Call> calls = new ArrayList<>();
    private final SharedReadIndex shared = new SharedReadIndex((server, consistent, timeout, answered) ->
    {
        final Call call = new Call(consistent, timeout, answered, new CompletableFuture<>());
        calls.add(call);
        return call.done();
    });

    @Test
    void aQueryAskingWhileACallIsInFlightIsServedByTheNextCall()
    {
        final Recorded first = new Recorded();
        shared.await(MEMBER, true, Duration.ofSeconds(1), first);
        assertThat(calls).hasSize(1);

        final Recorded second = new Recorded();
        final Recorded third = new Recorded();
        shared.await(MEMBER, true, Duration.ofSeconds(2), second);
        shared.await(MEMBER, true, Duration.ofSeconds(1), third);
        assertThat(calls).as("one call in flight").hasSize(1);

        calls.get(0).answer(5);
        assertThat(first.indexes).containsExactly(5L);
        assertThat(second.indexes).as("asked after the call was made: not served by it").isEmpty();
        assertThat(third.indexes).isEmpty();
        assertThat(calls).as("the next call, for the two that waited").hasSize(2);
        assertThat(calls.get(1).timeout()).as("the longest timeout of its waiters").isEqualTo(Duration.ofSeconds(2));

        calls.get(1).answer(7);
        assertThat(second.indexes).containsExactly(7L);
        assertThat(third.indexes).containsExactly(7L);
        assertThat(first.indexes).containsExactly(5L);
        assertThat(calls).as("nobody waits: no call").hasSize(2);

        final Recorded fourth = new Recorded();
        shared.await(MEMBER, true, Duration.ofSeconds(1), fourth);
        assertThat(calls).as("nothing in flight: a call at once").hasSize(3);
    }

    @Test
    void callsOfDifferentKindsOrMembersAreNotShared()
    {
        shared.await(MEMBER, true, Duration.ofSeconds(1), new Recorded());
        shared.await(MEMBER, false, Duration.ofSeconds(1), new Recorded());
        shared.await(LEADER, true, Duration.ofSeconds(1), new Recorded());
        assertThat(calls).hasSize(3);
        assertThat(calls.get(1).consistent()).isFalse();
    }

    @Test
    void aFailureReachesTheWaitersOfThatCallOnlyAndTheNextCallStillGoesOut()
    {
        final Recorded first = new Recorded();
        final Recorded second = new Recorded();
        shared.await(MEMBER, true, Duration.ofSeconds(1), first);
        shared.await(MEMBER, true, Duration.ofSeconds(1), second);
        final IllegalStateException failure = new IllegalStateException("no leader");
        calls.get(0).done().completeExceptionally(failure);
        assertThat(first.failures).containsExactly(failure);
        assertThat(second.failures).isEmpty();
        assertThat(calls).hasSize(2);
        calls.get(1).answer(3);
        assertThat(second.indexes).containsExactly(3L);
    }

    @Test
    void aCallThatCannotBeMadeFailsItsWaitersAndFreesTheMember()
    {
        final List<Integer> attempts = new ArrayList<>();
        final SharedReadIndex refusing = new SharedReadIndex((server, consistent, timeout, answered) ->
        {
            attempts.add(1);
            throw new IllegalStateException("closed");
        });
        final Recorded first = new Recorded();
        refusing.await(MEMBER, true, Duration.ofSeconds(1), first);
        assertThat(first.failures).hasSize(1);
        final Recorded second = new Recorded();
        refusing.await(MEMBER, true, Duration.ofSeconds(1), second);
        assertThat(second.failures).as("not left waiting behind a call that never went out").hasSize(1);
        assertThat(attempts).hasSize(2);
    }

    /**
     * One query with a long timeout keeps its call in flight that long (the leader unknown, say): the queries that
     * asked behind it and gave up at their own timeout were held until it ended, each with its query, and then got a
     * call of their own, lasting as long as the longest of theirs.
     */
    @Test
    void queriesThatGaveUpWaitingForTheNextCallAreForgotten()
    {
        shared.await(MEMBER, true, Duration.ofDays(1), new Recorded());
        for (int i = 0; i < 10_000; i++)
        {
            final Recorded query = new Recorded();
            shared.await(MEMBER, true, Duration.ofHours(1), query);
            query.gaveUp = true;
        }
        final Recorded waiting = new Recorded();
        shared.await(MEMBER, true, Duration.ofSeconds(5), waiting);
        assertThat(shared.waitingForNext()).as("queries held for the next call").isLessThan(200);

        calls.get(0).answer(5);
        assertThat(calls).as("the next call, for the one query still waiting").hasSize(2);
        assertThat(calls.get(1).timeout()).as("the timeout of the query still waiting").isEqualTo(
            Duration.ofSeconds(5));
        calls.get(1).answer(6);
        assertThat(waiting.indexes).containsExactly(6L);
        assertThat(shared.waitingForNext()).isZero();
    }
}

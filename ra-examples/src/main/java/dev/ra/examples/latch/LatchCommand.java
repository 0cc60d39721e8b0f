package dev.ra.examples.latch;

import dev.ra.ProcessRef;
import java.util.Objects;

/**
 * The commands of the {@link LatchMachine}: counting latches (Hazelcast CP's {@code ICountDownLatch}) and cyclic
 * barriers ({@link java.util.concurrent.CyclicBarrier}). Every command is safe to retry: the ones that change a count
 * carry an id the client chose, and the ones that name a process act on it once.
 */
public sealed interface LatchCommand
{
    /**
     * Set the count of latch {@code name} and start a new round, if its count is 0 (or the latch is new). Replies
     * {@code Boolean.TRUE} if the count was set by THIS request (also when a retry finds its own earlier success),
     * {@code FALSE} if the latch was still counting down.
     *
     * @param name      of the latch.
     * @param count     to count down from, at least 1.
     * @param requestId chosen by the client, unique per call; makes a retry idempotent.
     */
    record TrySetCount(String name, long count, String requestId) implements LatchCommand
    {
        /** Checks the name, a positive count and the request id. */
        public TrySetCount
        {
            requireName(name);
            if (count < 1)
            {
                throw new IllegalArgumentException("latch '" + name + "': count must be >= 1, got " + count);
            }
            Objects.requireNonNull(requestId, "requestId");
        }
    }

    /**
     * Count latch {@code name} down by one, if it is in round {@code expectedRound}, still above 0, and this request
     * has not counted yet. Replies the remaining count (a {@code Long}) of the latch's current round.
     *
     * @param name          of the latch.
     * @param expectedRound the round the caller means (read before with {@link LatchMachine#LATCH}); a count-down for
     *                      an old round changes nothing, as in Hazelcast.
     * @param requestId     chosen by the client, unique per count-down; a retry with the same id counts once.
     */
    record CountDown(String name, long expectedRound, String requestId) implements LatchCommand
    {
        /** Checks the name and the request id. */
        public CountDown
        {
            requireName(name);
            Objects.requireNonNull(requestId, "requestId");
        }
    }

    /**
     * Wait for latch {@code name} to reach 0. Replies {@link LatchReply.Opened} at once if it is at 0 (or does not
     * exist), else {@link LatchReply.Waiting}; the waiter is monitored and later receives {@link LatchOpened}.
     *
     * @param name   of the latch.
     * @param waiter the process to tell.
     */
    record Await(String name, ProcessRef waiter) implements LatchCommand
    {
        /** Checks the name and the waiter. */
        public Await
        {
            requireName(name);
            Objects.requireNonNull(waiter, "waiter");
        }
    }

    /**
     * Stop waiting for latch {@code name} (an await that timed out). Replies {@code Boolean.TRUE} if the process was
     * waiting.
     *
     * @param name   of the latch.
     * @param waiter the waiting process.
     */
    record CancelAwait(String name, ProcessRef waiter) implements LatchCommand
    {
        /** Checks the name and the waiter. */
        public CancelAwait
        {
            requireName(name);
            Objects.requireNonNull(waiter, "waiter");
        }
    }

    /**
     * Arrive at barrier {@code name} of {@code parties} parties (created by the first arrival). Replies a
     * {@link BarrierReply}: tripped if this arrival was the last one, waiting otherwise (the party then receives
     * {@link BarrierTripped} or {@link BarrierBroken}), broken if the barrier is broken, rejected if the barrier
     * exists with another number of parties. A party that arrives again (a retry) gets the outcome of its first
     * arrival.
     *
     * @param name    of the barrier.
     * @param parties the barrier trips when this many parties wait; at least 1.
     * @param party   the arriving process, fresh for every await so that retries are recognised.
     */
    record BarrierAwait(String name, int parties, ProcessRef party) implements LatchCommand
    {
        /** Checks the name, a positive number of parties and the party. */
        public BarrierAwait
        {
            requireName(name);
            if (parties < 1)
            {
                throw new IllegalArgumentException("barrier '" + name + "': parties must be >= 1, got " + parties);
            }
            Objects.requireNonNull(party, "party");
        }
    }

    /**
     * A waiting party gives up (its await timed out): as in {@link java.util.concurrent.CyclicBarrier}, that breaks
     * the barrier for everyone waiting. Replies the {@link BarrierReply} of the party's generation: tripped if the
     * barrier tripped before the party left, broken otherwise, rejected if the party never arrived.
     *
     * @param name  of the barrier.
     * @param party the waiting process.
     */
    record BarrierLeave(String name, ProcessRef party) implements LatchCommand
    {
        /** Checks the name and the party. */
        public BarrierLeave
        {
            requireName(name);
            Objects.requireNonNull(party, "party");
        }
    }

    /**
     * Reset barrier {@code name}: parties still waiting are told it broke, and a new, unbroken generation starts.
     * Replies the new generation (a {@code Long}), or 0 if there is no such barrier. A retry (same request id) answers
     * the generation its first attempt started and changes nothing, as long as that generation is among the last
     * {@value LatchMachine#ENDED_GENERATIONS_KEPT} ended: without it, a retry arriving after parties joined the new
     * generation would break them.
     *
     * @param name      of the barrier.
     * @param requestId chosen by the client, the same for every retry.
     */
    record BarrierReset(String name, String requestId) implements LatchCommand
    {
        /** Checks the name and the request id. */
        public BarrierReset
        {
            requireName(name);
            if (null == requestId || requestId.isEmpty())
            {
                throw new IllegalArgumentException("barrier '" + name + "': a reset needs a non-empty request id");
            }
        }
    }

    /**
     * @param name of a latch or barrier.
     */
    private static void requireName(final String name)
    {
        if (null == name || name.isEmpty())
        {
            throw new IllegalArgumentException("a latch or barrier needs a non-empty name, got " +
                (null == name ? "null" : "''"));
        }
    }
}

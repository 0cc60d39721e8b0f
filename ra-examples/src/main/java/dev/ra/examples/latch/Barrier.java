package dev.ra.examples.latch;

import dev.ra.ProcessRef;
import java.util.List;
import java.util.Objects;

/**
 * One cyclic barrier.
 *
 * @param parties    that must arrive for the barrier to trip.
 * @param generation current generation, from 1.
 * @param broken     true once a waiting party gave up or went down; stays broken until reset, as a
 *                   {@link java.util.concurrent.CyclicBarrier} does.
 * @param waiting    parties that arrived in the current generation (when broken: those that were waiting then).
 * @param recent     the last {@link LatchMachine#ENDED_GENERATIONS_KEPT} ended generations, oldest first.
 */
public record Barrier(int parties, long generation, boolean broken, List<ProcessRef> waiting,
    List<EndedGeneration> recent)
{
    /** Checks that the lists are not null. */
    public Barrier
    {
        Objects.requireNonNull(waiting, "waiting");
        Objects.requireNonNull(recent, "recent");
    }

    /**
     * The outcome of a generation as far as this barrier remembers it.
     *
     * @param awaited generation a party waited in.
     * @return tripped, broken or waiting; {@code null} if the generation ended too long ago to be remembered.
     */
    public BarrierReply outcomeOf(final long awaited)
    {
        if (awaited == generation)
        {
            return broken ? new BarrierReply.Broken(generation) : new BarrierReply.Waiting(generation, waiting.size());
        }
        for (final EndedGeneration ended : recent)
        {
            if (ended.generation() == awaited)
            {
                return ended.tripped() ? new BarrierReply.Tripped(awaited) : new BarrierReply.Broken(awaited);
            }
        }
        return null;
    }

    /**
     * @param party to look for.
     * @return the ended generation the party waited in, or {@code null}.
     */
    EndedGeneration endedWith(final ProcessRef party)
    {
        for (final EndedGeneration ended : recent)
        {
            if (ended.parties().contains(party))
            {
                return ended;
            }
        }
        return null;
    }
}

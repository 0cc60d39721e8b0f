package dev.ra.examples.latch;

import dev.ra.RaException;

/**
 * Thrown by {@link BarrierClient#await} when the generation the caller waited in broke: a party gave up or went
 * down, or the barrier was reset (as {@link java.util.concurrent.BrokenBarrierException}, but unchecked).
 */
public final class BrokenBarrierException extends RaException
{
    private static final long serialVersionUID = 1L;

    private final String barrier;
    private final long generation;

    /**
     * @param barrier    name of the barrier.
     * @param generation that broke.
     */
    public BrokenBarrierException(final String barrier, final long generation)
    {
        super("barrier '" + barrier + "' broke in generation " + generation);
        this.barrier = barrier;
        this.generation = generation;
    }

    /**
     * @return the name of the barrier.
     */
    public String barrier()
    {
        return barrier;
    }

    /**
     * @return the generation that broke.
     */
    public long generation()
    {
        return generation;
    }
}

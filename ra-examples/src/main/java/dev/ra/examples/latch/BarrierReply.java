package dev.ra.examples.latch;

/**
 * The replies of {@link LatchCommand.BarrierAwait} and {@link LatchCommand.BarrierLeave}.
 */
public sealed interface BarrierReply
{
    /**
     * Every party of the generation arrived: the barrier tripped, and the next generation started.
     *
     * @param generation that tripped.
     */
    record Tripped(long generation) implements BarrierReply
    {
    }

    /**
     * The party waits in this generation, and will receive {@link BarrierTripped} or {@link BarrierBroken}.
     *
     * @param generation waited for.
     * @param arrived    parties waiting so far, the caller included.
     */
    record Waiting(long generation, int arrived) implements BarrierReply
    {
    }

    /**
     * The generation broke (a waiting party gave up or went down, or the barrier was reset) before it tripped.
     *
     * @param generation that broke.
     */
    record Broken(long generation) implements BarrierReply
    {
    }

    /**
     * The command was not applied.
     *
     * @param reason naming the barrier and what was wrong.
     */
    record Rejected(String reason) implements BarrierReply
    {
    }
}

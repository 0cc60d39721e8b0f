package dev.ra.examples.latch;

/**
 * The replies of {@link LatchCommand.Await}.
 */
public sealed interface LatchReply
{
    /**
     * The latch is at 0: the caller need not wait.
     *
     * @param round the latch is in (0 if it was never set).
     */
    record Opened(long round) implements LatchReply
    {
    }

    /**
     * The latch is counting down; the caller will receive {@link LatchOpened} for this round.
     *
     * @param round being counted down.
     * @param count remaining.
     */
    record Waiting(long round, long count) implements LatchReply
    {
    }
}

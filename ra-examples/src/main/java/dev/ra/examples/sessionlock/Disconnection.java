package dev.ra.examples.sessionlock;

/**
 * When a lock holder's node became unreachable, and when its grace period ends. Both are leader timestamps taken
 * from the log ({@link dev.ra.CommandMeta#systemTimeMs()}), never from a local clock.
 *
 * @param sinceMs    leader time of the {@code Down(NOCONNECTION)} entry.
 * @param deadlineMs leader time at which the holder loses the lock unless it re-acquires or its node returns.
 */
public record Disconnection(long sinceMs, long deadlineMs)
{
}

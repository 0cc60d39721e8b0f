package dev.ra.runtime;

/**
 * The time the shell hands the core with each event: the wall clock read once, when the node's runtime is made,
 * carried forward by the monotonic clock. The core times its waits with it (a leadership transfer's deadline, how long
 * parked commands wait for a leader, when a follower last heard its leader) and stamps it on the entries a leader
 * appends ({@link dev.ra.CommandMeta#systemTimeMs}, the log time machines expire things by). Read from the wall clock
 * each time, a step of that clock (an NTP correction, a virtual machine resumed with its old time, an operator's
 * {@code date -s}) moved them all at once: an hour back held a transfer that did not complete, and the commands parked
 * behind it, for that hour, and made a leader's log time go back by the hour; an hour forward gave back every task and
 * dropped every watch whose bound was nearer than that. Anchored here, a running node's core time only moves forward,
 * at the rate of its monotonic clock; a step shows only after the node restarts, as any other node's clock difference
 * does (docs/toolbox.md, log time).
 */
final class CoreTime
{
    private static final long NANOS_PER_MILLI = 1_000_000L;

    private final RuntimeClock clock;
    private final long originMillis;
    private final long originNanos;

    /**
     * @param clock of the node; its wall clock is read once, now.
     */
    CoreTime(final RuntimeClock clock)
    {
        this.clock = clock;
        this.originNanos = clock.nanoTime();
        this.originMillis = clock.currentTimeMillis();
    }

    /**
     * @return milliseconds since the epoch as the wall clock read at the start, plus the monotonic time since.
     */
    long millis()
    {
        // By difference: nanoTime's origin is arbitrary and its values may wrap.
        return originMillis + Math.floorDiv(clock.nanoTime() - originNanos, NANOS_PER_MILLI);
    }
}

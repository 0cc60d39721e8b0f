package dev.ra.runtime;

import java.time.Duration;

/**
 * The node's side of the warning that a member knows no leader while the node of every other voter keeps saying that
 * it does not run there ({@link NodeEvents}). A cold start of a node hosting thousands of members, whose peers' nodes
 * start their servers a few seconds later, puts every one of them in that state for a while: they warned one WARN line
 * each, advising {@code forceDeleteServer} for healthy members. So the state must last {@link
 * #ELECTION_TIMEOUTS_BEFORE_WARNING} of the longest election timeouts on the runtime's clock before a member warns (a
 * member that missed its cluster's deletion stays in it for ever, and loses nothing by the wait), and the node logs
 * one such warning in full per {@link #QUIET}, the next one counting the members that warned meanwhile (each at DEBUG).
 * Thread-safe: shared by the servers of a node, on every loop.
 */
final class AloneWarnings
{
    /** How many of the longest election timeouts a member must have known no leader, alone, before it warns. */
    static final int ELECTION_TIMEOUTS_BEFORE_WARNING = 30;
    /** How long after a warning logged in full the node logs the others at DEBUG only. */
    static final Duration QUIET = Duration.ofMinutes(1);

    private final RuntimeClock clock;
    private final long holdNanos;
    /** When the last warning was logged in full, on {@link #clock}, if {@link #anyLogged}. */
    private long lastLoggedNanos;
    private boolean anyLogged;
    /** Members that warned at DEBUG only since the last warning logged in full. */
    private long unlogged;

    /**
     * @param clock              of the node.
     * @param electionTimeoutMax the longest election timeout of the node.
     */
    AloneWarnings(final RuntimeClock clock, final Duration electionTimeoutMax)
    {
        this.clock = clock;
        final long timeout = Durations.nanos(electionTimeoutMax);
        this.holdNanos = timeout > Long.MAX_VALUE / ELECTION_TIMEOUTS_BEFORE_WARNING ? Long.MAX_VALUE :
            timeout * ELECTION_TIMEOUTS_BEFORE_WARNING;
    }

    /**
     * @return now, on the node's clock: when a member's spell alone begins.
     */
    long now()
    {
        return clock.nanoTime();
    }

    /**
     * @param sinceNanos when the member's spell alone began ({@link #now}).
     * @return whether it has lasted long enough for the member to warn.
     */
    boolean lastedLongEnough(final long sinceNanos)
    {
        return clock.nanoTime() - sinceNanos >= holdNanos;
    }

    /**
     * A member warns: whether the node logs it in full.
     *
     * @return how many members warned at DEBUG only since the last warning logged in full (to be named in this one),
     *     or -1 if this one is logged at DEBUG only.
     */
    synchronized long admit()
    {
        final long now = clock.nanoTime();
        if (anyLogged && now - lastLoggedNanos < QUIET.toNanos())
        {
            unlogged++;
            return -1;
        }
        anyLogged = true;
        lastLoggedNanos = now;
        final long before = unlogged;
        unlogged = 0;
        return before;
    }
}

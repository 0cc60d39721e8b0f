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
 * A member logged at DEBUG only is named in full at a later turn (a member stuck for hours must be found by name in
 * the log, not only as a number), and a member named is named again every {@link #REMINDER} while it stays alone.
 * Thread-safe: shared by the servers of a node, on every loop.
 */
final class AloneWarnings
{
    /** How many of the longest election timeouts a member must have known no leader, alone, before it warns. */
    static final int ELECTION_TIMEOUTS_BEFORE_WARNING = 30;
    /** How long after a warning logged in full the node logs the others at DEBUG only. */
    static final Duration QUIET = Duration.ofMinutes(1);
    /** How long after a member was named at WARN it is named again if still alone: a stuck member keeps showing. */
    static final Duration REMINDER = Duration.ofHours(1);
    /** {@link #admit}: the member is logged at DEBUG only (its turn came too soon after another's). */
    static final long DEBUG_ONLY = -1;
    /** {@link #admit}: nothing to log for the member now. */
    static final long SILENT = -2;

    private final RuntimeClock clock;
    private final long holdNanos;
    /** When the last warning was logged in full, on {@link #clock}, if {@link #anyLogged}. */
    private long lastLoggedNanos;
    private boolean anyLogged;
    /** Members that warned at DEBUG only since the last warning logged in full. */
    private long unlogged;
    /** Warnings logged in full so far. */
    private long fullWarnings;

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
     * A member in the state warns: whether the node logs it in full now. One that had its turn refused is named in
     * full at a later turn (counted once meanwhile); one named is named again once {@link #REMINDER} passed.
     *
     * @param spell the member's spell alone.
     * @return how many other members warned at DEBUG only since the last warning logged in full (to be named in this
     *     one, which is logged in full), else {@link #DEBUG_ONLY} (logged at DEBUG: its turn is refused for the first
     *     time) or {@link #SILENT} (nothing to log: named less than {@link #REMINDER} ago, or told at DEBUG already).
     */
    synchronized long admit(final Spell spell)
    {
        final long now = clock.nanoTime();
        if (spell.named && now - spell.namedAtNanos < REMINDER.toNanos())
        {
            return SILENT;
        }
        if (anyLogged && now - lastLoggedNanos < QUIET.toNanos())
        {
            if (spell.counted)
            {
                return SILENT;
            }
            spell.counted = true;
            spell.countedIn = fullWarnings;
            unlogged++;
            return DEBUG_ONLY;
        }
        anyLogged = true;
        lastLoggedNanos = now;
        // Counted since the last warning in full, the member is among them: the others are what this one names.
        final long before = spell.counted && spell.countedIn == fullWarnings ? unlogged - 1 : unlogged;
        unlogged = 0;
        fullWarnings++;
        spell.reminder = spell.named;
        spell.named = true;
        spell.namedAtNanos = now;
        spell.counted = false;
        return before;
    }

    /**
     * One member's spell alone, as far as its warnings go: whether it was named at WARN, and when, and whether it was
     * counted among those logged at DEBUG only. A new one begins each time the member knows a leader or a new term.
     * Used on the member's loop only (where it calls {@link #admit}).
     */
    static final class Spell
    {
        private boolean named;
        private long namedAtNanos;
        private boolean counted;
        /** How many warnings in full the node had logged when the member was counted. */
        private long countedIn;
        private boolean reminder;

        /**
         * @return whether the last warning admitted in full named the member again (it was named before).
         */
        boolean reminder()
        {
            return reminder;
        }
    }
}

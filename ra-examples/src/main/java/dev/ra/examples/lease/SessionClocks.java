package dev.ra.examples.lease;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * When the lessor last heard from each session, on this node's clock, and whose TTL lapsed. Checked every period on
 * the lessor's thread. A check that runs much later than its period shows that this node could not listen meanwhile
 * (a long collection pause, SIGSTOP, its thread starved or blocked, the lessor's own leadership check slow): the
 * keep-alives clients sent then wait unread, so a stall of a quarter of a session's TTL or more (and more than
 * {@value #LATE_PERIODS} periods) does not count towards that TTL: the session's clock stands still for the stall
 * (all of the late check's wait but the one period it was due to wait), rather than every live session ending at once
 * on waking. A session nobody keeps alive ends once it went unheard for its TTL while the lessor listened, however
 * often such stalls come: restarting the TTL at each one instead kept a dead client's session alive for good when
 * they came more often than a TTL (every check, for a lessor whose leadership check took a quarter TTL). Not thread
 * safe.
 */
final class SessionClocks
{
    /** A check this many periods late was stalled: scheduling jitter on a busy machine stays well below. */
    static final int LATE_PERIODS = 3;

    private final long periodNanos;
    private final Map<Long, Clock> sessions = new LinkedHashMap<>();
    private long lastCheckNanos;

    /**
     * @param periodNanos how often {@link #lapsed} is called.
     * @param nowNanos    the current {@link System#nanoTime()}.
     */
    SessionClocks(final long periodNanos, final long nowNanos)
    {
        this.periodNanos = periodNanos;
        this.lastCheckNanos = nowNanos;
    }

    /** Forget every session; checks start again from now (a lessor starts, or stops). */
    void clear(final long nowNanos)
    {
        sessions.clear();
        lastCheckNanos = nowNanos;
    }

    /** Track a session, heard now, unless it is tracked already. */
    void track(final long sessionId, final long ttlMs, final long nowNanos)
    {
        sessions.putIfAbsent(sessionId, new Clock(ttlMs, nowNanos));
    }

    void untrack(final long sessionId)
    {
        sessions.remove(sessionId);
    }

    boolean tracks(final long sessionId)
    {
        return sessions.containsKey(sessionId);
    }

    /**
     * A keep-alive of a tracked session arrived.
     *
     * @return the session's TTL in milliseconds.
     */
    long heard(final long sessionId, final long nowNanos)
    {
        final Clock clock = sessions.get(sessionId);
        clock.lastHeardNanos = nowNanos;
        return clock.ttlMs;
    }

    /**
     * A check.
     *
     * @param nowNanos the current {@link System#nanoTime()}.
     * @return the sessions not heard from for longer than their TTL while this node listened (a stall of a quarter
     *     TTL or more not counted).
     */
    List<Long> lapsed(final long nowNanos)
    {
        final long gap = nowNanos - lastCheckNanos;
        lastCheckNanos = nowNanos;
        final long lateNanos = LATE_PERIODS * periodNanos;
        final List<Long> lapsed = new ArrayList<>();
        sessions.forEach((id, clock) ->
        {
            final long ttlNanos = TimeUnit.MILLISECONDS.toNanos(clock.ttlMs);
            // A stall of a quarter TTL or more stops the session's clock for its length; a session heard during it
            // (before this check) counts as heard now. A shorter one counts: with keep-alives every quarter TTL it
            // cannot make a live session look unheard for a whole TTL, and a scheduler often a few periods late
            // (a busy machine) would otherwise stop the clocks for good.
            if (gap > Math.max(lateNanos, ttlNanos / 4))
            {
                clock.lastHeardNanos += Math.min(gap - periodNanos, nowNanos - clock.lastHeardNanos);
            }
            if (nowNanos - clock.lastHeardNanos > ttlNanos)
            {
                lapsed.add(id);
            }
        });
        return lapsed;
    }

    /** When the lessor last heard from one session. */
    private static final class Clock
    {
        private final long ttlMs;
        private long lastHeardNanos;

        Clock(final long ttlMs, final long lastHeardNanos)
        {
            this.ttlMs = ttlMs;
            this.lastHeardNanos = lastHeardNanos;
        }
    }
}

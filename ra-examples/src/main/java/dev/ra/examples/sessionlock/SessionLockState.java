package dev.ra.examples.sessionlock;

import dev.ra.ProcessRef;
import dev.ra.examples.support.ClientSequences;
import dev.ra.examples.support.CursorTracked;
import dev.ra.examples.support.Persistent;
import dev.ra.examples.support.RememberedReplies;
import java.util.Map;
import java.util.Objects;

/**
 * The state of the {@link SessionLockMachine}: every lock that has a holder or waiters.
 *
 * @param locks       by key.
 * @param cursorIndex log index of the last release cursor (see {@link CursorTracked}).
 * @param graceMs     the grace period in force (machine version 3 on), set by the last
 *                    {@link SessionLockCommand.Configure}; until the first, the
 *                    {@link SessionLockMachine#DEFAULT_GRACE_PERIOD} in a new cluster, and
 *                    {@link #GRACE_OF_EACH_MEMBER} from the switch to version 3.
 * @param waiterDeadlines the deadline (leader time, ms) of each unreachable waiter cut off at version 3 or later, by
 *                        the name of its timer ({@link SessionLockMachine#waiterTimerName}): when the grace period
 *                        in force when it was cut off runs out. Waiters cut off before version 3 have none.
 * @param replies         to the last releases that carried a request id (machine version 4; none before).
 * @param sequences       of the clients' numbered calls (machine version 5; none before).
 */
public record SessionLockState(Map<String, SessionLockEntry> locks, long cursorIndex, long graceMs,
    Map<String, Long> waiterDeadlines, RememberedReplies replies, ClientSequences sequences)
    implements CursorTracked<SessionLockState>
{
    /**
     * The {@link #graceMs()} from the switch to version 3 until the leader's {@link SessionLockCommand.Configure}:
     * each member applies its own grace period, as it did at version 2, so that the entries already in the log
     * behind the switch are applied as before (a cluster whose members all ran with one grace period keeps it).
     */
    public static final long GRACE_OF_EACH_MEMBER = -1;
    /** No lock held or waited for, and the default grace period. */
    public static final SessionLockState EMPTY = new SessionLockState(Map.of(), 0);

    /** Checks that {@code locks} is not null and the grace period not negative (but for the switch's). */
    public SessionLockState
    {
        Objects.requireNonNull(locks, "locks");
        Objects.requireNonNull(waiterDeadlines, "waiterDeadlines");
        Objects.requireNonNull(replies, "replies");
        Objects.requireNonNull(sequences, "sequences");
        if (graceMs < 0 && GRACE_OF_EACH_MEMBER != graceMs)
        {
            throw new IllegalArgumentException("grace period must be >= 0 ms, got " + graceMs);
        }
    }

    /**
     * A state with no numbered calls, the shape of machine version 4.
     *
     * @param locks           by key.
     * @param cursorIndex     log index of the last release cursor.
     * @param graceMs         the grace period in force.
     * @param waiterDeadlines of the unreachable waiters, by timer name.
     * @param replies         to the last releases that carried a request id.
     */
    public SessionLockState(final Map<String, SessionLockEntry> locks, final long cursorIndex, final long graceMs,
        final Map<String, Long> waiterDeadlines, final RememberedReplies replies)
    {
        this(locks, cursorIndex, graceMs, waiterDeadlines, replies, ClientSequences.NONE);
    }

    /**
     * A state remembering no replies, the shape of machine version 3.
     *
     * @param locks           by key.
     * @param cursorIndex     log index of the last release cursor.
     * @param graceMs         the grace period in force.
     * @param waiterDeadlines of the unreachable waiters, by timer name.
     */
    public SessionLockState(final Map<String, SessionLockEntry> locks, final long cursorIndex, final long graceMs,
        final Map<String, Long> waiterDeadlines)
    {
        this(locks, cursorIndex, graceMs, waiterDeadlines, RememberedReplies.NONE);
    }

    /**
     * @return this state remembering one more reply.
     */
    SessionLockState answered(final String requestId, final boolean reply)
    {
        return new SessionLockState(locks, cursorIndex, graceMs, waiterDeadlines, replies.with(requestId, reply),
            sequences);
    }

    /**
     * A state with no unreachable waiter's deadline.
     *
     * @param locks       by key.
     * @param cursorIndex log index of the last release cursor.
     * @param graceMs     the grace period in force.
     */
    public SessionLockState(final Map<String, SessionLockEntry> locks, final long cursorIndex, final long graceMs)
    {
        this(locks, cursorIndex, graceMs, Map.of());
    }

    /**
     * A state with the default grace period, the shape of machine versions 0 to 2.
     *
     * @param locks       by key.
     * @param cursorIndex log index of the last release cursor.
     */
    public SessionLockState(final Map<String, SessionLockEntry> locks, final long cursorIndex)
    {
        this(locks, cursorIndex, SessionLockMachine.DEFAULT_GRACE_PERIOD.toMillis());
    }

    /**
     * @param key of the lock.
     * @return the lock, or {@code null} if nobody holds or waits for it.
     */
    public SessionLockEntry lock(final String key)
    {
        return locks.get(key);
    }

    /**
     * @param key of the lock.
     * @return its holder, or {@code null} if nobody holds it.
     */
    public ProcessRef holder(final String key)
    {
        final SessionLockEntry entry = locks.get(key);
        return null == entry ? null : entry.holder();
    }

    /**
     * @param process to look for.
     * @return true if the process holds or waits for any lock.
     */
    public boolean involves(final ProcessRef process)
    {
        for (final SessionLockEntry entry : locks.values())
        {
            if (entry.involves(process))
            {
                return true;
            }
        }
        return false;
    }

    SessionLockState with(final String key, final SessionLockEntry entry)
    {
        return new SessionLockState(null == entry ? Persistent.remove(locks, key) : Persistent.put(locks, key, entry),
            cursorIndex, graceMs, waiterDeadlines, replies, sequences);
    }

    /**
     * @param timer      of an unreachable waiter ({@link SessionLockMachine#waiterTimerName}).
     * @param deadlineMs when it leaves the line, in leader time.
     * @return a copy of this state with that deadline.
     */
    SessionLockState withWaiterDeadline(final String timer, final long deadlineMs)
    {
        return new SessionLockState(locks, cursorIndex, graceMs, Persistent.put(waiterDeadlines, timer, deadlineMs),
            replies, sequences);
    }

    /**
     * @param timer of a waiter that is reachable again or left the line.
     * @return a copy of this state without its deadline (this state if it had none).
     */
    SessionLockState withoutWaiterDeadline(final String timer)
    {
        final Map<String, Long> remaining = Persistent.remove(waiterDeadlines, timer);
        return remaining == waiterDeadlines ? this :
            new SessionLockState(locks, cursorIndex, graceMs, remaining, replies, sequences);
    }

    /**
     * @param next grace period in force from now on, in milliseconds.
     * @return a copy of this state with it.
     */
    SessionLockState withGraceMs(final long next)
    {
        return new SessionLockState(locks, cursorIndex, next, waiterDeadlines, replies, sequences);
    }

    @Override
    public SessionLockState withCursorIndex(final long index)
    {
        return new SessionLockState(locks, index, graceMs, waiterDeadlines, replies, sequences);
    }

    /**
     * @return this state with the clients' numbered calls replaced.
     */
    SessionLockState withSequences(final ClientSequences next)
    {
        return new SessionLockState(locks, cursorIndex, graceMs, waiterDeadlines, replies, next);
    }
}

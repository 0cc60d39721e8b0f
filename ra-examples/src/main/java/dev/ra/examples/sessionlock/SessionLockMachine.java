package dev.ra.examples.sessionlock;

import dev.ra.ApplyResult;
import dev.ra.BuiltinCommand;
import dev.ra.CommandMeta;
import dev.ra.DownReason;
import dev.ra.Effect;
import dev.ra.InitArgs;
import dev.ra.ProcessRef;
import dev.ra.RaftRole;
import dev.ra.StateMachine;
import dev.ra.codec.Codec;
import dev.ra.examples.lock.LockGranted;
import dev.ra.examples.lock.LockReply;
import dev.ra.examples.support.ClientSequences;
import dev.ra.examples.support.CommandNumber;
import dev.ra.examples.support.Persistent;
import dev.ra.examples.support.ReleaseCursorPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A lock whose holder survives short disconnections: when the holder's node becomes unreachable, it keeps the lock
 * for a grace period, and loses it only if the period ends before it shows up again. This is the ra-toolbox talk's
 * {@code session_lock}, i.e. Chubby's and Consul's lock-delay idea, without the Erlang original's bugs.
 *
 * <p><b>Semantics.</b> Everything the fencing-token lock ({@link dev.ra.examples.lock.LockMachine}) does, plus:
 * <ul>
 *   <li>{@code Down(NOCONNECTION)} of the holder records a {@link Disconnection} (leader time of that entry and the
 *       deadline {@code since + grace}), arms a {@link Effect.Timer} named {@link #timerName(String)} and monitors the
 *       holder's node. A second {@code Down(NOCONNECTION)} does not extend the deadline.</li>
 *   <li>The holder keeps the lock if, before the deadline, it re-acquires (an {@link SessionLockCommand.Acquire} by
 *       the holder means "I am still here"), or its node comes back ({@code NodeUp}; the holder is monitored again, so
 *       if it died meanwhile the lock passes on through {@code Down(NOPROC)}). Either way the timer is cancelled.
 *       A re-acquire also monitors the holder again; if the leader still cannot reach the holder's node (the holder
 *       got through another way), that monitor reports {@code NOCONNECTION} at once and a FRESH grace period
 *       starts. So a holder that re-acquires at least once per grace period keeps the lock however long the
 *       partition lasts: re-acquiring is a lease renewal, as a keep-alive is for etcd or ZooKeeper sessions. "Before
 *       the deadline" is in log time: a re-acquire or {@code NodeUp} whose entry's leader time is at or past the
 *       deadline finds the lock passed on (the re-acquire is queued, or given a NEW token), even if the timer's
 *       {@code Timeout} entry comes after it.</li>
 *   <li>When the timer fires ({@code Timeout}) and the leader time of that entry is past the deadline, the lock passes
 *       to the next waiter. A timer that fires early re-arms itself for the rest; one that fires for a holder who is
 *       no longer disconnected is ignored. Any other {@code Down} releases at once, as in the plain lock.</li>
 *   <li>Waiters are served FIFO (the original prepended them, serving LIFO). A waiter whose node is unreachable keeps
 *       its place but is skipped on hand-off, since it could not be told; it becomes eligible again when it sends an
 *       acquire or its node returns. So a lock may be free while only unreachable processes wait for it (the original
 *       lost the waiters in that case). Such a waiter keeps its place for the grace period only (version 2): the
 *       leader arms a timer named {@link #waiterTimerName(String, ProcessRef)} when it becomes unreachable (and every
 *       new leader arms it again, in full, as does the switch to version 2 for a waiter already unreachable), and
 *       if the waiter is still unreachable when the timer's {@code Timeout} is applied, it leaves the line, and a
 *       free lock that nobody else waits for is removed. From version 3 its deadline is in log time, as a holder's:
 *       the leader time of the entry that reported it unreachable plus the grace period in force then (a
 *       {@link SessionLockCommand.Configure} after it changes the deadline of neither); a timer that fires before
 *       it (a new leader's, armed in full with the grace period in force) re-arms itself for the rest, and a new
 *       leader's {@link SessionLockCommand.RearmTimers} re-arms it with the remainder. A waiter dropped so
 *       must acquire again once back. (Versions 0 and 1 kept unreachable waiters, and a free lock with only such
 *       waiters, for ever.)</li>
 *   <li>Every tenure carries a fencing token (log index of the granting entry), even though the original had none:
 *       a time-based lock can never be fully safe (the talk says so), and tokens cost nothing.</li>
 * </ul>
 *
 * <p><b>Timers across leader changes.</b> Timers live on the leader and die with it, and
 * {@link #stateEnter(RaftRole, SessionLockState)} has no clock reading that all members agree on. On becoming leader
 * the machine therefore (1) arms every disconnected holder's timer with the FULL grace period, a conservative fallback
 * that can only fire late, never early, because a timeout checks the stored deadline; and (2) appends
 * {@link SessionLockCommand.RearmTimers} to the log. When that entry is applied it carries the new leader's time, and
 * every timer is re-armed with its REMAINING time {@code deadline - meta.systemTimeMs} (holders already past their
 * deadline are released on the spot). The Erlang original re-armed with the elapsed time instead. Deadlines are
 * absolute leader wall-clock times, so a clock difference between the old and new leader shifts them by that
 * difference; Ra makes the same assumption with {@code system_time}.
 *
 * <p><b>The grace period</b> decides what entries do, so from version 3 it is in the replicated state
 * ({@link SessionLockState#graceMs()}) and changes only at a {@link SessionLockCommand.Configure} entry, the same on
 * every member: a member started, restarted or restored from a snapshot with another grace period than the rest
 * still agrees with them on who holds every lock. The grace period a machine is constructed with is what it
 * proposes: on becoming leader it appends a {@link SessionLockCommand.Configure} with it if it is not the one in force
 * (so after a rolling restart with a new grace period, it is in force once a restarted member leads; while members
 * run with different ones, each new leader puts its own in force). Until the first, the grace period is the
 * {@link #DEFAULT_GRACE_PERIOD}. Versions 0 to 2 applied the log with each member's own grace period, and members
 * with different ones parted: one could grant the lock of a cut-off holder to another process while the others kept
 * it with the holder. At the switch to version 3 the leader appends its {@link SessionLockCommand.Configure}, but
 * behind the entries already in the log; until it, each member goes on applying its own grace period
 * ({@link SessionLockState#GRACE_OF_EACH_MEMBER}), as at version 2, so that a cluster whose members all ran with one
 * grace period never applies an entry with another.
 */
public final class SessionLockMachine implements StateMachine<SessionLockCommand, SessionLockState>
{
    /** The grace period of the default constructor, as in the Erlang {@code session_lock}'s code. */
    public static final Duration DEFAULT_GRACE_PERIOD = Duration.ofSeconds(15);

    private static final String TIMER_PREFIX = "session-lock:";
    private static final String WAITER_TIMER_PREFIX = "session-lock-waiter:";

    /** The grace period this machine was constructed with: the one it proposes as leader (and applies before 3). */
    private final long graceMs;
    private final ReleaseCursorPolicy cursorPolicy;
    /**
     * Version 1 and later: a re-acquire or {@code NodeUp} at or past a disconnected holder's deadline finds the lock
     * passed on. Version 0 kept the lock until the timer's {@code Timeout} entry was applied; it stays so for a
     * cluster still running version 0 (members of an older build apply the same entries the old way).
     */
    private final boolean deadlineInLogTime;
    /**
     * Version 2 and later: a waiter whose node stays unreachable for the grace period leaves the line. Versions 0 and
     * 1 kept it for ever, and a free lock whose only waiters were such, with it.
     */
    private final boolean unreachableWaitersExpire;
    /** Version 3 and later: the grace period in force is in the state, not this machine's own. */
    private final boolean graceInState;
    /** Version 4 and later take the release carrying a request id, and remember its reply. */
    private final boolean answersOnce;
    /** Version 5 and later take the numbered commands. */
    private final boolean numbers;

    /**
     * A machine with the {@link #DEFAULT_GRACE_PERIOD} and the default release cursor policy.
     */
    public SessionLockMachine()
    {
        this(DEFAULT_GRACE_PERIOD, ReleaseCursorPolicy.defaults());
    }

    /**
     * A machine with its own grace period and snapshot cadence, both the same on every member.
     *
     * @param gracePeriod  a disconnected holder keeps the lock for; at least 0.
     * @param cursorPolicy deciding when to emit a release cursor.
     */
    public SessionLockMachine(final Duration gracePeriod, final ReleaseCursorPolicy cursorPolicy)
    {
        if (gracePeriod.isNegative())
        {
            throw new IllegalArgumentException("grace period must be >= 0, got " + gracePeriod);
        }
        this.graceMs = gracePeriod.toMillis();
        this.cursorPolicy = Objects.requireNonNull(cursorPolicy, "cursorPolicy");
        this.deadlineInLogTime = true;
        this.unreachableWaitersExpire = true;
        this.graceInState = true;
        this.answersOnce = true;
        this.numbers = true;
    }

    private SessionLockMachine(final long graceMs, final ReleaseCursorPolicy cursorPolicy, final int version)
    {
        this.graceMs = graceMs;
        this.cursorPolicy = cursorPolicy;
        this.deadlineInLogTime = version >= 1;
        this.unreachableWaitersExpire = version >= 2;
        this.graceInState = version >= 3;
        this.answersOnce = version >= 4;
        this.numbers = version >= 5;
    }

    /**
     * Version 1 holds the grace deadline in log time (see the class comment); version 0 did not. Version 2 drops a
     * waiter whose node stays unreachable for the grace period; versions 0 and 1 kept it for ever. Version 3 keeps
     * the grace period in the state, and each unreachable waiter's deadline in log time; versions 0 to 2 applied
     * each member's own grace period, and dropped a waiter whenever its timer fired. Version 4 takes
     * {@link SessionLockCommand.ReleaseOnce}, whose reply it remembers. Version 5 takes the numbered commands
     * ({@link ClientSequences}): a late attempt of a call its client has since finished takes nothing.
     */
    @Override
    public int version()
    {
        return 5;
    }

    @Override
    public StateMachine<SessionLockCommand, SessionLockState> machineFor(final int version)
    {
        if (version >= 5)
        {
            return this;
        }
        return new SessionLockMachine(graceMs, cursorPolicy, version);
    }

    /**
     * Versions 0 to 2 refuse {@link SessionLockCommand.Configure} before the log: the members of an older build
     * cannot decode it.
     */
    @Override
    @SuppressWarnings("unchecked")
    public Codec<SessionLockCommand> commandCodec()
    {
        if (numbers)
        {
            return (Codec<SessionLockCommand>)(Codec<?>)SessionLockCodec.DECLARED;
        }
        if (answersOnce)
        {
            return (Codec<SessionLockCommand>)(Codec<?>)OlderVersions.VERSION_FOUR_COMMANDS;
        }
        return (Codec<SessionLockCommand>)(Codec<?>)(graceInState ? OlderVersions.VERSION_THREE_COMMANDS :
            OlderVersions.COMMANDS);
    }

    /**
     * Versions 0 to 2 read and write their snapshots in their own shape, without the grace period.
     */
    @Override
    @SuppressWarnings("unchecked")
    public Codec<SessionLockState> stateCodec()
    {
        if (numbers)
        {
            return (Codec<SessionLockState>)(Codec<?>)SessionLockCodec.DECLARED;
        }
        if (answersOnce)
        {
            return OlderVersions.VERSION_FOUR_STATE;
        }
        return graceInState ? OlderVersions.VERSION_THREE_STATE : OlderVersions.STATE;
    }

    /**
     * @param requestId to remember the reply under, or null.
     */
    private Outcome release(final CommandMeta meta, final SessionLockState state, final String key,
        final ProcessRef owner, final String requestId, final List<Effect> effects)
    {
        final SessionLockEntry entry = state.lock(key);
        if (null == entry || !owner.equals(entry.holder()))
        {
            return new Outcome(null == requestId ? state : state.answered(requestId, false), false);
        }
        final SessionLockState released = state.with(key, handOff(meta, key, entry, effects));
        if (!released.involves(owner))
        {
            effects.add(new Effect.Demonitor(owner));
        }
        return new Outcome(null == requestId ? released : released.answered(requestId, true), true);
    }

    /**
     * What a command did to the state and answered; its effects go to the list it is given.
     */
    private record Outcome(SessionLockState state, Object reply)
    {
    }

    /**
     * The name of the grace timer of a lock.
     *
     * @param key of the lock.
     * @return the timer name.
     */
    public static String timerName(final String key)
    {
        return TIMER_PREFIX + key;
    }

    /**
     * The name of the timer that drops an unreachable waiter from the line of a lock (version 2).
     *
     * @param key    of the lock.
     * @param waiter waiting for it.
     * @return the timer name.
     */
    public static String waiterTimerName(final String key, final ProcessRef waiter)
    {
        return WAITER_TIMER_PREFIX + waiter + ":" + key;
    }

    /**
     * A command of any other type is refused before it is appended, with an {@link dev.ra.InvalidCommandException}
     * naming its type, instead of becoming an entry whose apply throws a {@code ClassCastException} on every member.
     */
    @Override
    public Class<SessionLockCommand> commandType()
    {
        return SessionLockCommand.class;
    }

    @Override
    public SessionLockState init(final InitArgs args)
    {
        return SessionLockState.EMPTY;
    }

    @Override
    public ApplyResult<SessionLockState> apply(
        final CommandMeta meta, final SessionLockCommand command, final SessionLockState state)
    {
        final List<Effect> effects = new ArrayList<>();
        if (command instanceof SessionLockCommand.NumberedAcquire acquire)
        {
            return inOrder(meta, state, acquire.owner(), acquire.number(),
                new SessionLockCommand.Acquire(acquire.key(), acquire.owner()), effects);
        }
        else if (command instanceof SessionLockCommand.NumberedRelease release)
        {
            return inOrder(meta, state, release.owner(), release.number(),
                new SessionLockCommand.Release(release.key(), release.owner()), effects);
        }
        else if (command instanceof SessionLockCommand.NumberedCancel cancel)
        {
            return inOrder(meta, state, cancel.owner(), cancel.number(),
                new SessionLockCommand.Cancel(cancel.key(), cancel.owner()), effects);
        }
        final Outcome outcome = plain(meta, command, state, effects);
        return cursorPolicy.result(meta, outcome.state(), outcome.reply(), effects);
    }

    /**
     * A numbered command: applied as its plain command if new, its reply remembered; otherwise its earlier reply, or
     * the stale refusal, with nothing applied.
     */
    private ApplyResult<SessionLockState> inOrder(final CommandMeta meta, final SessionLockState state,
        final ProcessRef owner, final CommandNumber number, final SessionLockCommand plain, final List<Effect> effects)
    {
        if (!numbers)
        {
            // Refused by the older versions' codecs before the log; kept out of apply all the same.
            return cursorPolicy.result(meta, state, false, effects);
        }
        final ClientSequences.Earlier earlier = state.sequences().earlier(owner, number);
        if (null != earlier)
        {
            return cursorPolicy.result(meta, state, earlier.reply(), effects);
        }
        final Outcome applied = plain(meta, plain, state, effects);
        return cursorPolicy.result(meta, applied.state().withSequences(applied.state().sequences().applied(owner,
            number, applied.reply(), meta.systemTimeMs())), applied.reply(), effects);
    }

    /**
     * The commands of the versions before 5, and the numbered ones once found new.
     */
    private Outcome plain(final CommandMeta meta, final SessionLockCommand command, final SessionLockState state,
        final List<Effect> effects)
    {
        if (command instanceof SessionLockCommand.Acquire acquire)
        {
            final Acquisition acquisition = acquire(meta, acquire, state, effects);
            // The caller is evidently reachable: if it was a waiter cut off, its deadline goes with its timer.
            return new Outcome(forgetWaiterDeadline(acquisition.state(), acquire.key(), acquire.owner()),
                acquisition.reply());
        }
        else if (command instanceof SessionLockCommand.Release release)
        {
            return release(meta, state, release.key(), release.owner(), null, effects);
        }
        else if (command instanceof SessionLockCommand.ReleaseOnce release)
        {
            final Boolean answered = answersOnce ? state.replies().of(release.requestId()) : Boolean.FALSE;
            // A retry whose first attempt was applied gets its reply again, and nothing is released twice; an older
            // version (whose codec keeps the command out of its log) changes nothing with it.
            return null != answered ? new Outcome(state, answered) :
                release(meta, state, release.key(), release.owner(), release.requestId(), effects);
        }
        else if (command instanceof SessionLockCommand.Cancel cancel)
        {
            final SessionLockEntry entry = state.lock(cancel.key());
            final int index = null == entry ? -1 : entry.waiterIndex(cancel.owner());
            if (index < 0)
            {
                return new Outcome(state, false);
            }
            final List<Waiter> waiters = Persistent.removeIf(entry.waiters(), w -> w.process().equals(cancel.owner()));
            final SessionLockState next = forgetWaiterDeadline(state.with(cancel.key(),
                null == entry.holder() && waiters.isEmpty() ? null :
                new SessionLockEntry(entry.holder(), entry.token(), entry.disconnection(), waiters)), cancel.key(),
                cancel.owner());
            if (!next.involves(cancel.owner()))
            {
                effects.add(new Effect.Demonitor(cancel.owner()));
            }
            return new Outcome(next, true);
        }
        else if (command instanceof SessionLockCommand.RearmTimers)
        {
            SessionLockState next = state;
            for (final Map.Entry<String, SessionLockEntry> e : state.locks().entrySet())
            {
                next = next.with(e.getKey(), checkDeadline(meta, e.getKey(), e.getValue(), effects));
            }
            // Unreachable waiters too: the timer a new leader armed with the grace period in force may be longer
            // than what is left of the one they were cut off with (or shorter, and re-armed when it fires).
            for (final Map.Entry<String, Long> waiter : next.waiterDeadlines().entrySet())
            {
                effects.add(new Effect.Timer(waiter.getKey(), Math.max(0, waiter.getValue() - meta.systemTimeMs())));
            }
            return new Outcome(next, null);
        }
        else if (command instanceof SessionLockCommand.Configure configure)
        {
            // Older versions' codecs keep this command out of their logs.
            return new Outcome(state.withGraceMs(configure.graceMs()), grace(state));
        }
        // Unreachable while the command type is sealed; SessionLockMachineTest checks every permitted type.
        throw new IllegalStateException("unhandled command " + command);
    }

    @Override
    public ApplyResult<SessionLockState> applyBuiltin(
        final CommandMeta meta, final BuiltinCommand command, final SessionLockState state)
    {
        final List<Effect> effects = new ArrayList<>();
        SessionLockState next = state;
        if (command instanceof BuiltinCommand.Down down && down.reason() == DownReason.NOCONNECTION)
        {
            final ProcessRef process = down.process();
            final Set<String> cutOffWaiters = new LinkedHashSet<>();
            for (final Map.Entry<String, SessionLockEntry> e : state.locks().entrySet())
            {
                next = next.with(e.getKey(), suspect(meta, state, e.getKey(), e.getValue(), process, effects,
                    cutOffWaiters));
            }
            if (graceInState)
            {
                // The grace period in force now is the waiter's, as a holder's: a Configure after this changes
                // neither, and a timer that fires earlier (a new leader's, armed in full) is re-armed for the rest.
                for (final String timer : cutOffWaiters)
                {
                    next = next.withWaiterDeadline(timer, deadlineAfter(meta, grace(state)));
                }
            }
            if (state.involves(process))
            {
                effects.add(new Effect.MonitorNode(process.node()));
            }
        }
        else if (command instanceof BuiltinCommand.Down down)
        {
            for (final Map.Entry<String, SessionLockEntry> e : state.locks().entrySet())
            {
                next = forgetWaiterDeadline(next.with(e.getKey(), forget(meta, e.getKey(), e.getValue(),
                    down.process(), effects)), e.getKey(), down.process());
            }
            // An owner that ended makes no more calls (one merely cut off, above, may: its numbers are kept).
            next = next.withSequences(next.sequences().forget(down.process()));
        }
        else if (command instanceof BuiltinCommand.NodeUp nodeUp)
        {
            final Set<ProcessRef> monitor = new LinkedHashSet<>();
            for (final Map.Entry<String, SessionLockEntry> e : state.locks().entrySet())
            {
                next = next.with(e.getKey(), reconnect(meta, e.getKey(), e.getValue(), nodeUp.node(), monitor,
                    effects));
                for (final Waiter waiter : e.getValue().waiters())
                {
                    if (!waiter.reachable() && waiter.process().node().equals(nodeUp.node()))
                    {
                        next = forgetWaiterDeadline(next, e.getKey(), waiter.process());
                    }
                }
            }
            for (final ProcessRef process : monitor)
            {
                effects.add(new Effect.Monitor(process));
            }
        }
        else if (command instanceof BuiltinCommand.MachineVersionChanged changed)
        {
            if (graceInState && changed.from() < 3)
            {
                // Each member applied the older versions with its own grace period, and goes on doing so until the
                // leader's Configure, appended here behind the entries already in the log: a cluster whose members
                // all ran with one grace period keeps it for those entries, instead of the default's.
                next = state.withGraceMs(SessionLockState.GRACE_OF_EACH_MEMBER);
            }
            // Waiters that became unreachable under version 0 or 1 have no timer, and the leader that armed none
            // stays: armed here, in full as a new leader arms them, or they would wait (and keep a free lock) until
            // the next change of leader.
            for (final Map.Entry<String, SessionLockEntry> e : state.locks().entrySet())
            {
                for (final Waiter waiter : e.getValue().waiters())
                {
                    if (unreachableWaitersExpire && changed.from() < 2 && !waiter.reachable())
                    {
                        effects.add(new Effect.Timer(waiterTimerName(e.getKey(), waiter.process()), grace(next)));
                    }
                }
            }
            if (graceInState && changed.from() < 3)
            {
                effects.add(new Effect.Append(new SessionLockCommand.Configure(graceMs)));
            }
        }
        else if (command instanceof BuiltinCommand.Timeout timeout && unreachableWaitersExpire &&
            timeout.name().startsWith(WAITER_TIMER_PREFIX))
        {
            final Long deadlineMs = state.waiterDeadlines().get(timeout.name());
            if (null != deadlineMs && meta.systemTimeMs() < deadlineMs)
            {
                // Fired before the waiter's deadline (a new leader armed the grace period in force, shorter than
                // the one it was cut off with): it waits for the rest.
                effects.add(new Effect.Timer(timeout.name(), deadlineMs - meta.systemTimeMs()));
                return cursorPolicy.result(meta, next, null, effects);
            }
            final Set<ProcessRef> dropped = new LinkedHashSet<>();
            for (final Map.Entry<String, SessionLockEntry> e : state.locks().entrySet())
            {
                next = next.with(e.getKey(), dropUnreachableWaiter(e.getKey(), e.getValue(), timeout.name(),
                    dropped));
            }
            next = next.withoutWaiterDeadline(timeout.name());
            for (final ProcessRef process : dropped)
            {
                if (!next.involves(process))
                {
                    effects.add(new Effect.Demonitor(process));
                }
            }
        }
        else if (command instanceof BuiltinCommand.Timeout timeout && timeout.name().startsWith(TIMER_PREFIX))
        {
            final String key = timeout.name().substring(TIMER_PREFIX.length());
            final SessionLockEntry entry = state.lock(key);
            if (null != entry)
            {
                next = next.with(key, checkDeadline(meta, key, entry, effects));
            }
        }
        // NodeDown changes nothing: the processes' own monitors report them.
        return cursorPolicy.result(meta, next, null, effects);
    }

    @Override
    public List<Effect> stateEnter(final RaftRole role, final SessionLockState state)
    {
        if (role != RaftRole.LEADER)
        {
            return List.of();
        }
        final Set<ProcessRef> watched = new LinkedHashSet<>();
        final Set<String> nodes = new LinkedHashSet<>();
        final List<Effect> timersAndGrants = new ArrayList<>();
        boolean anyDisconnected = false;
        for (final Map.Entry<String, SessionLockEntry> e : state.locks().entrySet())
        {
            final SessionLockEntry entry = e.getValue();
            if (null != entry.holder())
            {
                watched.add(entry.holder());
                timersAndGrants.add(new Effect.SendMsg(entry.holder(), new LockGranted(e.getKey(), entry.token())));
                if (null != entry.disconnection())
                {
                    anyDisconnected = true;
                    nodes.add(entry.holder().node());
                    // Full grace: never fires before the deadline; RearmTimers below replaces it with the remainder.
                    timersAndGrants.add(new Effect.Timer(timerName(e.getKey()), grace(state)));
                }
            }
            for (final Waiter waiter : entry.waiters())
            {
                watched.add(waiter.process());
                if (!waiter.reachable())
                {
                    nodes.add(waiter.process().node());
                    if (unreachableWaitersExpire)
                    {
                        // Full grace, since no member knows when it became unreachable: late, never early.
                        timersAndGrants.add(new Effect.Timer(waiterTimerName(e.getKey(), waiter.process()),
                            grace(state)));
                    }
                }
            }
        }
        final List<Effect> effects = new ArrayList<>();
        for (final ProcessRef process : watched)
        {
            effects.add(new Effect.Monitor(process));
        }
        for (final String node : nodes)
        {
            effects.add(new Effect.MonitorNode(node));
        }
        effects.addAll(timersAndGrants);
        if (anyDisconnected || !state.waiterDeadlines().isEmpty())
        {
            effects.add(new Effect.Append(new SessionLockCommand.RearmTimers()));
        }
        if (graceInState && graceMs != state.graceMs())
        {
            // This member's grace period is not in force: it puts it in force through the log, for every member at
            // the same entry, rather than apply the log with it.
            effects.add(new Effect.Append(new SessionLockCommand.Configure(graceMs)));
        }
        return effects;
    }

    @Override
    public Map<String, Object> overview(final SessionLockState state)
    {
        return Map.of("locks", state.locks().size(), "gracePeriodMs", grace(state));
    }

    /**
     * The grace period the entries are applied with: from version 3 the one in the state, the same on every member;
     * before, this member's own.
     */
    private long grace(final SessionLockState state)
    {
        return graceInState && SessionLockState.GRACE_OF_EACH_MEMBER != state.graceMs() ? state.graceMs() : graceMs;
    }

    private Acquisition acquire(
        final CommandMeta meta,
        final SessionLockCommand.Acquire acquire,
        final SessionLockState state,
        final List<Effect> effects)
    {
        final String key = acquire.key();
        final ProcessRef owner = acquire.owner();
        effects.add(new Effect.Monitor(owner));
        final SessionLockEntry entry = lostAtDeadline(meta, key, state.lock(key), effects);
        if (null == entry)
        {
            return new Acquisition(state.with(key, new SessionLockEntry(owner, meta.index(), null, List.of())),
                new LockReply.Acquired(meta.index()));
        }
        if (owner.equals(entry.holder()))
        {
            if (null != entry.disconnection())
            {
                // The holder is evidently reachable again: its grace period ends here, successfully.
                effects.add(new Effect.CancelTimer(timerName(key)));
            }
            return new Acquisition(state.with(key, new SessionLockEntry(owner, entry.token(), null, entry.waiters())),
                new LockReply.Acquired(entry.token()));
        }
        if (null == entry.holder())
        {
            // Free, and everyone in line is unreachable: the caller is not, so it goes first.
            final List<Waiter> rest = Persistent.removeIf(entry.waiters(), w -> w.process().equals(owner));
            return new Acquisition(state.with(key, new SessionLockEntry(owner, meta.index(), null, rest)),
                new LockReply.Acquired(meta.index()));
        }
        final int index = entry.waiterIndex(owner);
        if (unreachableWaitersExpire && index >= 0 && !entry.waiters().get(index).reachable())
        {
            effects.add(new Effect.CancelTimer(waiterTimerName(key, owner)));
        }
        // A waiter that asks again is evidently reachable, and keeps its place.
        final List<Waiter> waiters = index >= 0 ?
            Persistent.set(entry.waiters(), index, new Waiter(owner, true)) :
            Persistent.append(entry.waiters(), new Waiter(owner, true));
        final SessionLockEntry queued =
            new SessionLockEntry(entry.holder(), entry.token(), entry.disconnection(), waiters);
        return new Acquisition(state.with(key, queued),
            new LockReply.Queued(index >= 0 ? index + 1 : waiters.size()));
    }

    /**
     * The state and reply of an acquire.
     */
    private record Acquisition(SessionLockState state, LockReply reply)
    {
    }

    /**
     * The lock after {@code process}'s node became unreachable: a holder starts its grace period (once), a waiter
     * keeps its place but is marked unreachable.
     */
    private SessionLockEntry suspect(
        final CommandMeta meta,
        final SessionLockState state,
        final String key,
        final SessionLockEntry entry,
        final ProcessRef process,
        final List<Effect> effects,
        final Set<String> cutOffWaiters)
    {
        if (process.equals(entry.holder()))
        {
            if (null != entry.disconnection())
            {
                return entry;
            }
            final long grace = grace(state);
            effects.add(new Effect.Timer(timerName(key), grace));
            return new SessionLockEntry(entry.holder(), entry.token(),
                new Disconnection(meta.systemTimeMs(), deadlineAfter(meta, grace)), entry.waiters());
        }
        final int index = entry.waiterIndex(process);
        if (index < 0 || !entry.waiters().get(index).reachable())
        {
            return entry;
        }
        if (unreachableWaitersExpire)
        {
            effects.add(new Effect.Timer(waiterTimerName(key, process), grace(state)));
            cutOffWaiters.add(waiterTimerName(key, process));
        }
        return new SessionLockEntry(entry.holder(), entry.token(), entry.disconnection(),
            Persistent.set(entry.waiters(), index, new Waiter(process, false)));
    }

    /**
     * @return the leader time of this entry plus {@code grace}. From version 3 a client may configure any grace
     *         period: the longest must not overflow into a deadline in the past, which would hand the lock on (or drop
     *         the waiter) at the next entry.
     */
    private long deadlineAfter(final CommandMeta meta, final long grace)
    {
        return graceInState && meta.systemTimeMs() > Long.MAX_VALUE - grace ? Long.MAX_VALUE :
            meta.systemTimeMs() + grace;
    }

    /**
     * @return the state without the deadline of {@code process} as a waiter for {@code key}, which is reachable
     *         again or left the line.
     */
    private static SessionLockState forgetWaiterDeadline(final SessionLockState state, final String key,
        final ProcessRef process)
    {
        return state.waiterDeadlines().isEmpty() ? state : state.withoutWaiterDeadline(waiterTimerName(key, process));
    }

    /**
     * The lock after the timer of one of its waiters fired (version 2): that waiter leaves the line if its node is
     * still unreachable, and a free lock nobody else waits for goes.
     */
    private static SessionLockEntry dropUnreachableWaiter(final String key, final SessionLockEntry entry,
        final String timer, final Set<ProcessRef> dropped)
    {
        final List<Waiter> waiters = Persistent.removeIf(entry.waiters(),
            w -> !w.reachable() && waiterTimerName(key, w.process()).equals(timer));
        if (waiters == entry.waiters())
        {
            return entry;
        }
        entry.waiters().stream().filter(w -> !waiters.contains(w)).forEach(w -> dropped.add(w.process()));
        return null == entry.holder() && waiters.isEmpty() ? null :
            new SessionLockEntry(entry.holder(), entry.token(), entry.disconnection(), waiters);
    }

    /**
     * The lock after {@code process} ended: it loses the lock (passed on at once) and its place in line.
     */
    private static SessionLockEntry forget(
        final CommandMeta meta,
        final String key,
        final SessionLockEntry entry,
        final ProcessRef process,
        final List<Effect> effects)
    {
        final List<Waiter> waiters = Persistent.removeIf(entry.waiters(), w -> w.process().equals(process));
        if (process.equals(entry.holder()))
        {
            return handOff(meta, key, new SessionLockEntry(entry.holder(), entry.token(), entry.disconnection(),
                waiters), effects);
        }
        if (null == entry.holder() && waiters.isEmpty())
        {
            return null;
        }
        return waiters == entry.waiters() ? entry :
            new SessionLockEntry(entry.holder(), entry.token(), entry.disconnection(), waiters);
    }

    /**
     * The lock after {@code node} came back: its holder and waiters there are reachable again (and monitored again by
     * the caller, so a dead one is reported), and a free lock goes to the first reachable waiter.
     */
    private SessionLockEntry reconnect(
        final CommandMeta meta,
        final String key,
        final SessionLockEntry entry,
        final String node,
        final Set<ProcessRef> monitor,
        final List<Effect> effects)
    {
        final List<Waiter> waiters = new ArrayList<>(entry.waiters().size());
        for (final Waiter waiter : entry.waiters())
        {
            if (waiter.process().node().equals(node))
            {
                monitor.add(waiter.process());
                waiters.add(new Waiter(waiter.process(), true));
                if (unreachableWaitersExpire && !waiter.reachable())
                {
                    effects.add(new Effect.CancelTimer(waiterTimerName(key, waiter.process())));
                }
            }
            else
            {
                waiters.add(waiter);
            }
        }
        // The node's waiters are back in line first, so that a holder past its deadline passes the lock in order.
        final SessionLockEntry current = lostAtDeadline(meta, key,
            new SessionLockEntry(entry.holder(), entry.token(), entry.disconnection(), List.copyOf(waiters)), effects);
        if (null == current || null == current.holder())
        {
            return null == current ? null : grantNext(meta, key, current.waiters(), effects);
        }
        Disconnection disconnection = current.disconnection();
        if (current.holder().node().equals(node))
        {
            monitor.add(current.holder());
            if (null != disconnection)
            {
                disconnection = null;
                effects.add(new Effect.CancelTimer(timerName(key)));
            }
        }
        return new SessionLockEntry(current.holder(), current.token(), disconnection, current.waiters());
    }

    /**
     * The lock as of this entry's leader time: a disconnected holder whose deadline has passed has lost it, even if
     * the {@code Timeout} of its timer is not applied yet (it fires on the leader, and its entry may come later), so
     * neither its re-acquire nor its node's return can keep it any more.
     */
    private SessionLockEntry lostAtDeadline(
        final CommandMeta meta, final String key, final SessionLockEntry entry, final List<Effect> effects)
    {
        if (!deadlineInLogTime || null == entry || null == entry.disconnection() ||
            meta.systemTimeMs() < entry.disconnection().deadlineMs())
        {
            return entry;
        }
        return handOff(meta, key, entry, effects);
    }

    /**
     * Release a disconnected holder whose deadline has passed at this entry's leader time, or (re-)arm its timer for
     * the remaining time. Locks without a disconnected holder are returned unchanged.
     */
    private static SessionLockEntry checkDeadline(
        final CommandMeta meta, final String key, final SessionLockEntry entry, final List<Effect> effects)
    {
        final Disconnection disconnection = entry.disconnection();
        if (null == disconnection)
        {
            return entry;
        }
        final long remainingMs = disconnection.deadlineMs() - meta.systemTimeMs();
        if (remainingMs > 0)
        {
            effects.add(new Effect.Timer(timerName(key), remainingMs));
            return entry;
        }
        return handOff(meta, key, entry, effects);
    }

    /**
     * The lock after its holder lost it (release, death, or expiry): the next reachable waiter, if any.
     */
    private static SessionLockEntry handOff(
        final CommandMeta meta, final String key, final SessionLockEntry entry, final List<Effect> effects)
    {
        if (null != entry.disconnection())
        {
            effects.add(new Effect.CancelTimer(timerName(key)));
        }
        return grantNext(meta, key, entry.waiters(), effects);
    }

    /**
     * A free lock given to the first reachable waiter, with the token of this entry; a lock kept free for
     * unreachable waiters; or no lock at all ({@code null}) when nobody waits.
     */
    private static SessionLockEntry grantNext(
        final CommandMeta meta, final String key, final List<Waiter> waiters, final List<Effect> effects)
    {
        for (int i = 0; i < waiters.size(); i++)
        {
            final Waiter waiter = waiters.get(i);
            if (waiter.reachable())
            {
                final List<Waiter> rest = new ArrayList<>(waiters);
                rest.remove(i);
                effects.add(new Effect.SendMsg(waiter.process(), new LockGranted(key, meta.index())));
                return new SessionLockEntry(waiter.process(), meta.index(), null, List.copyOf(rest));
            }
        }
        return waiters.isEmpty() ? null : new SessionLockEntry(null, 0, null, waiters);
    }

    /**
     * Replies (remembered in the state too), messages and named query values are of the machine's declared types
     * ({@link SessionLockCodec}).
     */
    @Override
    public Codec<Object> replyCodec()
    {
        return SessionLockCodec.DECLARED;
    }

    @Override
    public Codec<Object> messageCodec()
    {
        return SessionLockCodec.DECLARED;
    }

    @Override
    public Codec<Object> queryCodec()
    {
        return SessionLockCodec.DECLARED;
    }
}

package dev.ra.examples.latch;

import dev.ra.ApplyResult;
import dev.ra.BuiltinCommand;
import dev.ra.CommandMeta;
import dev.ra.Effect;
import dev.ra.InitArgs;
import dev.ra.ProcessRef;
import dev.ra.RaftRole;
import dev.ra.StateMachine;
import dev.ra.codec.Codec;
import dev.ra.examples.support.Persistent;
import dev.ra.examples.support.ReleaseCursorPolicy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Named counting latches and cyclic barriers in one small machine.
 *
 * <p><b>Latches</b> follow Hazelcast CP's {@code ICountDownLatch}:
 * <ul>
 *   <li>{@link LatchCommand.TrySetCount} sets the count only when it is 0, and starts a new ROUND. A retried set-count
 *       (same request id) answers true again and changes nothing, instead of failing because its first attempt
 *       succeeded or starting one more round: the last {@value #SETTERS_KEPT} rounds remember the request id that
 *       started them.</li>
 *   <li>{@link LatchCommand.CountDown} names the round it means and carries a client-chosen request id: a count-down
 *       for an old round, or a retry of one that already counted (the reply was lost in a failover), changes
 *       nothing. So a latch never opens early because of retries.</li>
 *   <li>{@link LatchCommand.Await} answers at once when the count is 0; otherwise the waiter is monitored and gets
 *       {@link LatchOpened} when the count reaches 0. A waiter that goes down is forgotten.</li>
 * </ul>
 *
 * <p><b>Barriers</b> follow {@link java.util.concurrent.CyclicBarrier}:
 * <ul>
 *   <li>The first {@link LatchCommand.BarrierAwait} creates the barrier with its number of parties; later arrivals
 *       must name the same number. When the last party arrives the barrier trips: every waiting party gets
 *       {@link BarrierTripped} and the next generation starts.</li>
 *   <li>When a waiting party gives up ({@link LatchCommand.BarrierLeave}, a timed-out await) or its process goes
 *       {@code Down} for any reason (it died, or its node became unreachable), the barrier BREAKS: the others get
 *       {@link BarrierBroken}, and every await fails at once until {@link LatchCommand.BarrierReset}.</li>
 *   <li>Each await uses a fresh party process, and the last {@value #ENDED_GENERATIONS_KEPT} ended generations remember
 *       their parties, so a retried await gets the outcome of its first arrival instead of joining the next
 *       generation.</li>
 * </ul>
 *
 * <p>Messages are at least once and may be lost with a failed leader; the clients also poll the state through the
 * named queries {@link #LATCH} and {@link #BARRIER}, which work from any node. On becoming leader the machine monitors
 * every waiter again. {@code apply} never throws for a well-formed command.
 */
public final class LatchMachine implements StateMachine<LatchCommand, LatchState>
{
    /** Named query: the {@link Latch} of a name (argument: the name), or null. */
    public static final String LATCH = "latch";
    /** Named query: the {@link Barrier} of a name (argument: the name), or null. */
    public static final String BARRIER = "barrier";
    /** How many ended generations a barrier remembers for retries and late pollers. */
    public static final int ENDED_GENERATIONS_KEPT = 8;
    /** How many rounds a latch remembers the starting set-count of, for retries. */
    public static final int SETTERS_KEPT = 8;

    private final ReleaseCursorPolicy cursorPolicy;

    /**
     * A machine that offers a snapshot point every {@link ReleaseCursorPolicy#DEFAULT_INTERVAL} entries.
     */
    public LatchMachine()
    {
        this(ReleaseCursorPolicy.defaults());
    }

    /**
     * A machine with its own snapshot cadence (the same on every member).
     *
     * @param cursorPolicy deciding when to emit a release cursor.
     */
    public LatchMachine(final ReleaseCursorPolicy cursorPolicy)
    {
        this.cursorPolicy = Objects.requireNonNull(cursorPolicy, "cursorPolicy");
    }

    /**
     * A command of any other type is refused before it is appended, with an {@link dev.ra.InvalidCommandException}
     * naming its type, instead of becoming an entry whose apply throws a {@code ClassCastException} on every member.
     */
    @Override
    public Class<LatchCommand> commandType()
    {
        return LatchCommand.class;
    }

    @Override
    public LatchState init(final InitArgs args)
    {
        return LatchState.EMPTY;
    }

    @Override
    public ApplyResult<LatchState> apply(final CommandMeta meta, final LatchCommand command, final LatchState state)
    {
        final List<Effect> effects = new ArrayList<>();
        final Set<ProcessRef> released = new LinkedHashSet<>();
        final Step step;
        if (command instanceof LatchCommand.TrySetCount set)
        {
            step = trySetCount(set, state);
        }
        else if (command instanceof LatchCommand.CountDown down)
        {
            step = countDown(down, state, effects, released);
        }
        else if (command instanceof LatchCommand.Await await)
        {
            step = await(await, state, effects);
        }
        else if (command instanceof LatchCommand.CancelAwait cancel)
        {
            final Latch latch = state.latch(cancel.name());
            if (null == latch || !latch.waiters().contains(cancel.waiter()))
            {
                step = new Step(state, false);
            }
            else
            {
                released.add(cancel.waiter());
                step = new Step(state.withLatch(cancel.name(), withWaiters(latch,
                    Persistent.removeIf(latch.waiters(), cancel.waiter()::equals))), true);
            }
        }
        else if (command instanceof LatchCommand.BarrierAwait await)
        {
            step = barrierAwait(await, state, effects, released);
        }
        else if (command instanceof LatchCommand.BarrierLeave leave)
        {
            step = barrierLeave(leave, state, effects, released);
        }
        else if (command instanceof LatchCommand.BarrierReset reset)
        {
            step = barrierReset(reset, state, effects, released);
        }
        else
        {
            // Unreachable while LatchCommand is sealed to the records above; LatchMachineTest checks every type.
            throw new IllegalStateException("unhandled command " + command);
        }
        demonitorReleased(step.state(), released, effects);
        return cursorPolicy.result(meta, step.state(), step.reply(), effects);
    }

    @Override
    public ApplyResult<LatchState> applyBuiltin(
        final CommandMeta meta, final BuiltinCommand command, final LatchState state)
    {
        if (!(command instanceof BuiltinCommand.Down down))
        {
            // This machine monitors no nodes and sets no timers.
            return cursorPolicy.result(meta, state, null, List.of());
        }
        final ProcessRef gone = down.process();
        final List<Effect> effects = new ArrayList<>();
        final Set<ProcessRef> released = new LinkedHashSet<>();
        LatchState next = state;
        for (final Map.Entry<String, Latch> e : state.latches().entrySet())
        {
            if (e.getValue().waiters().contains(gone))
            {
                next = next.withLatch(e.getKey(),
                    withWaiters(e.getValue(), Persistent.removeIf(e.getValue().waiters(), gone::equals)));
            }
        }
        for (final Map.Entry<String, Barrier> e : state.barriers().entrySet())
        {
            final Barrier barrier = e.getValue();
            if (!barrier.broken() && barrier.waiting().contains(gone))
            {
                next = next.withBarrier(e.getKey(), breakBarrier(e.getKey(), barrier, gone, effects, released));
            }
        }
        released.remove(gone);
        demonitorReleased(next, released, effects);
        return cursorPolicy.result(meta, next, null, effects);
    }

    @Override
    public List<Effect> stateEnter(final RaftRole role, final LatchState state)
    {
        if (role != RaftRole.LEADER)
        {
            return List.of();
        }
        final Set<ProcessRef> watched = new LinkedHashSet<>();
        state.latches().values().forEach(latch -> watched.addAll(latch.waiters()));
        for (final Barrier barrier : state.barriers().values())
        {
            if (!barrier.broken())
            {
                watched.addAll(barrier.waiting());
            }
        }
        final List<Effect> effects = new ArrayList<>(watched.size());
        for (final ProcessRef process : watched)
        {
            effects.add(new Effect.Monitor(process));
        }
        return effects;
    }

    /**
     * The named queries {@link #LATCH} and {@link #BARRIER}, which work from any node.
     */
    @Override
    public Object query(final String name, final Object argument, final LatchState state)
    {
        if (!(argument instanceof String key))
        {
            throw new IllegalArgumentException("LatchMachine query '" + name + "' takes a name (a string), got " +
                argument);
        }
        switch (name)
        {
            case LATCH:
                return state.latch(key);
            case BARRIER:
                return state.barrier(key);
            default:
                throw new IllegalArgumentException("LatchMachine declares the queries '" + LATCH + "' and '" +
                    BARRIER + "', not '" + name + "'");
        }
    }

    @Override
    public Map<String, Object> overview(final LatchState state)
    {
        return Map.of("latches", state.latches().size(), "barriers", state.barriers().size());
    }

    private static Step trySetCount(final LatchCommand.TrySetCount set, final LatchState state)
    {
        final Latch latch = latchOrNew(state, set.name());
        // Not only the current round's: other clients' rounds may have started and ended before a retry arrives.
        if (latch.setters().contains(set.requestId()))
        {
            return new Step(state, true);
        }
        if (!latch.isOpen())
        {
            return new Step(state, false);
        }
        // Waiters of an open latch were already told and removed, so the list carried over is empty in practice.
        final Latch next = new Latch(set.count(), latch.round() + 1,
            keepLast(latch.setters(), set.requestId(), SETTERS_KEPT), Set.of(), latch.waiters());
        return new Step(state.withLatch(set.name(), next), true);
    }

    private static Step countDown(final LatchCommand.CountDown down, final LatchState state,
        final List<Effect> effects, final Set<ProcessRef> released)
    {
        final Latch latch = state.latch(down.name());
        if (null == latch)
        {
            return new Step(state, 0L);
        }
        if (latch.round() != down.expectedRound() || latch.isOpen() ||
            latch.countedDown().contains(down.requestId()))
        {
            return new Step(state, latch.count());
        }
        final long remaining = latch.count() - 1;
        final Set<String> counted = new LinkedHashSet<>(latch.countedDown());
        counted.add(down.requestId());
        List<ProcessRef> waiters = latch.waiters();
        if (0 == remaining)
        {
            for (final ProcessRef waiter : waiters)
            {
                effects.add(new Effect.SendMsg(waiter, new LatchOpened(down.name(), latch.round())));
                released.add(waiter);
            }
            waiters = List.of();
        }
        final Latch next = new Latch(remaining, latch.round(), latch.setters(), Collections.unmodifiableSet(counted),
            waiters);
        return new Step(state.withLatch(down.name(), next), remaining);
    }

    private static Step await(final LatchCommand.Await await, final LatchState state, final List<Effect> effects)
    {
        final Latch latch = latchOrNew(state, await.name());
        if (latch.isOpen())
        {
            return new Step(state, new LatchReply.Opened(latch.round()));
        }
        effects.add(new Effect.Monitor(await.waiter()));
        final LatchReply reply = new LatchReply.Waiting(latch.round(), latch.count());
        if (latch.waiters().contains(await.waiter()))
        {
            return new Step(state, reply);
        }
        return new Step(state.withLatch(await.name(),
            withWaiters(latch, Persistent.append(latch.waiters(), await.waiter()))), reply);
    }

    private static Step barrierAwait(final LatchCommand.BarrierAwait await, final LatchState state,
        final List<Effect> effects, final Set<ProcessRef> released)
    {
        final String name = await.name();
        final Barrier existing = state.barrier(name);
        final Barrier barrier = null == existing ?
            new Barrier(await.parties(), 1, false, List.of(), List.of()) : existing;
        if (barrier.parties() != await.parties())
        {
            return new Step(state, new BarrierReply.Rejected("barrier '" + name + "' has " + barrier.parties() +
                " parties, not " + await.parties()));
        }
        final EndedGeneration ended = barrier.endedWith(await.party());
        if (null != ended)
        {
            return new Step(state, barrier.outcomeOf(ended.generation()));
        }
        if (barrier.broken())
        {
            return new Step(state, new BarrierReply.Broken(barrier.generation()));
        }
        if (barrier.waiting().contains(await.party()))
        {
            effects.add(new Effect.Monitor(await.party()));
            return new Step(state, new BarrierReply.Waiting(barrier.generation(), barrier.waiting().size()));
        }
        final List<ProcessRef> waiting = Persistent.append(barrier.waiting(), await.party());
        if (waiting.size() < barrier.parties())
        {
            effects.add(new Effect.Monitor(await.party()));
            return new Step(state.withBarrier(name, new Barrier(barrier.parties(), barrier.generation(), false,
                waiting, barrier.recent())), new BarrierReply.Waiting(barrier.generation(), waiting.size()));
        }
        for (final ProcessRef party : waiting)
        {
            effects.add(new Effect.SendMsg(party, new BarrierTripped(name, barrier.generation())));
            released.add(party);
        }
        final Barrier next = new Barrier(barrier.parties(), barrier.generation() + 1, false, List.of(),
            remember(barrier.recent(), new EndedGeneration(barrier.generation(), true, waiting, "")));
        return new Step(state.withBarrier(name, next), new BarrierReply.Tripped(barrier.generation()));
    }

    private static Step barrierLeave(final LatchCommand.BarrierLeave leave, final LatchState state,
        final List<Effect> effects, final Set<ProcessRef> released)
    {
        final Barrier barrier = state.barrier(leave.name());
        if (null == barrier)
        {
            return new Step(state, notWaiting(leave));
        }
        final EndedGeneration ended = barrier.endedWith(leave.party());
        if (null != ended)
        {
            return new Step(state, barrier.outcomeOf(ended.generation()));
        }
        if (!barrier.waiting().contains(leave.party()))
        {
            return new Step(state, notWaiting(leave));
        }
        if (barrier.broken())
        {
            return new Step(state, new BarrierReply.Broken(barrier.generation()));
        }
        released.add(leave.party());
        final Barrier broken = breakBarrier(leave.name(), barrier, leave.party(), effects, released);
        return new Step(state.withBarrier(leave.name(), broken), new BarrierReply.Broken(barrier.generation()));
    }

    private static Step barrierReset(final LatchCommand.BarrierReset reset, final LatchState state,
        final List<Effect> effects, final Set<ProcessRef> released)
    {
        final Barrier barrier = state.barrier(reset.name());
        if (null == barrier)
        {
            return new Step(state, 0L);
        }
        for (final EndedGeneration ended : barrier.recent())
        {
            if (ended.resetBy().equals(reset.requestId()))
            {
                // A retry whose first attempt went through: the generation it started may already have parties.
                return new Step(state, ended.generation() + 1);
            }
        }
        if (!barrier.broken())
        {
            for (final ProcessRef party : barrier.waiting())
            {
                effects.add(new Effect.SendMsg(party, new BarrierBroken(reset.name(), barrier.generation())));
                released.add(party);
            }
        }
        final long generation = barrier.generation() + 1;
        final Barrier next = new Barrier(barrier.parties(), generation, false, List.of(),
            remember(barrier.recent(), new EndedGeneration(barrier.generation(), false, barrier.waiting(),
                reset.requestId())));
        return new Step(state.withBarrier(reset.name(), next), generation);
    }

    /**
     * The barrier broken because {@code cause} left or went down: every other waiting party is told. The waiting list
     * is kept, so those parties' retries still answer "broken".
     */
    private static Barrier breakBarrier(final String name, final Barrier barrier, final ProcessRef cause,
        final List<Effect> effects, final Set<ProcessRef> released)
    {
        for (final ProcessRef party : barrier.waiting())
        {
            if (!party.equals(cause))
            {
                effects.add(new Effect.SendMsg(party, new BarrierBroken(name, barrier.generation())));
            }
            released.add(party);
        }
        return new Barrier(barrier.parties(), barrier.generation(), true, barrier.waiting(), barrier.recent());
    }

    private static BarrierReply notWaiting(final LatchCommand.BarrierLeave leave)
    {
        return new BarrierReply.Rejected(leave.party() + " does not wait at barrier '" + leave.name() + "'");
    }

    private static List<EndedGeneration> remember(final List<EndedGeneration> recent, final EndedGeneration ended)
    {
        return keepLast(recent, ended, ENDED_GENERATIONS_KEPT);
    }

    private static <T> List<T> keepLast(final List<T> list, final T item, final int kept)
    {
        final List<T> longer = Persistent.append(list, item);
        return longer.size() <= kept ? longer : List.copyOf(longer.subList(longer.size() - kept, longer.size()));
    }

    private static Latch latchOrNew(final LatchState state, final String name)
    {
        final Latch latch = state.latch(name);
        return null == latch ? Latch.NEW : latch;
    }

    private static Latch withWaiters(final Latch latch, final List<ProcessRef> waiters)
    {
        return new Latch(latch.count(), latch.round(), latch.setters(), latch.countedDown(), waiters);
    }

    /**
     * Stop watching processes that no longer wait for anything; a process still waiting elsewhere stays monitored.
     */
    private static void demonitorReleased(final LatchState next, final Set<ProcessRef> released,
        final List<Effect> effects)
    {
        for (final ProcessRef process : released)
        {
            if (!next.watches(process))
            {
                effects.add(new Effect.Demonitor(process));
            }
        }
    }

    /**
     * The state and reply of one command.
     */
    private record Step(LatchState state, Object reply)
    {
    }

    @Override
    @SuppressWarnings("unchecked")
    public Codec<LatchCommand> commandCodec()
    {
        return (Codec<LatchCommand>)(Codec<?>)LatchCodec.DECLARED;
    }

    @Override
    @SuppressWarnings("unchecked")
    public Codec<LatchState> stateCodec()
    {
        return (Codec<LatchState>)(Codec<?>)LatchCodec.DECLARED;
    }

    /**
     * Replies (remembered in the state too), messages and named query values are of the machine's declared types
     * ({@link LatchCodec}).
     */
    @Override
    public Codec<Object> replyCodec()
    {
        return LatchCodec.DECLARED;
    }

    @Override
    public Codec<Object> messageCodec()
    {
        return LatchCodec.DECLARED;
    }

    @Override
    public Codec<Object> queryCodec()
    {
        return LatchCodec.DECLARED;
    }
}

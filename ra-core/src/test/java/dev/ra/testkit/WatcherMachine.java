package dev.ra.testkit;

import dev.ra.ApplyResult;
import dev.ra.BuiltinCommand;
import dev.ra.CommandMeta;
import dev.ra.Effect;
import dev.ra.InitArgs;
import dev.ra.ProcessRef;
import dev.ra.RaftRole;
import dev.ra.StateMachine;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A machine that exercises effects: it monitors processes, arms timers, sends messages, and records in its state the
 * {@link BuiltinCommand}s it sees. On entering LEADER it re-issues its monitors and timers, as Ra machines must, and
 * tells its observer process (a leader-only {@link Effect.SendMsg}, so only leaders' messages arrive).
 */
public final class WatcherMachine implements StateMachine<Object, WatcherMachine.State>
{
    /**
     * The machine's state.
     *
     * @param watched  processes being monitored.
     * @param timers   armed timers: name to delay in ms.
     * @param events   builtin commands seen, as text, in log order.
     * @param observer process told of role changes and events, or null.
     */
    public record State(Set<ProcessRef> watched, Map<String, Long> timers, List<String> events, ProcessRef observer)
    {
    }

    /**
     * Monitor a process.
     *
     * @param process to monitor.
     */
    public record Watch(ProcessRef process)
    {
    }

    /**
     * Arm a timer.
     *
     * @param name    of the timer.
     * @param delayMs until it fires.
     */
    public record Arm(String name, long delayMs)
    {
    }

    /**
     * Send a message to a process.
     *
     * @param to      the process.
     * @param message to send.
     */
    public record Tell(ProcessRef to, String message)
    {
    }

    /**
     * Set the observer process.
     *
     * @param observer to tell of role changes and events.
     */
    public record Observe(ProcessRef observer)
    {
    }

    /**
     * Monitor a node.
     *
     * @param node to monitor.
     */
    public record WatchNode(String node)
    {
    }

    @Override
    public State init(final InitArgs args)
    {
        return new State(Set.of(), Map.of(), List.of(), null);
    }

    @Override
    public ApplyResult<State> apply(final CommandMeta meta, final Object command, final State state)
    {
        if (command instanceof Watch watch)
        {
            final Set<ProcessRef> watched = new LinkedHashSet<>(state.watched());
            watched.add(watch.process());
            return ApplyResult.of(new State(watched, state.timers(), state.events(), state.observer()), "ok",
                new Effect.Monitor(watch.process()));
        }
        if (command instanceof Arm arm)
        {
            final Map<String, Long> timers = new LinkedHashMap<>(state.timers());
            timers.put(arm.name(), arm.delayMs());
            return ApplyResult.of(new State(state.watched(), timers, state.events(), state.observer()), "ok",
                new Effect.Timer(arm.name(), arm.delayMs()));
        }
        if (command instanceof Tell tell)
        {
            return ApplyResult.of(state, "ok", new Effect.SendMsg(tell.to(), tell.message()));
        }
        if (command instanceof Observe observe)
        {
            return ApplyResult.of(new State(state.watched(), state.timers(), state.events(), observe.observer()),
                "ok");
        }
        if (command instanceof WatchNode watchNode)
        {
            return ApplyResult.of(state, "ok", new Effect.MonitorNode(watchNode.node()));
        }
        throw new IllegalArgumentException("unknown command " + command);
    }

    @Override
    public ApplyResult<State> applyBuiltin(final CommandMeta meta, final BuiltinCommand command, final State state)
    {
        final List<String> events = new ArrayList<>(state.events());
        Set<ProcessRef> watched = state.watched();
        Map<String, Long> timers = state.timers();
        final String event;
        if (command instanceof BuiltinCommand.Down down)
        {
            event = "down " + down.process() + " " + down.reason();
            watched = new LinkedHashSet<>(watched);
            watched.remove(down.process());
        }
        else if (command instanceof BuiltinCommand.Timeout timeout)
        {
            event = "timeout " + timeout.name();
            timers = new LinkedHashMap<>(timers);
            timers.remove(timeout.name());
        }
        else if (command instanceof BuiltinCommand.NodeUp up)
        {
            event = "nodeup " + up.node();
        }
        else if (command instanceof BuiltinCommand.NodeDown down)
        {
            event = "nodedown " + down.node();
        }
        else
        {
            event = String.valueOf(command);
        }
        events.add(event);
        final State next = new State(watched, timers, events, state.observer());
        return null == state.observer() ? ApplyResult.of(next) :
            ApplyResult.of(next, null, new Effect.SendMsg(state.observer(), event));
    }

    @Override
    public List<Effect> stateEnter(final RaftRole role, final State state)
    {
        final List<Effect> effects = new ArrayList<>();
        if (role == RaftRole.LEADER)
        {
            for (final ProcessRef process : state.watched())
            {
                effects.add(new Effect.Monitor(process));
            }
            for (final Map.Entry<String, Long> timer : state.timers().entrySet())
            {
                effects.add(new Effect.Timer(timer.getKey(), timer.getValue()));
            }
        }
        if (null != state.observer())
        {
            // Leader-only: followers drop it, so the observer hears only of leaders.
            effects.add(new Effect.SendMsg(state.observer(), "enter " + role));
        }
        return effects;
    }
}

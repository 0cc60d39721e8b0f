package dev.ra.runtime;

import dev.ra.ApplyFailureMode;
import dev.ra.BuiltinCommand;
import dev.ra.Effect;
import dev.ra.ProcessRef;
import dev.ra.ServerId;
import dev.ra.StateMachine;
import dev.ra.core.MachineFailure;
import dev.ra.core.RaftEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out the effects a server's machine returns (docs/RUNTIME.md, "Effects") and keeps what they leave behind:
 * the processes and nodes the machine monitors and its named timers, all dropped when the server stops leading.
 * Confined to the server's event loop.
 *
 * <p>An effect that cannot be carried out (a message the machine's codec cannot encode, a handler that throws) is the
 * machine's problem, not the member's: it is logged and counted, and the member carries on (unless the node runs with
 * {@link ApplyFailureMode#STOP_SERVER}, when it is rethrown and stops the server).
 */
final class MachineEffects
{
    private static final Logger LOG = LoggerFactory.getLogger(MachineEffects.class);

    private final ServerId id;
    private final MessageRouter router;
    private final EventLoop loop;
    private final ServerEnvironment environment;
    private final Consumer<RaftEvent> enqueue;
    private final Map<String, LoopTimer> machineTimers = new HashMap<>();
    private final Set<ProcessRef> monitoredProcesses = new HashSet<>();
    private final Set<String> monitoredNodes = new HashSet<>();
    /** Effects that threw when run; written on the loop thread, read by overviews. */
    private volatile long failures;

    /**
     * @param id          of the server.
     * @param loop        its event loop (for timers).
     * @param environment of its node.
     * @param enqueue     puts an event in the server's mailbox.
     */
    MachineEffects(final ServerId id, final EventLoop loop, final ServerEnvironment environment,
        final Consumer<RaftEvent> enqueue)
    {
        this.id = id;
        this.router = environment.router();
        this.loop = loop;
        this.environment = environment;
        this.enqueue = enqueue;
    }

    /**
     * @return how many effects failed to run.
     */
    long failures()
    {
        return failures;
    }

    /**
     * The machine threw in a callback; the core contained it.
     */
    void logFailure(final MachineFailure f)
    {
        if ("apply".equals(f.callback()))
        {
            // The command's outcome, reported to its caller and counted (apply_failures): not the member's
            // problem, and logged by every member alike.
            LOG.debug("{}: the machine's apply threw at index {}: {}: {}", id, f.index(), f.exceptionClass(),
                f.message());
        }
        else
        {
            LOG.warn("{}: the machine's {} threw at index {}: {}: {}; the member carries on", id, f.callback(),
                f.index(), f.exceptionClass(), f.message());
        }
    }

    /**
     * Run an effect, containing its failure.
     *
     * @param machine the machine of the version whose logic returned the effect: a message to another node is encoded
     *                with its message codec, which the builds of that version read (not necessarily this build's
     *                newest during a rolling upgrade).
     */
    void run(final Effect effect, final StateMachine<Object, Object> machine)
    {
        try
        {
            runEffect(effect, machine);
        }
        catch (final RuntimeException | Error ex)
        {
            // An Error too (a codec that fails an assertion): the effect failed, not the server, unless the JVM did.
            if (environment.applyFailureMode() == ApplyFailureMode.STOP_SERVER || !ContainedFailures.contained(ex))
            {
                throw ex;
            }
            failures++;
            LOG.warn("{}: the effect {} failed: {}", id, effect.getClass().getSimpleName(), ex.toString());
        }
    }

    private void runEffect(final Effect effect, final StateMachine<Object, Object> machine)
    {
        if (effect instanceof Effect.SendMsg send)
        {
            router.sendToProcess(send.to(), send.message(), id, machine);
        }
        else if (effect instanceof Effect.Monitor monitor)
        {
            if (monitoredProcesses.add(monitor.process()))
            {
                router.monitorProcess(monitor.process(), id);
            }
        }
        else if (effect instanceof Effect.Demonitor demonitor)
        {
            if (monitoredProcesses.remove(demonitor.process()))
            {
                router.demonitorProcess(demonitor.process(), id);
            }
        }
        else if (effect instanceof Effect.MonitorNode monitorNode)
        {
            if (monitoredNodes.add(monitorNode.node()))
            {
                // A new node monitor reports the node's state at once, up or down, as Ra's monitors do: a machine
                // that marked a process unreachable (Down NOCONNECTION) and watches its node learns it is reachable
                // again even when the node came back before the watch was set, and a new leader learns which nodes
                // it reaches that its predecessor did not. Watching a node already watched reports nothing new.
                final String node = monitorNode.node();
                enqueue.accept(new RaftEvent.BuiltinTriggered(router.isNodeUp(node) ? new BuiltinCommand.NodeUp(node) :
                    new BuiltinCommand.NodeDown(node)));
            }
        }
        else if (effect instanceof Effect.DemonitorNode demonitorNode)
        {
            monitoredNodes.remove(demonitorNode.node());
        }
        else if (effect instanceof Effect.Timer timer)
        {
            startTimer(timer.name(), timer.delayMs());
        }
        else if (effect instanceof Effect.CancelTimer cancel)
        {
            final LoopTimer t = machineTimers.remove(cancel.name());
            if (null != t)
            {
                t.cancel();
            }
        }
        else if (effect instanceof Effect.ModCall modCall)
        {
            modCall(modCall.handler(), modCall.argument());
        }
        else if (effect instanceof Effect.ReleaseCursor || effect instanceof Effect.Append)
        {
            // The core turns these into log actions; reaching the shell means the core let one through.
            LOG.debug("{}: ignoring effect handled by the core: {}", id, effect);
        }
        else
        {
            throw new IllegalStateException("unhandled effect " + effect);
        }
    }

    private void startTimer(final String name, final long delayMs)
    {
        final LoopTimer previous = machineTimers.remove(name);
        if (null != previous)
        {
            previous.cancel();
        }
        final LoopTimer[] holder = new LoopTimer[1];
        holder[0] = loop.schedule(LoopTimer.delayNanos(delayMs), () ->
        {
            if (machineTimers.get(name) == holder[0])
            {
                machineTimers.remove(name);
                enqueue.accept(new RaftEvent.BuiltinTriggered(new BuiltinCommand.Timeout(name)));
            }
        });
        machineTimers.put(name, holder[0]);
    }

    private void modCall(final String handler, final Object argument)
    {
        final Consumer<Object> h = environment.modCallHandlers().get(handler);
        // Both failures are counted like any effect's, but neither stops the server, whatever the failure mode: a
        // handler's exception "does not affect the server" (Effect.ModCall).
        if (null == h)
        {
            failures++;
            LOG.warn("{}: no mod-call handler named '{}' is registered on {}", id, handler, router.nodeId());
            return;
        }
        try
        {
            h.accept(argument);
        }
        catch (final RuntimeException | Error ex)
        {
            if (!ContainedFailures.contained(ex))
            {
                throw ex;
            }
            failures++;
            LOG.warn("{}: mod-call handler '{}' threw", id, handler, ex);
        }
    }

    /**
     * The server stopped leading, or stops: the machine re-issues what it needs in {@code stateEnter(LEADER)}.
     */
    void dropLeaderResources()
    {
        for (final ProcessRef process : monitoredProcesses)
        {
            router.demonitorProcess(process, id);
        }
        monitoredProcesses.clear();
        monitoredNodes.clear();
        for (final LoopTimer timer : machineTimers.values())
        {
            timer.cancel();
        }
        machineTimers.clear();
    }

    /**
     * @return true if the process was monitored (it no longer is): the machine is to hear of its end.
     */
    boolean forgetMonitor(final ProcessRef process)
    {
        return monitoredProcesses.remove(process);
    }

    /**
     * @return the monitored processes on a node.
     */
    List<ProcessRef> monitoredOn(final String node)
    {
        final List<ProcessRef> on = new ArrayList<>();
        for (final ProcessRef process : monitoredProcesses)
        {
            if (process.node().equals(node))
            {
                on.add(process);
            }
        }
        return on;
    }

    /**
     * @return whether the machine monitors the node.
     */
    boolean monitorsNode(final String node)
    {
        return monitoredNodes.contains(node);
    }
}

package dev.ra.examples.tasks;

import dev.ra.ApplyResult;
import dev.ra.BuiltinCommand;
import dev.ra.CommandMeta;
import dev.ra.DownReason;
import dev.ra.Effect;
import dev.ra.InitArgs;
import dev.ra.ProcessRef;
import dev.ra.RaftRole;
import dev.ra.StateMachine;
import dev.ra.examples.support.ReleaseCursorPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A work queue with at-least-once processing: the ra-toolbox talk's {@code tasks}, shaped like Atomix's
 * {@code WorkQueue} and RabbitMQ quorum queues (whose returned messages are served first).
 *
 * <p><b>Semantics.</b>
 * <ul>
 *   <li>{@link TaskCommand.Enqueue} appends a task and replies its id. The enqueuer is told {@link TaskCompleted} when
 *       a worker completes it. Retried enqueues are NOT deduplicated (a client that retries after a timeout may enqueue
 *       twice; rabbit_fifo's per-enqueuer sequence numbers would fix that, at the cost of more state).</li>
 *   <li>{@link TaskCommand.Grab} hands the front task to the worker and monitors it; a worker has at most one task,
 *       and asking again returns the task it already has (so a grab retried across a leader change does not take a
 *       second task or lose the first). An empty queue replies {@link TaskReply.Empty}; it does not block.</li>
 *   <li>{@link TaskCommand.Complete} by the worker that has the task removes it, notifies the enqueuer and
 *       demonitors the worker. Any other completion changes nothing and replies false.</li>
 *   <li>A worker that ends ({@code Down} with {@code NORMAL}, {@code ERROR} or {@code NOPROC}) gives its task back
 *       to the FRONT of the queue, with its delivery count kept so the next worker sees it is a redelivery.</li>
 *   <li>A worker whose node is unreachable ({@code NOCONNECTION}) keeps its task, and its node is monitored; on
 *       {@code NodeUp} the node's workers are monitored again, so a worker that died meanwhile yields
 *       {@code Down(NOPROC)} and its task is requeued. There is no time limit (the choice, like the Erlang
 *       original): tasks of a node that never returns stay in flight.</li>
 *   <li>On becoming leader the machine monitors every worker with a task again.</li>
 * </ul>
 * Work may be done twice (a worker that completes just after being reported dead), so task processing should be
 * idempotent, as Atomix's documentation also warns.
 */
public final class TaskQueueMachine implements StateMachine<TaskCommand, TaskQueueState>
{
    private final ReleaseCursorPolicy cursorPolicy;

    /**
     * A machine that offers a snapshot point every {@link ReleaseCursorPolicy#DEFAULT_INTERVAL} entries.
     */
    public TaskQueueMachine()
    {
        this(ReleaseCursorPolicy.defaults());
    }

    /**
     * A machine with its own snapshot cadence (the same on every member).
     *
     * @param cursorPolicy deciding when to emit a release cursor.
     */
    public TaskQueueMachine(final ReleaseCursorPolicy cursorPolicy)
    {
        this.cursorPolicy = Objects.requireNonNull(cursorPolicy, "cursorPolicy");
    }

    /**
     * A command of any other type is refused before it is appended, with an {@link dev.ra.InvalidCommandException}
     * naming its type, instead of becoming an entry whose apply throws a {@code ClassCastException} on every member.
     */
    @Override
    public Class<TaskCommand> commandType()
    {
        return TaskCommand.class;
    }

    @Override
    public TaskQueueState init(final InitArgs args)
    {
        return TaskQueueState.EMPTY;
    }

    @Override
    public ApplyResult<TaskQueueState> apply(
        final CommandMeta meta, final TaskCommand command, final TaskQueueState state)
    {
        if (command instanceof TaskCommand.Enqueue enqueue)
        {
            final TaskQueueState next = state.enqueue(enqueue.enqueuer(), enqueue.detail());
            return cursorPolicy.result(meta, next, new TaskReply.Enqueued(state.nextTaskId()), List.of());
        }
        else if (command instanceof TaskCommand.Grab grab)
        {
            final Task current = state.taskOf(grab.worker());
            if (null != current)
            {
                return cursorPolicy.result(meta, state, new TaskReply.Granted(current),
                    List.of(new Effect.Monitor(grab.worker())));
            }
            if (state.ready().isEmpty())
            {
                return cursorPolicy.result(meta, state, new TaskReply.Empty(), List.of());
            }
            final Task front = state.ready().get(0);
            final Task delivered = new Task(front.id(), front.enqueuer(), front.detail(), front.deliveries() + 1);
            return cursorPolicy.result(meta, state.grab(grab.worker(), delivered), new TaskReply.Granted(delivered),
                List.of(new Effect.Monitor(grab.worker())));
        }
        else if (command instanceof TaskCommand.Complete complete)
        {
            final Task current = state.taskOf(complete.worker());
            if (null == current || current.id() != complete.taskId())
            {
                return cursorPolicy.result(meta, state, false, List.of());
            }
            return cursorPolicy.result(meta, state.complete(complete.worker()), true, List.of(
                new Effect.SendMsg(current.enqueuer(), new TaskCompleted(current.id(), current.detail())),
                new Effect.Demonitor(complete.worker())));
        }
        // Unreachable while TaskCommand is sealed; TaskQueueMachineTest checks every permitted type.
        throw new IllegalStateException("unhandled command " + command);
    }

    @Override
    public ApplyResult<TaskQueueState> applyBuiltin(
        final CommandMeta meta, final BuiltinCommand command, final TaskQueueState state)
    {
        if (command instanceof BuiltinCommand.Down down && null != state.taskOf(down.process()))
        {
            if (down.reason() == DownReason.NOCONNECTION)
            {
                return cursorPolicy.result(meta, state, null,
                    List.of(new Effect.MonitorNode(down.process().node())));
            }
            return cursorPolicy.result(meta, state.requeue(down.process()), null, List.of());
        }
        else if (command instanceof BuiltinCommand.NodeUp nodeUp)
        {
            final List<Effect> effects = new ArrayList<>();
            for (final ProcessRef worker : state.inFlight().keySet())
            {
                if (worker.node().equals(nodeUp.node()))
                {
                    effects.add(new Effect.Monitor(worker));
                }
            }
            return cursorPolicy.result(meta, state, null, effects);
        }
        // A Down for a process without a task (stale), NodeDown and Timeout change nothing.
        return cursorPolicy.result(meta, state, null, List.of());
    }

    @Override
    public List<Effect> stateEnter(final RaftRole role, final TaskQueueState state)
    {
        if (role != RaftRole.LEADER)
        {
            return List.of();
        }
        final List<Effect> effects = new ArrayList<>();
        for (final ProcessRef worker : state.inFlight().keySet())
        {
            effects.add(new Effect.Monitor(worker));
        }
        return effects;
    }

    @Override
    public Map<String, Object> overview(final TaskQueueState state)
    {
        return Map.of("ready", state.ready().size(), "inFlight", state.inFlight().size());
    }
}

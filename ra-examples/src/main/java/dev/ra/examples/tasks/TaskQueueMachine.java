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
import dev.ra.codec.Codec;
import dev.ra.examples.support.ReleaseCursorPolicy;
import java.time.Duration;
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
 *       {@code Down(NOPROC)} and its task is requeued. Without a visibility timeout, tasks of a node that never
 *       returns stay in flight.</li>
 *   <li><b>Visibility timeout</b> (optional, per queue; SQS's visibility timeout, RabbitMQ's consumer timeout): a task
 *       not completed within it of its grab is taken from its worker (whether it ended, hangs or is cut off) and
 *       given back as if the worker had ended; the worker's late {@code Complete} replies false. Decided in log time:
 *       the grab records its entry's {@code CommandMeta.systemTimeMs}, the leader arms the {@link Effect.Timer} named
 *       {@link #VISIBILITY_TIMER} for the earliest deadline, Ra appends its {@code Timeout}, and at that entry every
 *       member takes back the tasks whose deadline has passed by the entry's time, and the timer is re-armed for the
 *       next. A new leader arms it at once, so a failover never gives a task back early.</li>
 *   <li><b>Delivery limit</b> (optional, per queue; RabbitMQ quorum queues' {@code delivery-limit}, SQS's
 *       {@code maxReceiveCount}): a task given back after its {@code deliveryLimit}-th delivery is not requeued but
 *       set aside among the dead letters ({@link TaskQueueState#deadLetters()}), where it stays pending until a client
 *       requeues ({@link TaskCommand.RequeueDeadLetters}, with a fresh delivery count) or purges
 *       ({@link TaskCommand.PurgeDeadLetters}) it. A task that kills its workers, or that no worker finishes in
 *       time, is thus tried a bounded number of times instead of coming back to the front for ever.</li>
 *   <li>On becoming leader the machine monitors every worker with a task again.</li>
 * </ul>
 * Work may be done twice (a worker that completes just after being reported dead), so task processing should be
 * idempotent, as Atomix's documentation also warns.
 *
 * <p><b>Versions.</b> Version 1 added the visibility timeout, the delivery limit and the dead letters (and their
 * commands, and two components of the state); {@link #machineFor machineFor(0)} applies the log as version 0 did,
 * whatever the settings, and reads and writes version 0's snapshots. At the switch to version 1 the tasks already in
 * flight start their visibility clock.
 */
public final class TaskQueueMachine implements StateMachine<TaskCommand, TaskQueueState>
{
    /** Name of the leader's timer that gives back tasks past their visibility timeout. */
    public static final String VISIBILITY_TIMER = "dev.ra.examples.tasks.visibility";
    /** The {@code deliveryLimit} of a queue whose tasks are delivered any number of times. */
    public static final int NO_DELIVERY_LIMIT = 0;
    /** The {@code visibilityTimeout} of a queue whose workers keep their tasks until they end or complete them. */
    public static final Duration NO_VISIBILITY_TIMEOUT = Duration.ZERO;

    private final ReleaseCursorPolicy cursorPolicy;
    private final int deliveryLimit;
    private final long visibilityTimeoutMs;
    /** Version 1 on: delivery limit, visibility timeout and dead letters. */
    private final boolean versionOne;

    /**
     * A machine that offers a snapshot point every {@link ReleaseCursorPolicy#DEFAULT_INTERVAL} entries, with no
     * delivery limit and no visibility timeout.
     */
    public TaskQueueMachine()
    {
        this(ReleaseCursorPolicy.defaults());
    }

    /**
     * A machine with its own snapshot cadence (the same on every member), with no delivery limit and no visibility
     * timeout.
     *
     * @param cursorPolicy deciding when to emit a release cursor.
     */
    public TaskQueueMachine(final ReleaseCursorPolicy cursorPolicy)
    {
        this(cursorPolicy, NO_DELIVERY_LIMIT, NO_VISIBILITY_TIMEOUT);
    }

    /**
     * A machine with every setting explicit, the same on every member (register it by name), and the same for the
     * queue's whole life. The settings are not in the log: each member applies the entries after its own latest
     * snapshot with the settings it was started with, so members restarted with other settings apply entries that the
     * others applied under the old ones differently (a grab with or without its time, a task given back to the queue
     * or to the dead letters), and their states part for good, however the restarts are made.
     *
     * @param cursorPolicy      deciding when to emit a release cursor.
     * @param deliveryLimit     the most times a task is handed to a worker: given back after that many deliveries, it
     *                          goes to the dead letters; at least 1, or {@link #NO_DELIVERY_LIMIT}.
     * @param visibilityTimeout how long (log time) a worker has to complete a task before it is given back; positive,
     *                          whole milliseconds, or {@link #NO_VISIBILITY_TIMEOUT}.
     */
    public TaskQueueMachine(final ReleaseCursorPolicy cursorPolicy, final int deliveryLimit,
        final Duration visibilityTimeout)
    {
        this.cursorPolicy = Objects.requireNonNull(cursorPolicy, "cursorPolicy");
        if (deliveryLimit < 0)
        {
            throw new IllegalArgumentException("delivery limit must be >= 1, or NO_DELIVERY_LIMIT (0), got " +
                deliveryLimit);
        }
        Objects.requireNonNull(visibilityTimeout, "visibilityTimeout");
        if (visibilityTimeout.isNegative())
        {
            throw new IllegalArgumentException("visibility timeout must be positive, or NO_VISIBILITY_TIMEOUT (0), " +
                "got " + visibilityTimeout);
        }
        this.deliveryLimit = deliveryLimit;
        this.visibilityTimeoutMs = visibilityTimeout.toMillis();
        if (!visibilityTimeout.isZero() && 0 == visibilityTimeoutMs)
        {
            throw new IllegalArgumentException("visibility timeout must be whole milliseconds, at least 1 ms, got " +
                visibilityTimeout);
        }
        this.versionOne = true;
    }

    private TaskQueueMachine(final TaskQueueMachine newest, final boolean versionOne)
    {
        this.cursorPolicy = newest.cursorPolicy;
        this.deliveryLimit = newest.deliveryLimit;
        this.visibilityTimeoutMs = newest.visibilityTimeoutMs;
        this.versionOne = versionOne;
    }

    /**
     * Version 1 adds the delivery limit, the visibility timeout and the dead letters; version 0 had none of them.
     */
    @Override
    public int version()
    {
        return 1;
    }

    @Override
    public StateMachine<TaskCommand, TaskQueueState> machineFor(final int version)
    {
        return version >= 1 ? this : new TaskQueueMachine(this, false);
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
    @SuppressWarnings("unchecked")
    public Codec<TaskCommand> commandCodec()
    {
        return versionOne ? StateMachine.super.commandCodec() :
            (Codec<TaskCommand>)(Codec<?>)VersionZeroCommands.CODEC;
    }

    @Override
    public Codec<TaskQueueState> stateCodec()
    {
        return versionOne ? StateMachine.super.stateCodec() : VersionZeroState.CODEC;
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
            if (!timesOut())
            {
                return cursorPolicy.result(meta, state.grab(grab.worker(), delivered),
                    new TaskReply.Granted(delivered), List.of(new Effect.Monitor(grab.worker())));
            }
            final TaskQueueState next = state.grab(grab.worker(), delivered, meta.systemTimeMs());
            final List<Effect> effects = new ArrayList<>(List.of(new Effect.Monitor(grab.worker())));
            armVisibilityTimer(next, meta.systemTimeMs(), effects);
            return cursorPolicy.result(meta, next, new TaskReply.Granted(delivered), effects);
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
        else if (command instanceof TaskCommand.RequeueDeadLetters requeue)
        {
            // Version 0 has no dead letters (and its codec keeps this command out of its log): nothing to move.
            final TaskQueueState.DeadLetterChange change = state.requeueDeadLetters(requeue.taskIds());
            return cursorPolicy.result(meta, change.state(), change.taskIds(), List.of());
        }
        else if (command instanceof TaskCommand.PurgeDeadLetters purge)
        {
            final TaskQueueState.DeadLetterChange change = state.purgeDeadLetters(purge.taskIds());
            return cursorPolicy.result(meta, change.state(), change.taskIds(), List.of());
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
            return cursorPolicy.result(meta, giveBack(state, down.process()), null, List.of());
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
        else if (command instanceof BuiltinCommand.Timeout timeout && VISIBILITY_TIMER.equals(timeout.name()) &&
            timesOut())
        {
            return expireVisibility(meta, state);
        }
        else if (command instanceof BuiltinCommand.MachineVersionChanged changed && changed.to() >= 1 &&
            changed.from() < 1 && timesOut() && !state.inFlight().isEmpty())
        {
            // The tasks taken under version 0 have no grab time: their clock starts at the switch, the same entry on
            // every member.
            final TaskQueueState next = state.grabbedAllAt(meta.systemTimeMs());
            final List<Effect> effects = new ArrayList<>();
            armVisibilityTimer(next, meta.systemTimeMs(), effects);
            return cursorPolicy.result(meta, next, null, effects);
        }
        // A Down for a process without a task (stale), NodeDown and other timeouts change nothing.
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
        if (timesOut() && !state.inFlight().isEmpty())
        {
            // Timers die with the old leader. This one fires at once: its entry carries this leader's time, and the
            // check there gives back what is due by the replicated grab times and re-arms for the rest.
            effects.add(new Effect.Timer(VISIBILITY_TIMER, 0));
        }
        return effects;
    }

    @Override
    public Map<String, Object> overview(final TaskQueueState state)
    {
        return Map.of("ready", state.ready().size(), "inFlight", state.inFlight().size(), "deadLetters",
            state.deadLetters().size());
    }

    private boolean timesOut()
    {
        return versionOne && visibilityTimeoutMs > 0;
    }

    /**
     * A worker's task comes back: to the front of the queue (redone first), or to the dead letters once it has had
     * its last allowed delivery.
     */
    private TaskQueueState giveBack(final TaskQueueState state, final ProcessRef worker)
    {
        final Task task = state.taskOf(worker);
        if (versionOne && deliveryLimit != NO_DELIVERY_LIMIT && task.deliveries() >= deliveryLimit)
        {
            return state.deadLetter(worker);
        }
        return state.requeue(worker);
    }

    /**
     * The check at the visibility timer's {@code Timeout}: every task grabbed at least the timeout before this entry's
     * log time is taken from its worker and given back, the oldest grab ending at the front; the timer is re-armed
     * for the next deadline. Deterministic: the same on every member at the same entry.
     */
    private ApplyResult<TaskQueueState> expireVisibility(final CommandMeta meta, final TaskQueueState state)
    {
        final long nowMs = meta.systemTimeMs();
        // Tasks in flight without a grab time (a queue whose settings were changed, which the constructor warns
        // against) start their clock at this check rather than never.
        final TaskQueueState timed = state.grabbedAtMs().size() == state.inFlight().size() ? state :
            state.grabbedAllAt(nowMs);
        final List<ProcessRef> due = new ArrayList<>();
        for (final Map.Entry<ProcessRef, Long> grabbed : timed.grabbedAtMs().entrySet())
        {
            if (nowMs - grabbed.getValue() >= visibilityTimeoutMs)
            {
                due.add(grabbed.getKey());
            }
        }
        TaskQueueState next = timed;
        final List<Effect> effects = new ArrayList<>();
        // Given back newest first, so that the oldest grab, prepended last, is at the front.
        for (int i = due.size() - 1; i >= 0; i--)
        {
            next = giveBack(next, due.get(i));
            effects.add(new Effect.Demonitor(due.get(i)));
        }
        armVisibilityTimer(next, nowMs, effects);
        return cursorPolicy.result(meta, next, null, effects);
    }

    /**
     * Arm the visibility timer for the earliest deadline, if any task is in flight. It fires at or after that
     * deadline in leader time; the check at its entry decides by log time, and re-arms for a timer that fired early.
     */
    private void armVisibilityTimer(final TaskQueueState state, final long nowMs, final List<Effect> effects)
    {
        long earliest = Long.MAX_VALUE;
        for (final long grabbedAt : state.grabbedAtMs().values())
        {
            earliest = Math.min(earliest, grabbedAt);
        }
        if (earliest != Long.MAX_VALUE)
        {
            // Written so that no timeout, however long, overflows into a timer that fires at once.
            final long elapsed = Math.max(0, nowMs - earliest);
            effects.add(new Effect.Timer(VISIBILITY_TIMER, Math.max(0, visibilityTimeoutMs - elapsed)));
        }
    }
}

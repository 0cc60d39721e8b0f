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
import dev.ra.examples.support.ClientSequences;
import dev.ra.examples.support.CommandNumber;
import dev.ra.examples.support.FirstComponentsCodec;
import dev.ra.examples.support.ReleaseCursorPolicy;
import dev.ra.examples.support.RememberedReplies;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

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
 * <p><b>Settings.</b> The delivery limit and the visibility timeout decide what entries do, so from version 2 they are
 * in the replicated state ({@link TaskQueueState#settings()}) and change only at a {@link TaskCommand.Configure} entry,
 * the same on every member: a member started, restarted or restored from a snapshot with other settings than the
 * rest applies the log exactly as they do. The settings a machine is constructed with are what it proposes: on
 * becoming leader it appends a {@link TaskCommand.Configure} with them if they are not those in force (so after a
 * rolling restart with new settings, they are in force once a restarted member leads, and a member started with
 * other settings by mistake changes the queue's settings when it leads, for every member at once, instead of
 * applying the log differently); {@link #overview} shows the settings in force. Until the first
 * {@link TaskCommand.Configure} (the first leader's, in a new queue, right after its election; the leader's at the
 * switch to version 2, behind the entries already in the log) each member applies its own settings, as at version 1:
 * a queue whose members all run with the same settings never applies an entry with others.
 *
 * <p><b>Versions.</b> Version 1 added the visibility timeout, the delivery limit and the dead letters (and their
 * commands, and two components of the state); {@link #machineFor machineFor(0)} applies the log as version 0 did,
 * whatever the settings, and reads and writes version 0's snapshots. At the switch to version 1 the tasks already in
 * flight start their visibility clock. Version 1 applied entries with each member's own settings, so members with
 * different ones parted; version 2 keeps the settings in the state (above), and {@link #machineFor machineFor(1)}
 * applies the log as version 1 did and reads and writes version 1's snapshots. Version 3 added
 * {@link TaskCommand.CompleteOnce}, whose replies it remembers by request id. Version 4 adds
 * {@link TaskCommand.NumberedGrab} and {@link TaskCommand.NumberedComplete}, numbered per client
 * ({@link ClientSequences}): a late attempt of a grab its client has since finished (overtaken by its retry, whose
 * task the worker then completed) is refused as stale and hands out no task; {@link #machineFor machineFor(3)}
 * applies the log as version 3 did and reads and writes version 3's snapshots.
 */
public final class TaskQueueMachine implements StateMachine<TaskCommand, TaskQueueState>
{
    /** Name of the leader's timer that gives back tasks past their visibility timeout. */
    public static final String VISIBILITY_TIMER = "dev.ra.examples.tasks.visibility";
    /** The {@code deliveryLimit} of a queue whose tasks are delivered any number of times. */
    public static final int NO_DELIVERY_LIMIT = 0;
    /** The {@code visibilityTimeout} of a queue whose workers keep their tasks until they end or complete them. */
    public static final Duration NO_VISIBILITY_TIMEOUT = Duration.ZERO;

    /** The newest version of the logic ({@link #version()}). */
    private static final int VERSION = 4;
    /** The version that added the completion carrying a request id. */
    private static final int COMPLETES_ONCE = 3;
    /** The version from which the settings in force are in the state. */
    private static final int SETTINGS_IN_STATE = 2;
    /** The snapshots of version 2: the state's first seven components, without the replies remembered. */
    private static final Codec<TaskQueueState> VERSION_TWO_STATE = new FirstComponentsCodec<>(TaskQueueCodec.DECLARED,
        TaskQueueState.class, 7, TaskQueueMachine::versionTwoState, "TaskQueueMachine version 2");
    /** The snapshots of version 3: the state's first eight components, without the clients' numbered calls. */
    private static final Codec<TaskQueueState> VERSION_THREE_STATE = new FirstComponentsCodec<>(TaskQueueCodec.DECLARED,
        TaskQueueState.class, 8, TaskQueueMachine::versionThreeState, "TaskQueueMachine version 3");

    private final ReleaseCursorPolicy cursorPolicy;
    /** The settings this machine was constructed with: those it proposes as leader (and applies with at version 1). */
    private final QueueSettings own;
    /**
     * The version whose logic this instance applies: 0 has no delivery limit, visibility timeout nor dead letters; 1
     * applies with {@link #own}; 2 with the settings in the state.
     */
    private final int logicVersion;

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
     * A machine with every setting explicit, the same on every member (register it by name). The delivery limit and
     * visibility timeout are those this member puts in force when it becomes leader (see the class comment); every
     * member applies the log with the settings in force, whatever it was constructed with.
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
        final long visibilityTimeoutMs = visibilityTimeout.toMillis();
        if (!visibilityTimeout.isZero() && 0 == visibilityTimeoutMs)
        {
            throw new IllegalArgumentException("visibility timeout must be whole milliseconds, at least 1 ms, got " +
                visibilityTimeout);
        }
        this.own = new QueueSettings(deliveryLimit, visibilityTimeoutMs);
        this.logicVersion = VERSION;
    }

    private TaskQueueMachine(final TaskQueueMachine newest, final int logicVersion)
    {
        this.cursorPolicy = newest.cursorPolicy;
        this.own = newest.own;
        this.logicVersion = logicVersion;
    }

    /**
     * Version 1 adds the delivery limit, the visibility timeout and the dead letters; version 0 had none of them.
     * Version 2 keeps the settings in the state, so that every member applies the log with the same ones. Version 3
     * takes the completion carrying a request id; version 4 the numbered grab and completion.
     */
    @Override
    public int version()
    {
        return VERSION;
    }

    @Override
    public StateMachine<TaskCommand, TaskQueueState> machineFor(final int version)
    {
        return version >= VERSION ? this : new TaskQueueMachine(this, Math.max(0, version));
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
        if (logicVersion >= VERSION)
        {
            return (Codec<TaskCommand>)(Codec<?>)TaskQueueCodec.DECLARED;
        }
        if (logicVersion >= COMPLETES_ONCE)
        {
            return (Codec<TaskCommand>)(Codec<?>)OlderCommands.VERSION_THREE;
        }
        return (Codec<TaskCommand>)(Codec<?>)(logicVersion >= SETTINGS_IN_STATE ? OlderCommands.VERSION_TWO :
            logicVersion >= 1 ? OlderCommands.VERSION_ONE : OlderCommands.VERSION_ZERO);
    }

    @Override
    @SuppressWarnings("unchecked")
    public Codec<TaskQueueState> stateCodec()
    {
        if (logicVersion >= VERSION)
        {
            return (Codec<TaskQueueState>)(Codec<?>)TaskQueueCodec.DECLARED;
        }
        if (logicVersion >= COMPLETES_ONCE)
        {
            return VERSION_THREE_STATE;
        }
        if (logicVersion >= SETTINGS_IN_STATE)
        {
            return VERSION_TWO_STATE;
        }
        return logicVersion >= 1 ? OlderStateCodec.VERSION_ONE : OlderStateCodec.VERSION_ZERO;
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
            return result(meta, grab(meta, state, grab.worker()));
        }
        else if (command instanceof TaskCommand.Complete complete)
        {
            return result(meta, complete(state, complete.worker(), complete.taskId(), null));
        }
        else if (command instanceof TaskCommand.CompleteOnce complete)
        {
            if (logicVersion < COMPLETES_ONCE)
            {
                // Refused by the older versions' codecs before the log; kept out of apply all the same.
                return cursorPolicy.result(meta, state, false, List.of());
            }
            final Boolean answered = state.replies().of(complete.requestId());
            // A retry whose first attempt was applied: its reply again, and the enqueuer not told twice.
            return null != answered ? cursorPolicy.result(meta, state, answered, List.of()) :
                result(meta, complete(state, complete.worker(), complete.taskId(), complete.requestId()));
        }
        else if (command instanceof TaskCommand.NumberedGrab grab)
        {
            return inOrder(meta, state, grab.worker(), grab.number(), () -> grab(meta, state, grab.worker()));
        }
        else if (command instanceof TaskCommand.NumberedComplete complete)
        {
            return inOrder(meta, state, complete.worker(), complete.number(),
                () -> complete(state, complete.worker(), complete.taskId(), null));
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
        else if (command instanceof TaskCommand.Configure configure)
        {
            // Older versions' codecs keep this command out of their logs.
            return configure(meta, configure.settings(), state);
        }
        // Unreachable while TaskCommand is sealed; TaskQueueMachineTest checks every permitted type.
        throw new IllegalStateException("unhandled command " + command);
    }

    @Override
    public ApplyResult<TaskQueueState> applyBuiltin(
        final CommandMeta meta, final BuiltinCommand command, final TaskQueueState state)
    {
        if (command instanceof BuiltinCommand.Down down && down.reason() != DownReason.NOCONNECTION)
        {
            // A worker that ended makes no more calls: its clients' numbers about it go with it.
            final TaskQueueState forgotten = state.withSequences(state.sequences().forget(down.process()));
            return cursorPolicy.result(meta, null == forgotten.taskOf(down.process()) ? forgotten :
                giveBack(forgotten, down.process()), null, List.of());
        }
        else if (command instanceof BuiltinCommand.Down down && null != state.taskOf(down.process()))
        {
            // Cut off, not known to have ended: it keeps its task (and numbers) while its node is watched.
            return cursorPolicy.result(meta, state, null, List.of(new Effect.MonitorNode(down.process().node())));
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
            settings(state).timesOut())
        {
            return expireVisibility(meta, state);
        }
        else if (command instanceof BuiltinCommand.MachineVersionChanged changed &&
            changed.from() < SETTINGS_IN_STATE && logicVersion >= SETTINGS_IN_STATE)
        {
            // The settings each member applied version 1 with are its own: from here the state's. The leader's
            // Configure, appended here, comes behind the entries already in the log; until it, each member goes on
            // with its own (the state has none), so a queue whose members all ran with the same ones keeps them.
            TaskQueueState next = state;
            final List<Effect> effects = new ArrayList<>();
            if (changed.from() < 1 && settings(state).timesOut() && !state.inFlight().isEmpty())
            {
                // As at the switch to version 1, below.
                next = state.grabbedAllAt(meta.systemTimeMs());
                armVisibilityTimer(next, meta.systemTimeMs(), effects);
            }
            effects.add(new Effect.Append(new TaskCommand.Configure(own)));
            return cursorPolicy.result(meta, next, null, effects);
        }
        else if (command instanceof BuiltinCommand.MachineVersionChanged changed && changed.to() >= 1 &&
            changed.from() < 1 && settings(state).timesOut() && !state.inFlight().isEmpty())
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
        if (logicVersion >= SETTINGS_IN_STATE && !own.equals(state.settings()))
        {
            // This member's settings are not in force: it puts them in force through the log, for every member at
            // the same entry, rather than apply the log with them.
            effects.add(new Effect.Append(new TaskCommand.Configure(own)));
        }
        if (settings(state).timesOut() && !state.inFlight().isEmpty())
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
        final QueueSettings settings = settings(state);
        return Map.of("ready", state.ready().size(), "inFlight", state.inFlight().size(), "deadLetters",
            state.deadLetters().size(), "deliveryLimit", settings.deliveryLimit(), "visibilityTimeoutMs",
            settings.visibilityTimeoutMs());
    }

    /**
     * What a command did, before the release cursor policy looks at the state.
     */
    private record Outcome(TaskQueueState state, Object reply, List<Effect> effects)
    {
    }

    private ApplyResult<TaskQueueState> result(final CommandMeta meta, final Outcome outcome)
    {
        return cursorPolicy.result(meta, outcome.state(), outcome.reply(), outcome.effects());
    }

    /**
     * A numbered command: applied if new, its reply remembered; otherwise its earlier reply (a retry of a grab
     * repairing the monitor of a worker that still has the task, as a grab does, or answered {@link TaskReply.Empty}
     * if the worker no longer holds it), or the stale refusal, with nothing applied.
     */
    private ApplyResult<TaskQueueState> inOrder(final CommandMeta meta, final TaskQueueState state,
        final ProcessRef worker, final CommandNumber number, final Supplier<Outcome> apply)
    {
        if (logicVersion < VERSION)
        {
            // Refused by the older versions' codecs before the log; kept out of apply all the same.
            return cursorPolicy.result(meta, state, false, List.of());
        }
        final ClientSequences.Earlier earlier = state.sequences().earlier(worker, number);
        if (null != earlier && earlier.reply() instanceof TaskReply.Granted granted)
        {
            final Task current = state.taskOf(worker);
            // The task granted may have been handed back since (the visibility timeout) and given to another worker:
            // the retry must not send this one to work on it too. It holds nothing of this call, and grabs again.
            return null == current || current.id() != granted.task().id() ?
                cursorPolicy.result(meta, state, new TaskReply.Empty(), List.of()) :
                cursorPolicy.result(meta, state, new TaskReply.Granted(current), List.of(new Effect.Monitor(worker)));
        }
        if (null != earlier)
        {
            return cursorPolicy.result(meta, state, earlier.reply(), List.of());
        }
        final Outcome applied = apply.get();
        return cursorPolicy.result(meta, applied.state().withSequences(applied.state().sequences().applied(worker,
            number, applied.reply(), meta.systemTimeMs())), applied.reply(), applied.effects());
    }

    private Outcome grab(final CommandMeta meta, final TaskQueueState state, final ProcessRef worker)
    {
        final Task current = state.taskOf(worker);
        if (null != current)
        {
            return new Outcome(state, new TaskReply.Granted(current), List.of(new Effect.Monitor(worker)));
        }
        if (state.ready().isEmpty())
        {
            return new Outcome(state, new TaskReply.Empty(), List.of());
        }
        final Task front = state.ready().get(0);
        final Task delivered = new Task(front.id(), front.enqueuer(), front.detail(), front.deliveries() + 1);
        if (!settings(state).timesOut())
        {
            return new Outcome(state.grab(worker, delivered), new TaskReply.Granted(delivered),
                List.of(new Effect.Monitor(worker)));
        }
        final TaskQueueState next = state.grab(worker, delivered, meta.systemTimeMs());
        final List<Effect> effects = new ArrayList<>(List.of(new Effect.Monitor(worker)));
        armVisibilityTimer(next, meta.systemTimeMs(), effects);
        return new Outcome(next, new TaskReply.Granted(delivered), effects);
    }

    /**
     * @param requestId to remember the reply under, or null.
     */
    private static Outcome complete(final TaskQueueState state, final ProcessRef worker, final long taskId,
        final String requestId)
    {
        final Task current = state.taskOf(worker);
        if (null == current || current.id() != taskId)
        {
            return new Outcome(null == requestId ? state : state.answered(requestId, false), false, List.of());
        }
        final TaskQueueState completed = state.complete(worker);
        return new Outcome(null == requestId ? completed : completed.answered(requestId, true), true,
            List.of(new Effect.SendMsg(current.enqueuer(), new TaskCompleted(current.id(), current.detail())),
                new Effect.Demonitor(worker)));
    }

    @SuppressWarnings("unchecked")
    private static TaskQueueState versionThreeState(final List<Object> parts)
    {
        return new TaskQueueState((Long)parts.get(0), (List<Task>)parts.get(1), (Map<ProcessRef, Task>)parts.get(2),
            (Long)parts.get(3), (Map<ProcessRef, Long>)parts.get(4), (List<Task>)parts.get(5),
            (QueueSettings)parts.get(6), (RememberedReplies)parts.get(7));
    }

    @SuppressWarnings("unchecked")
    private static TaskQueueState versionTwoState(final List<Object> parts)
    {
        return new TaskQueueState((Long)parts.get(0), (List<Task>)parts.get(1), (Map<ProcessRef, Task>)parts.get(2),
            (Long)parts.get(3), (Map<ProcessRef, Long>)parts.get(4), (List<Task>)parts.get(5),
            (QueueSettings)parts.get(6));
    }

    /**
     * The settings the entries are applied with: none at version 0, this member's own at version 1, and from version
     * 2 those in the state, the same on every member (until the first Configure, this member's own, as at version 1).
     */
    private QueueSettings settings(final TaskQueueState state)
    {
        if (logicVersion >= SETTINGS_IN_STATE)
        {
            return null == state.settings() ? own : state.settings();
        }
        return logicVersion >= 1 ? own : QueueSettings.NONE;
    }

    /**
     * Put {@code settings} in force from this entry on. Tasks in flight without a grab time (taken while there was
     * no visibility timeout) start their clock here, and the timer is armed for the earliest deadline.
     */
    private ApplyResult<TaskQueueState> configure(final CommandMeta meta, final QueueSettings settings,
        final TaskQueueState state)
    {
        TaskQueueState next = state.withSettings(settings);
        final List<Effect> effects = new ArrayList<>();
        if (settings.timesOut() && !next.inFlight().isEmpty())
        {
            next = next.grabbedAllAt(meta.systemTimeMs());
            armVisibilityTimer(next, meta.systemTimeMs(), effects);
        }
        return cursorPolicy.result(meta, next, state.settings(), effects);
    }

    /**
     * A worker's task comes back: to the front of the queue (redone first), or to the dead letters once it has had
     * its last allowed delivery.
     */
    private TaskQueueState giveBack(final TaskQueueState state, final ProcessRef worker)
    {
        final Task task = state.taskOf(worker);
        final int deliveryLimit = settings(state).deliveryLimit();
        if (deliveryLimit != NO_DELIVERY_LIMIT && task.deliveries() >= deliveryLimit)
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
        final long visibilityTimeoutMs = settings(state).visibilityTimeoutMs();
        // Tasks in flight without a grab time (at version 1, a member whose own settings were changed) start their
        // clock at this check rather than never.
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
        final long visibilityTimeoutMs = settings(state).visibilityTimeoutMs();
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

    /**
     * Replies (remembered in the state too), messages and named query values are of the machine's declared types
     * ({@link TaskQueueCodec}).
     */
    @Override
    public Codec<Object> replyCodec()
    {
        return TaskQueueCodec.DECLARED;
    }

    @Override
    public Codec<Object> messageCodec()
    {
        return TaskQueueCodec.DECLARED;
    }

    @Override
    public Codec<Object> queryCodec()
    {
        return TaskQueueCodec.DECLARED;
    }
}

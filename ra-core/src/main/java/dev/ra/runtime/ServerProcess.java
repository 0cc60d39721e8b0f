package dev.ra.runtime;

import dev.ra.ApplyFailureMode;
import dev.ra.BuiltinCommand;
import dev.ra.CommandFailedException;
import dev.ra.DownReason;
import dev.ra.Effect;
import dev.ra.InvalidCommandException;
import dev.ra.ProcessRef;
import dev.ra.RaEvent;
import dev.ra.RaftState;
import dev.ra.ServerId;
import dev.ra.ServerOverview;
import dev.ra.ServerStoppedException;
import dev.ra.StateMachine;
import dev.ra.codec.Bytes;
import dev.ra.core.CallError;
import dev.ra.core.MachineFailure;
import dev.ra.core.RaftAction;
import dev.ra.core.RaftEvent;
import dev.ra.core.ReplyMode;
import dev.ra.core.ServerCore;
import dev.ra.protocol.Member;
import dev.ra.protocol.ServerRequest;
import dev.ra.protocol.SnapshotMeta;
import dev.ra.protocol.UserCommand;
import dev.ra.spi.LogListener;
import dev.ra.spi.LogStore;
import dev.ra.spi.ServerStorage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shell around one server's {@link ServerCore}: its mailbox, its timers, its pending calls, and the execution of
 * the actions and machine effects the core returns. Not a thread: it runs on the {@link EventLoop} it is pinned to,
 * which drains a bounded batch of its mailbox, feeds each event to the core, executes the resulting actions in
 * order, then calls {@link ServerCore#flush} once for the batch (so commands accepted in one batch are appended and
 * replicated together) and sends the batched "applied" notifications.
 *
 * <p>Everything but {@link #enqueue}, {@link #onWritten} and the listener callbacks is confined to the loop thread.
 *
 * <p>A machine that throws is contained by the core ({@link ApplyFailureMode#FAIL_COMMAND}, the default): the caller
 * of the command gets the failure, the failure is logged and counted. An effect that fails to run is logged and
 * counted too. With {@link ApplyFailureMode#STOP_SERVER}, or if the core itself throws, the server stops: it logs the
 * failure, fails its pending calls with {@link ServerStoppedException}, closes its storage (keeping the data) and tells
 * its peers it is down. Other servers are not affected; the server can be restarted from its storage with
 * {@code restartServer}.
 */
final class ServerProcess implements LogListener
{
    private static final Logger LOG = LoggerFactory.getLogger(ServerProcess.class);
    private static final int MAX_DRAIN = 512;
    private static final int MAX_CAST_HOPS = 3;
    private static final Object WRITTEN = new Object();
    private static final RaftEvent TICK = new RaftEvent.Tick();
    private static final RaftEvent ELECTION_TIMEOUT = new RaftEvent.ElectionTimeout();
    private static final RaftEvent COMMIT_NOTICE_DUE = new RaftEvent.CommitNoticeDue();

    /** Kinds of pending calls, to know what a completion means. */
    private enum PendingKind
    {
        COMMAND, MEMBER_CHANGE, TRANSFER, DELETE, READ_INDEX
    }

    private record Pending(CallOrigin origin, PendingKind kind)
    {
    }

    /** A local query waiting until the server has applied an index. */
    private record ParkedQuery(Function<Object, Object> query, long minIndex, long minTerm,
        CompletableFuture<Object> call)
    {
    }

    final ServerId id;
    final ClusterInfo cluster;
    private final RaRuntime runtime;
    private final EventLoop loop;
    private final StateMachine<Object, Object> machine;
    private final ServerStorage storage;
    private final ConcurrentLinkedQueue<Object> mailbox = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final AtomicBoolean writtenPending = new AtomicBoolean();
    private final AtomicReference<RaftEvent.LogWritten> latestWritten = new AtomicReference<>();
    private final ArrayDeque<RaftEvent> selfEvents = new ArrayDeque<>();
    private final Map<Long, Pending> pending = new HashMap<>();
    private final List<RaftAction.ReplyToCaller> deferredReplies = new ArrayList<>();
    private final List<ParkedQuery> parkedQueries = new ArrayList<>();
    private final Map<ProcessRef, List<RaEvent.Correlated>> notifications = new LinkedHashMap<>();
    private final Map<String, LoopTimer> machineTimers = new HashMap<>();
    private final Set<ProcessRef> monitoredProcesses = new HashSet<>();
    private final Set<String> monitoredNodes = new HashSet<>();
    private final CompletableFuture<Void> stoppedFuture = new CompletableFuture<>();
    private ServerCore core;
    private long nextCallId = 1;
    private long electionDeadlineNanos;
    private LoopTimer electionTimer;
    private LoopTimer commitNoticeTimer;
    private int currentCastHops;
    private long persistedLastApplied;
    private boolean terminate;
    private final LeadershipHandOver handOver = new LeadershipHandOver();
    private boolean deleteOnTerminate;
    private volatile boolean stopped;
    private volatile RaftState role = RaftState.RECOVERING;
    /** Machine effects that threw when run; written on the loop thread, read by overviews. */
    private volatile long effectFailures;

    ServerProcess(final RaRuntime runtime, final EventLoop loop, final ServerId id, final ClusterInfo cluster,
        final ServerStorage storage)
    {
        this.runtime = runtime;
        this.loop = loop;
        this.id = id;
        this.cluster = cluster;
        this.machine = cluster.machine;
        this.storage = storage;
    }

    /**
     * Start the core on the loop: replay, then follow. Completes the future once started (or failed).
     */
    void start(final ServerCore serverCore, final CompletableFuture<Void> started)
    {
        loop.execute(() ->
        {
            try
            {
                core = serverCore;
                persistedLastApplied = storage.meta().lastApplied();
                loop.addServer(this);
                execute(core.start(System.currentTimeMillis()));
                role = core.role();
                started.complete(null);
            }
            catch (final RuntimeException ex)
            {
                started.completeExceptionally(ex);
                crash(ex);
            }
        });
    }

    boolean isStopped()
    {
        return stopped;
    }

    RaftState role()
    {
        return stopped ? RaftState.STOPPED : role;
    }

    CompletableFuture<Void> stoppedFuture()
    {
        return stoppedFuture;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Mailbox and scheduling (any thread)

    /**
     * Put an event ({@link RaftEvent} or {@link ServerTask}) in the mailbox and make sure the server runs. Any thread.
     */
    void enqueue(final Object event)
    {
        if (stopped)
        {
            if (event instanceof ServerTask task)
            {
                // Let calls learn the server is gone instead of waiting for their timeout.
                runtime.runRejected(task, this);
            }
            return;
        }
        mailbox.offer(event);
        if (!scheduled.get() && scheduled.compareAndSet(false, true))
        {
            loop.schedule(this);
        }
    }

    @Override
    public void onWritten(final long index, final long term)
    {
        // Coalesced: only the newest report matters, so one marker in the mailbox stands for all reports so far.
        latestWritten.set(new RaftEvent.LogWritten(index, term));
        if (!writtenPending.get() && writtenPending.compareAndSet(false, true))
        {
            enqueue(WRITTEN);
        }
    }

    @Override
    public void onFailure(final Throwable cause)
    {
        enqueue((ServerTask)s -> s.crash(new IllegalStateException("log of " + id + " failed", cause)));
    }

    /**
     * Called on this server's loop thread (like {@link #drain}). With a thousand idle clusters a node hosts two
     * followers for every leader; their cores ignore ticks, so a follower gets one only when its applied index
     * awaits persisting.
     */
    void tick()
    {
        if (stopped)
        {
            return;
        }
        if (core.wantsTicks() || durableApplied() > persistedLastApplied)
        {
            enqueue(TICK);
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Draining (loop thread)

    void drain()
    {
        if (stopped)
        {
            mailbox.clear();
            return;
        }
        try
        {
            int drained = 0;
            while (drained < MAX_DRAIN && !stopped)
            {
                final Object event = mailbox.poll();
                if (null == event)
                {
                    break;
                }
                drained++;
                dispatch(event);
            }
            if (!stopped)
            {
                execute(core.flush(System.currentTimeMillis()));
                afterBatch();
            }
        }
        catch (final RuntimeException | StackOverflowError ex)
        {
            // A machine that recurses too deep is as broken as one that throws: stop this server only.
            crash(ex);
        }
        scheduled.set(false);
        if (!stopped && !mailbox.isEmpty() && scheduled.compareAndSet(false, true))
        {
            loop.schedule(this);
        }
    }

    private void dispatch(final Object event)
    {
        if (event == WRITTEN)
        {
            writtenPending.set(false);
            handle(latestWritten.get());
        }
        else if (event == TICK)
        {
            handle(TICK);
            if (!stopped)
            {
                persistLastApplied();
            }
        }
        else if (event instanceof RaftEvent raftEvent)
        {
            handle(raftEvent);
        }
        else if (event instanceof ServerTask task)
        {
            task.run(this);
        }
        else
        {
            throw new IllegalStateException("unhandled mailbox item " + event);
        }
    }

    private void handle(final RaftEvent event)
    {
        handleOne(event);
        // Events the shell produced while executing the actions (a snapshot installed) go to the core before
        // anything else: the core's view of the log is stale until it has seen them.
        RaftEvent next;
        while (!stopped && null != (next = selfEvents.poll()))
        {
            handleOne(next);
        }
    }

    private void handleOne(final RaftEvent event)
    {
        if (stopped)
        {
            return;
        }
        execute(core.handle(event, System.currentTimeMillis()));
        if (terminate)
        {
            stop(deleteOnTerminate, null);
        }
    }

    /**
     * Record how far the machine got, so a restart replays that far with effects discarded (Ra persists it on each
     * tick). Capped at the durable log: an index beyond it could be lost in a crash.
     */
    private void persistLastApplied()
    {
        final long applied = durableApplied();
        if (applied > persistedLastApplied)
        {
            storage.meta().storeLastApplied(applied);
            persistedLastApplied = applied;
        }
    }

    /**
     * @return the applied index as far as the log is durable: an index beyond it could be lost in a crash.
     */
    private long durableApplied()
    {
        return Math.min(core.lastApplied(), storage.log().lastWrittenIndex());
    }

    private void afterBatch()
    {
        if (!notifications.isEmpty())
        {
            for (final Map.Entry<ProcessRef, List<RaEvent.Correlated>> e : notifications.entrySet())
            {
                runtime.notifyApplied(e.getKey(), id, machine, e.getValue());
            }
            notifications.clear();
        }
        if (!parkedQueries.isEmpty())
        {
            final Iterator<ParkedQuery> it = parkedQueries.iterator();
            while (it.hasNext())
            {
                final ParkedQuery q = it.next();
                if (q.call.isDone())
                {
                    it.remove();
                }
                else if (core.lastApplied() >= q.minIndex)
                {
                    it.remove();
                    answerQuery(q);
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Actions (loop thread)

    private void execute(final List<RaftAction> actions)
    {
        // The list is reused by the core: it is only valid until the next call into the core, so go by index and
        // never call the core from here.
        for (int i = 0, n = actions.size(); i < n; i++)
        {
            execute(actions.get(i));
        }
        if (!deferredReplies.isEmpty())
        {
            deliverReplies();
        }
    }

    /**
     * Replies go out after the rest of the step's actions, so that a caller who sees the reply to a command knows
     * that the effects of that command (a monitor, a message) have been carried out.
     */
    private void deliverReplies()
    {
        for (int i = 0, n = deferredReplies.size(); i < n; i++)
        {
            final RaftAction.ReplyToCaller reply = deferredReplies.get(i);
            final Pending p = pending.remove(reply.callId());
            if (null != p)
            {
                if (reply.reply() instanceof MachineFailure failure)
                {
                    p.origin.commandFailed(failure, id);
                }
                else
                {
                    p.origin.ok(reply.reply(), id);
                }
            }
        }
        deferredReplies.clear();
    }

    private void execute(final RaftAction action)
    {
        if (action instanceof RaftAction.Send send)
        {
            runtime.sendRaft(id, send.to(), send.rpc());
        }
        else if (action instanceof RaftAction.AppendToLog append)
        {
            storage.log().appendInRound(append.entries());
            loop.afterRound(storage.log());
        }
        else if (action instanceof RaftAction.ReplyToCaller reply)
        {
            deferredReplies.add(reply);
        }
        else if (action instanceof RaftAction.NotifyApplied notify)
        {
            final Object reply = notify.reply() instanceof MachineFailure failure ?
                new CommandFailedException(failure.exceptionClass(), failure.message(), failure.index()) :
                notify.reply();
            notifications.computeIfAbsent(notify.to(), k -> new ArrayList<>())
                .add(new RaEvent.Correlated(notify.correlation(), reply));
        }
        else if (action instanceof RaftAction.SetElectionTimer timer)
        {
            setElectionTimer(timer.delayMs());
        }
        else if (action instanceof RaftAction.CancelElectionTimer)
        {
            electionDeadlineNanos = 0;
        }
        else if (action instanceof RaftAction.SetCommitNoticeTimer timer)
        {
            setCommitNoticeTimer(timer.delayMs());
        }
        else if (action instanceof RaftAction.PersistTermAndVote persist)
        {
            storage.meta().storeTermAndVote(persist.term(), persist.votedFor());
        }
        else if (action instanceof RaftAction.StorageRecovered)
        {
            storage.meta().clearDamage();
            LOG.warn("{}: recovered from the storage damage found at start-up (log re-replicated past what it had " +
                "acknowledged, term known); it votes and may lead again", id);
        }
        else if (action instanceof RaftAction.MachineEffects effects)
        {
            for (final Effect effect : effects.effects())
            {
                runEffectContained(effect);
            }
        }
        else if (action instanceof RaftAction.MachineFailed failed)
        {
            final MachineFailure f = failed.failure();
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
        else if (action instanceof RaftAction.CommandNotTaken notTaken)
        {
            commandNotTaken(notTaken);
        }
        else if (action instanceof RaftAction.RoleChanged changed)
        {
            roleChanged(changed);
        }
        else if (action instanceof RaftAction.QueryReady ready)
        {
            final Pending p = pending.remove(ready.queryId());
            if (null != p)
            {
                p.origin.ok(core.lastApplied(), id);
            }
        }
        else if (action instanceof RaftAction.CallCompleted completed)
        {
            if (stopIfHandOverEnds(completed.callId()))
            {
                return;
            }
            callCompleted(completed);
        }
        else if (action instanceof RaftAction.CallFailed failed)
        {
            if (stopIfHandOverEnds(failed.callId()))
            {
                return;
            }
            final Pending p = pending.remove(failed.callId());
            if (null != p)
            {
                if (failed.error() == CallError.NOT_LEADER)
                {
                    p.origin.redirect(failed.leaderHint());
                }
                else
                {
                    p.origin.failed(failed.error(), failed.leaderHint());
                }
            }
        }
        else if (action instanceof RaftAction.WriteSnapshot write)
        {
            writeSnapshot(write.meta(), write.machineState());
        }
        else if (action instanceof RaftAction.TruncateLogUpTo truncate)
        {
            storage.log().truncateUpTo(truncate.index());
        }
        else if (action instanceof RaftAction.InstallSnapshot install)
        {
            installSnapshot(install.meta(), install.data());
        }
        else if (action instanceof RaftAction.Terminate terminateAction)
        {
            // Stop once the rest of this step's actions ran (they may reply to callers).
            terminate = true;
            deleteOnTerminate = terminateAction.deleteData();
        }
        else
        {
            throw new IllegalStateException("unhandled action " + action);
        }
    }

    private void callCompleted(final RaftAction.CallCompleted completed)
    {
        final Pending p = pending.remove(completed.callId());
        if (null == p)
        {
            return;
        }
        switch (p.kind)
        {
            case MEMBER_CHANGE:
                refreshMembers();
                p.origin.ok(List.of(completed.index(), completed.term()), id);
                break;
            case READ_INDEX:
                p.origin.ok(core.lastApplied(), id);
                break;
            default:
                p.origin.ok(null, id);
                break;
        }
    }

    private void commandNotTaken(final RaftAction.CommandNotTaken notTaken)
    {
        final ReplyMode mode = notTaken.replyMode();
        final ServerId hint = id.equals(notTaken.leaderHint()) ? null : notTaken.leaderHint();
        if (mode instanceof ReplyMode.AwaitConsensus await)
        {
            final Pending p = pending.remove(await.callId());
            if (null != p)
            {
                p.origin.redirect(hint);
            }
        }
        else if (mode instanceof ReplyMode.Notify notify)
        {
            runtime.sendEvent(notify.to(), new RaEvent.Rejected(id, hint, notify.correlation()), id);
        }
        else if (null != hint && currentCastHops < MAX_CAST_HOPS)
        {
            runtime.castCommand(hint, notTaken.command(), null, null, currentCastHops + 1);
        }
        else
        {
            LOG.warn("{}: dropping a pipelined command: no leader known", id);
        }
    }

    private void roleChanged(final RaftAction.RoleChanged changed)
    {
        role = changed.to();
        if (changed.from() == RaftState.LEADER && changed.to() != RaftState.LEADER)
        {
            dropLeaderResources();
        }
        if (null != changed.leader())
        {
            cluster.leader = changed.leader();
        }
        refreshMembers();
    }

    private void refreshMembers()
    {
        final List<Member> members = core.members();
        final List<ServerId> ids = new ArrayList<>(members.size());
        for (final Member m : members)
        {
            ids.add(m.id());
        }
        cluster.members = List.copyOf(ids);
    }

    private void setElectionTimer(final long delayMs)
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(0, delayMs));
        electionDeadlineNanos = deadline;
        // Followers reset their timer on every append: keep one loop timer and move the deadline lazily, scheduling
        // a new loop timer only when the deadline moves earlier.
        if (null == electionTimer || electionTimer.isCancelled() || electionTimer.deadlineNanos - deadline > 0)
        {
            if (null != electionTimer)
            {
                electionTimer.cancel();
            }
            electionTimer = loop.schedule(deadline - System.nanoTime(), this::electionTimerDue);
        }
    }

    private void electionTimerDue()
    {
        electionTimer = null;
        if (stopped || electionDeadlineNanos == 0)
        {
            return;
        }
        final long remaining = electionDeadlineNanos - System.nanoTime();
        if (remaining > 0)
        {
            electionTimer = loop.schedule(remaining, this::electionTimerDue);
            return;
        }
        electionDeadlineNanos = 0;
        enqueue(ELECTION_TIMEOUT);
    }

    private void setCommitNoticeTimer(final long delayMs)
    {
        if (null != commitNoticeTimer)
        {
            commitNoticeTimer.cancel();
        }
        commitNoticeTimer = loop.schedule(TimeUnit.MILLISECONDS.toNanos(Math.max(0, delayMs)), this::commitNoticeDue);
    }

    private void commitNoticeDue()
    {
        commitNoticeTimer = null;
        if (!stopped)
        {
            enqueue(COMMIT_NOTICE_DUE);
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Snapshots

    private void writeSnapshot(final SnapshotMeta meta, final Object state)
    {
        runtime.backgroundExecutor().execute(() ->
        {
            try
            {
                final Bytes data = Bytes.wrap(machine.stateCodec().toBytes(state));
                storage.snapshots().write(meta, data);
                enqueue((ServerTask)s -> s.snapshotWritten(meta));
            }
            catch (final RuntimeException ex)
            {
                LOG.warn("{}: writing snapshot {} failed", id, meta, ex);
                enqueue(new RaftEvent.SnapshotFailed(meta, String.valueOf(ex)));
            }
        });
    }

    private void snapshotWritten(final SnapshotMeta meta)
    {
        handle(new RaftEvent.SnapshotWritten(meta));
    }

    private void installSnapshot(final SnapshotMeta meta, final Bytes data)
    {
        final Object state = machine.stateCodec().fromBytes(data.unsafeArray());
        storage.snapshots().write(meta, data);
        storage.log().resetTo(meta.index(), meta.term());
        selfEvents.add(new RaftEvent.SnapshotInstalled(meta, state));
    }

    // ------------------------------------------------------------------------------------------------------------
    // Machine effects

    /**
     * The leadership transfer of an orderly stop ended, done (TimeoutNow is on its way) or not: the stop goes on once
     * the rest of this step's actions ran.
     *
     * @return whether {@code callId} was that transfer.
     */
    private boolean stopIfHandOverEnds(final long callId)
    {
        if (!handOver.ends(callId))
        {
            return false;
        }
        terminate = true;
        deleteOnTerminate = false;
        return true;
    }

    /**
     * An effect that cannot be carried out (a message the machine's codec cannot encode, a handler that throws) is the
     * machine's problem, not the member's: it is logged and counted, and the member carries on (unless the node runs
     * with {@link ApplyFailureMode#STOP_SERVER}).
     */
    private void runEffectContained(final Effect effect)
    {
        try
        {
            runEffect(effect);
        }
        catch (final RuntimeException ex)
        {
            if (runtime.applyFailureMode() == ApplyFailureMode.STOP_SERVER)
            {
                throw ex;
            }
            effectFailures++;
            LOG.warn("{}: the effect {} failed: {}", id, effect.getClass().getSimpleName(), ex.toString());
        }
    }

    private void runEffect(final Effect effect)
    {
        if (effect instanceof Effect.SendMsg send)
        {
            runtime.sendToProcess(send.to(), send.message(), id, machine);
        }
        else if (effect instanceof Effect.Monitor monitor)
        {
            if (monitoredProcesses.add(monitor.process()))
            {
                runtime.monitorProcess(monitor.process(), id);
            }
        }
        else if (effect instanceof Effect.Demonitor demonitor)
        {
            if (monitoredProcesses.remove(demonitor.process()))
            {
                runtime.demonitorProcess(demonitor.process(), id);
            }
        }
        else if (effect instanceof Effect.MonitorNode monitorNode)
        {
            if (monitoredNodes.add(monitorNode.node()) && !runtime.isNodeUp(monitorNode.node()))
            {
                // As Erlang's monitor_node: watching a node that is already down reports it down at once.
                enqueue(new RaftEvent.BuiltinTriggered(new BuiltinCommand.NodeDown(monitorNode.node())));
            }
        }
        else if (effect instanceof Effect.DemonitorNode demonitorNode)
        {
            monitoredNodes.remove(demonitorNode.node());
        }
        else if (effect instanceof Effect.Timer timer)
        {
            startMachineTimer(timer.name(), timer.delayMs());
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
            runtime.modCall(id, modCall.handler(), modCall.argument());
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

    private void startMachineTimer(final String name, final long delayMs)
    {
        final LoopTimer previous = machineTimers.remove(name);
        if (null != previous)
        {
            previous.cancel();
        }
        final LoopTimer[] holder = new LoopTimer[1];
        holder[0] = loop.schedule(TimeUnit.MILLISECONDS.toNanos(delayMs), () ->
        {
            if (machineTimers.get(name) == holder[0])
            {
                machineTimers.remove(name);
                enqueue(new RaftEvent.BuiltinTriggered(new BuiltinCommand.Timeout(name)));
            }
        });
        machineTimers.put(name, holder[0]);
    }

    private void dropLeaderResources()
    {
        for (final ProcessRef process : monitoredProcesses)
        {
            runtime.demonitorProcess(process, id);
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
     * A monitored process ended (loop thread, via a task).
     */
    void processDown(final ProcessRef process, final DownReason reason)
    {
        if (monitoredProcesses.remove(process))
        {
            handle(new RaftEvent.BuiltinTriggered(new BuiltinCommand.Down(process, reason)));
        }
    }

    /**
     * A connected node went silent, or was heard from again (loop thread, via a task). Only the Raft members there
     * hear of it: monitors and node monitors wait for the node to be reported down.
     */
    void nodeSilence(final String node, final boolean silent)
    {
        for (final Member member : core.members())
        {
            if (member.id().node().equals(node) && !member.id().equals(id))
            {
                handle(silent ? new RaftEvent.PeerSilent(member.id()) : new RaftEvent.PeerReachable(member.id()));
            }
        }
    }

    /**
     * A node's reachability changed (loop thread, via a task).
     */
    void nodeStatus(final String node, final boolean up)
    {
        for (final Member member : core.members())
        {
            if (member.id().node().equals(node) && !member.id().equals(id))
            {
                handle(up ? new RaftEvent.PeerReachable(member.id()) : new RaftEvent.PeerUnreachable(member.id()));
            }
        }
        if (!up)
        {
            final List<ProcessRef> lost = new ArrayList<>();
            for (final ProcessRef process : monitoredProcesses)
            {
                if (process.node().equals(node))
                {
                    lost.add(process);
                }
            }
            for (final ProcessRef process : lost)
            {
                processDown(process, DownReason.NOCONNECTION);
            }
        }
        if (monitoredNodes.contains(node))
        {
            handle(new RaftEvent.BuiltinTriggered(up ? new BuiltinCommand.NodeUp(node) :
                new BuiltinCommand.NodeDown(node)));
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Calls (loop thread, via tasks)

    /**
     * Take a call addressed to this server.
     */
    void call(final ServerRequest request, final CallOrigin origin)
    {
        if (request instanceof ServerRequest.Command command)
        {
            final String refusal = refusal(command.command());
            if (null != refusal)
            {
                origin.failed(CallError.INVALID_COMMAND, null, refusal);
                return;
            }
            final long callId = register(origin, PendingKind.COMMAND);
            handle(new RaftEvent.ClientCommand(command.command(), new ReplyMode.AwaitConsensus(callId)));
        }
        else if (request instanceof ServerRequest.AddMember add)
        {
            final long callId = register(origin, PendingKind.MEMBER_CHANGE);
            handle(new RaftEvent.AddMember(callId, new Member(add.member(), add.membership(), 0)));
        }
        else if (request instanceof ServerRequest.RemoveMember remove)
        {
            final long callId = register(new RemovalOrigin(origin, remove.member(), runtime::retireRemovedMember),
                PendingKind.MEMBER_CHANGE);
            handle(new RaftEvent.RemoveMember(callId, remove.member()));
        }
        else if (request instanceof ServerRequest.TransferLeadership transfer)
        {
            final long callId = register(origin, PendingKind.TRANSFER);
            handle(new RaftEvent.TransferLeadership(callId, transfer.target()));
        }
        else if (request instanceof ServerRequest.DeleteCluster)
        {
            final long callId = register(origin, PendingKind.DELETE);
            handle(new RaftEvent.DeleteCluster(callId));
        }
        else if (request instanceof ServerRequest.TriggerElection)
        {
            handle(new RaftEvent.TriggerElection());
            origin.ok(null, core.leaderId());
        }
        else if (request instanceof ServerRequest.Members)
        {
            if (core.role() == RaftState.LEADER)
            {
                refreshMembers();
                origin.ok(cluster.members, id);
            }
            else
            {
                origin.redirect(id.equals(core.leaderId()) ? null : core.leaderId());
            }
        }
        else if (request instanceof ServerRequest.ReadIndex readIndex)
        {
            if (readIndex.confirmLeadership())
            {
                final long callId = register(origin, PendingKind.READ_INDEX);
                handle(new RaftEvent.ConsistentQuery(callId));
            }
            else if (core.role() == RaftState.LEADER)
            {
                origin.ok(core.lastApplied(), id);
            }
            else
            {
                origin.redirect(id.equals(core.leaderId()) ? null : core.leaderId());
            }
        }
        else if (request instanceof ServerRequest.NamedQuery named)
        {
            namedQuery(named, origin);
        }
        else if (request instanceof ServerRequest.Stop)
        {
            stop(false, null);
            origin.ok(null, null);
        }
        else if (request instanceof ServerRequest.ForceDelete)
        {
            stop(true, null);
            origin.ok(null, null);
        }
        else
        {
            throw new IllegalStateException("unhandled request " + request);
        }
    }

    private long register(final CallOrigin origin, final PendingKind kind)
    {
        final long callId = nextCallId++;
        pending.put(callId, new Pending(origin, kind));
        return callId;
    }

    /**
     * A fire-and-forget command, with an optional process to notify.
     */
    void cast(final UserCommand command, final ProcessRef notifyTo, final Object correlation, final int hops)
    {
        final String refusal = refusal(command);
        if (null != refusal)
        {
            LOG.warn("{}: refusing a pipelined command: {}", id, refusal);
            if (null != notifyTo)
            {
                notifications.computeIfAbsent(notifyTo, k -> new ArrayList<>()).add(new RaEvent.Correlated(
                    correlation, new InvalidCommandException(refusal)));
            }
            return;
        }
        currentCastHops = hops;
        handle(new RaftEvent.ClientCommand(command, null == notifyTo ? ReplyMode.NO_REPLY :
            new ReplyMode.Notify(notifyTo, correlation)));
        currentCastHops = 0;
    }

    /**
     * A leader checks a command BEFORE appending it, as the caller's node did (a caller on another node may run other
     * code): bytes the machine cannot decode, a command of another type than the machine's, or one above the maximum
     * command size would otherwise become an entry every member fails to apply, or one that cannot be replicated. The
     * decoded value is cached in the command, so applying it later costs nothing more. Other members leave the checks
     * to the leader they redirect to.
     *
     * @return null if the command may be appended, else why not.
     */
    private String refusal(final UserCommand command)
    {
        if (core.role() != RaftState.LEADER)
        {
            return null;
        }
        final Object value;
        try
        {
            value = command.value(machine.commandCodec());
        }
        catch (final RuntimeException ex)
        {
            LOG.warn("{}: refusing a command whose bytes do not decode: {}", id, ex.toString());
            return "cluster '" + cluster.clusterName + "': the command's bytes do not decode with the command codec " +
                "of machine " + machine.getClass().getName() + ": " + ex.getMessage();
        }
        final String wrongType = CommandCheck.wrongType(cluster, value);
        if (null != wrongType)
        {
            return wrongType;
        }
        final Bytes data;
        try
        {
            data = command.data(machine.commandCodec());
        }
        catch (final RuntimeException ex)
        {
            return "cluster '" + cluster.clusterName + "': the command cannot be encoded with the command codec of " +
                "machine " + machine.getClass().getName() + ": " + ex.getMessage();
        }
        return CommandCheck.tooLarge(cluster, data.length(), runtime.maxCommandBytes());
    }

    /**
     * Run a query here once {@code minIndex} is applied (at once when it already is).
     */
    void localQuery(final Function<Object, Object> query, final long minIndex, final long minTerm,
        final ClientCall call)
    {
        final ParkedQuery q = new ParkedQuery(query, minIndex, minTerm, call.future);
        if (core.lastApplied() >= minIndex)
        {
            answerQuery(q);
        }
        else
        {
            parkedQueries.add(q);
        }
    }

    /**
     * A query the machine declares by name, possibly from another node: decoded and answered with the machine's query
     * codec, as described on {@link ServerRequest.NamedQuery}.
     */
    private void namedQuery(final ServerRequest.NamedQuery named, final CallOrigin origin)
    {
        final CompletableFuture<Object> answer = new CompletableFuture<>();
        final Object argument;
        try
        {
            argument = machine.queryCodec().fromBytes(named.argument().unsafeArray());
        }
        catch (final RuntimeException ex)
        {
            origin.ok(List.of(false, 0L, 0L, "bad query argument: " + ex.getMessage()), core.leaderId());
            return;
        }
        answer.whenComplete((value, error) ->
        {
            if (null != error)
            {
                origin.ok(List.of(false, 0L, 0L, String.valueOf(error.getMessage())), null);
                return;
            }
            final dev.ra.QueryResult<?> result = (dev.ra.QueryResult<?>)value;
            origin.ok(List.of(true, result.index(), result.term(),
                machine.queryCodec().toBytes(result.result())), result.leader());
        });
        final ParkedQuery q = new ParkedQuery(state -> machine.query(named.name(), argument, state),
            named.minIndex(), 0, answer);
        if (core.lastApplied() >= named.minIndex())
        {
            answerQuery(q);
        }
        else
        {
            parkedQueries.add(q);
        }
    }

    private void answerQuery(final ParkedQuery q)
    {
        if (q.minTerm > 0)
        {
            final long term = storage.log().term(q.minIndex);
            if (term != LogStore.UNKNOWN_TERM && term != q.minTerm)
            {
                q.call.completeExceptionally(new dev.ra.RaException("the entry at index " + q.minIndex +
                    " on " + id + " has term " + term + ", not " + q.minTerm + ": the awaited write was lost"));
                return;
            }
        }
        final long applied = core.lastApplied();
        final Object result;
        try
        {
            result = q.query.apply(core.machineState());
        }
        catch (final RuntimeException ex)
        {
            q.call.completeExceptionally(ex);
            return;
        }
        final long term = storage.log().term(applied);
        final ServerId leader = core.leaderId();
        q.call.complete(new dev.ra.QueryResult<>(result, applied, Math.max(0, term), leader));
    }

    ServerOverview overview()
    {
        final List<ServerId> members = new ArrayList<>();
        for (final Member m : core.members())
        {
            members.add(m.id());
        }
        final Map<String, Long> counters = new LinkedHashMap<>(core.counters().asMap());
        counters.put("effect_failures", effectFailures);
        Map<String, Object> machineOverview;
        try
        {
            machineOverview = machine.overview(core.machineState());
        }
        catch (final RuntimeException ex)
        {
            machineOverview = Map.of("error", String.valueOf(ex));
        }
        return new ServerOverview(id, cluster.clusterName, core.role(), core.currentTerm(), core.leaderId(),
            core.commitIndex(), core.lastApplied(), core.lastIndex(), core.lastWrittenIndex(), core.snapshotIndex(),
            members, counters, machineOverview);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Stopping

    /**
     * The core or the machine threw: stop this server only.
     */
    void crash(final Throwable cause)
    {
        if (stopped)
        {
            return;
        }
        LOG.error("{}: stopping after a failure in the core or the machine; restart it from its storage " +
            "with restartServer", id, cause);
        stop(false, cause);
    }

    /**
     * Stop on the loop thread: fail pending calls, drop monitors and timers, close (or delete) storage, tell the
     * peers.
     */
    void stop(final boolean deleteData, final Throwable cause)
    {
        if (stopped)
        {
            return;
        }
        if (!deleteData && null == cause && null != core && handOver.begin(core, this::handle, loop::schedule,
            runtime.config().electionTimeoutMin().toNanos(), () -> stop(false, null)))
        {
            // A leader stopping in order hands over first; the stop goes on from there.
            return;
        }
        if (stopped)
        {
            // The hand-over ended at once and the stop already ran.
            return;
        }
        stopped = true;
        LOG.info("{}: stopping{}", id, deleteData ? " and deleting its data" : "");
        electionDeadlineNanos = 0;
        if (null != electionTimer)
        {
            electionTimer.cancel();
        }
        if (null != commitNoticeTimer)
        {
            commitNoticeTimer.cancel();
        }
        List<ServerId> peers = List.of();
        if (null != core)
        {
            try
            {
                peers = new ArrayList<>();
                for (final Member m : core.members())
                {
                    if (!m.id().equals(id))
                    {
                        peers.add(m.id());
                    }
                }
            }
            catch (final RuntimeException ex)
            {
                peers = cluster.members;
            }
        }
        dropLeaderResources();
        if (null == cause && null != core)
        {
            try
            {
                persistLastApplied();
            }
            catch (final RuntimeException ex)
            {
                LOG.warn("{}: could not record the applied index", id, ex);
            }
        }
        for (final Pending p : pending.values())
        {
            p.origin.stopped(id, cause);
        }
        pending.clear();
        for (final ParkedQuery q : parkedQueries)
        {
            q.call.completeExceptionally(new ServerStoppedException("server " + id + " stopped", cause));
        }
        parkedQueries.clear();
        Object queued;
        while (null != (queued = mailbox.poll()))
        {
            if (queued instanceof ServerTask task)
            {
                runtime.runRejected(task, this);
            }
        }
        selfEvents.clear();
        loop.removeServer(this);
        try
        {
            storage.close();
            if (deleteData)
            {
                runtime.storage().delete(id);
            }
        }
        catch (final RuntimeException ex)
        {
            LOG.warn("{}: closing storage failed", id, ex);
        }
        runtime.serverStopped(this, peers);
        stoppedFuture.complete(null);
    }

    @Override
    public String toString()
    {
        return "ServerProcess[" + id + "]";
    }
}

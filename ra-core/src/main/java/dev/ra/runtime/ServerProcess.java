package dev.ra.runtime;

import dev.ra.ApplyFailureMode;
import dev.ra.DownReason;
import dev.ra.Effect;
import dev.ra.InvalidCommandException;
import dev.ra.ProcessRef;
import dev.ra.RaEvent;
import dev.ra.RaftRole;
import dev.ra.ServerId;
import dev.ra.ServerOverloadedException;
import dev.ra.ServerOverview;
import dev.ra.ServerStoppedException;
import dev.ra.StateMachine;
import dev.ra.core.CallError;
import dev.ra.core.RaftAction;
import dev.ra.core.RaftEvent;
import dev.ra.core.ReplyMode;
import dev.ra.core.ServerCore;
import dev.ra.protocol.Member;
import dev.ra.protocol.ServerRequest;
import dev.ra.protocol.UserCommand;
import dev.ra.spi.LogListener;
import dev.ra.spi.ServerStorage;
import dev.ra.stats.LatencyHistogram;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
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
 * <p>It sends everything through the {@link MessageRouter} and gets what else it needs of its node from its
 * {@link ServerEnvironment}; it never sees the runtime that started it. Parts of its work live beside it:
 * {@link ServerCalls} and {@link CallAnswers}, {@link NodeEvents}, {@link MachineEffects}, {@link ServerCallLedger},
 * {@link ParkedQueries}, {@link ServerTimers}, {@link SnapshotWork}.
 *
 * <p>Everything but {@link #enqueue}, the {@link ServerMailbox} methods, {@link #onWritten} and the listener callbacks
 * is confined to the loop thread.
 *
 * <p>A machine that throws is contained by the core ({@link ApplyFailureMode#FAIL_COMMAND}, the default): the caller
 * of the command gets the failure, the failure is logged and counted. An effect that fails to run is logged and
 * counted too. With {@link ApplyFailureMode#STOP_SERVER}, or if the core itself throws, the server stops: it logs the
 * failure, fails its pending calls with {@link ServerStoppedException}, closes its storage (keeping the data) and tells
 * its peers it is down. Other servers are not affected; the server can be restarted from its storage with
 * {@code restartServer}.
 */
final class ServerProcess implements LogListener, ServerMailbox, TermAndVoteHold.Server
{
    private static final Logger LOG = LoggerFactory.getLogger(ServerProcess.class);
    private static final int MAX_DRAIN = 512;
    private static final Object WRITTEN = new Object();
    private static final RaftEvent TICK = new RaftEvent.Tick();
    private static final RaftEvent ELECTION_TIMEOUT = new RaftEvent.ElectionTimeout();
    private static final RaftEvent COMMIT_NOTICE_DUE = new RaftEvent.CommitNoticeDue();
    /** A batch of its own, whose end forgets the waiting queries whose calls completed ({@link #afterBatch}). */
    private static final ServerTask SWEEP_QUERIES = server -> { };

    final ServerId id;
    final ClusterInfo cluster;
    final ServerEnvironment environment;
    private final HostedClusterEntry clusterEntry;
    private final MessageRouter router;
    private final RuntimeClock clock;
    private final CoreTime coreTime;
    private final EventLoop loop;
    private final StateMachine<Object, Object> machine;
    private final ServerStorage storage;
    private final MailboxQueue<Object> mailbox = new MailboxQueue<>();
    /** The commands in the mailbox not taken yet: bounded, so a caller faster than the loop is refused at the call. */
    private final QueuedCommands queuedCommands;
    /** This server's place on its loop's {@link RunQueue}. */
    final RunQueue.Entry<ServerProcess> runQueueEntry = new RunQueue.Entry<>(this);
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final AtomicBoolean writtenPending = new AtomicBoolean();
    private final AtomicReference<RaftEvent.LogWritten> latestWritten = new AtomicReference<>();
    private final ArrayDeque<RaftEvent> selfEvents = new ArrayDeque<>();
    final ServerCallLedger ledger = new ServerCallLedger();
    final ParkedQueries queries;
    /** Whether the loop thread is in {@link #drain} (read with {@code loop.inLoop()} only: the same thread). */
    private boolean draining;
    /** The processes to notify of commands applied in this batch. */
    private final PendingNotifications notifications;
    final MachineEffects effects;
    private final CompletableFuture<Void> stoppedFuture = new CompletableFuture<>();
    ServerCore core;
    private final ServerTimers timers;
    private final ServerCalls calls = new ServerCalls(this);
    private final CallAnswers answers;
    final NodeEvents nodeEvents = new NodeEvents(this);
    private final SnapshotWork snapshots;
    private int currentCastHops;
    private long persistedLastApplied;
    private boolean terminate;
    /** The stop that goes on after a hand-over; built with the server, like the hand-over's own callbacks. */
    private final Runnable stopAfterHandOver = () -> stop(false, null);
    private final LeadershipHandOver handOver;
    private final LatencyHistogram applyTimes = new LatencyHistogram();
    private final TermAndVoteHold termAndVote;
    /** Whether the loop offers this server its ticks ({@link #offerTicks}). */
    private boolean offeredTicks;
    /** Whether a stop deleting the data ends the server with its cluster's deletion (not a removal). */
    boolean deleteOnTerminate;
    private volatile boolean stopped;
    private volatile RaftRole role = RaftRole.RECOVERING;

    ServerProcess(final ServerEnvironment environment, final EventLoop loop, final ServerId id,
        final ClusterInfo cluster, final ServerStorage storage)
    {
        this.environment = environment;
        this.router = environment.router();
        this.clock = environment.clock();
        this.coreTime = environment.coreTime();
        this.loop = loop;
        this.handOver = new LeadershipHandOver(this::handle, loop::schedule, stopAfterHandOver);
        this.id = id;
        this.cluster = cluster;
        this.clusterEntry = new HostedClusterEntry(id, cluster, environment.clusters());
        this.machine = cluster.machine;
        this.storage = storage;
        this.termAndVote = new TermAndVoteHold(this, storage.meta(), loop);
        this.queuedCommands = new QueuedCommands(environment.maxQueuedBytes());
        this.queries = new ParkedQueries(id, storage, this::sweepQueriesSoon, loop, environment);
        this.answers = new CallAnswers(this, router);
        this.notifications = new PendingNotifications(id, router, this::machineOf);
        this.effects = new MachineEffects(id, loop, environment, this::enqueue);
        this.snapshots = new SnapshotWork(id, machine, storage, environment.background(), this::enqueue);
        this.timers = new ServerTimers(loop, clock, () -> enqueueUnlessStopped(ELECTION_TIMEOUT),
            () -> enqueueUnlessStopped(COMMIT_NOTICE_DUE));
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
                execute(core.start(coreTime.millis()));
                offerTicks();
                role = core.role();
                started.complete(null);
                if (!mailbox.isEmpty() && scheduled.compareAndSet(false, true))
                {
                    loop.schedule(this);
                }
            }
            catch (final RuntimeException | Error ex)
            {
                // Stopped first: whoever hears of the failed start finds the server gone (and may delete its data).
                crash(ex);
                started.completeExceptionally(ex);
            }
        });
    }

    @Override
    public boolean isStopped()
    {
        return stopped;
    }

    RaftRole role()
    {
        return stopped ? RaftRole.STOPPED : role;
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
                task.rejected(id);
            }
            return;
        }
        mailbox.offer(event);
        if (!scheduled.get() && scheduled.compareAndSet(false, true))
        {
            loop.schedule(this);
        }
    }

    /**
     * The server stopped: what is left in its mailbox will not run; the calls waiting on it are answered at once.
     */
    private void rejectQueued()
    {
        mailbox.drain(queued -> ServerTask.reject(queued, id));
    }

    private void enqueueUnlessStopped(final RaftEvent event)
    {
        if (!stopped)
        {
            enqueue(event);
        }
    }

    @Override
    public ServerId serverId()
    {
        return id;
    }

    @Override
    public void deliver(final RaftEvent event)
    {
        enqueue(event);
    }

    @Override
    public void deliverCall(final ServerRequest request, final CallOrigin origin)
    {
        final long counted = request instanceof ServerRequest.Command command ?
            queuedCommands.reserve(command.command()) : 0;
        if (counted < 0)
        {
            origin.failed(CallError.OVERLOADED, id, queuedCommands.refusal(id));
            return;
        }
        enqueue(new CallTask(request, origin, counted));
    }

    @Override
    public void deliverCast(final UserCommand command, final ProcessRef notifyTo, final Object correlation,
        final int hops)
    {
        final long counted = queuedCommands.reserve(command);
        if (counted < 0)
        {
            if (null != notifyTo)
            {
                router.notifyApplied(notifyTo, id, machine, List.of(new RaEvent.Correlated(correlation,
                    new ServerOverloadedException(queuedCommands.refusal(id)))));
            }
            return;
        }
        enqueue(new ServerTask()
        {
            @Override
            public void run(final ServerProcess server)
            {
                server.takenFromMailbox(counted);
                server.cast(command, notifyTo, correlation, hops);
            }

            @Override
            public void rejected(final ServerId server)
            {
                // Stopped since the router found it: answered as a command for a server that does not run (its
                // deletion, recorded before the stop rejects its mailbox, may name a member to send it to).
                router.castToNotRunning(server, command, notifyTo, correlation, hops);
            }
        });
    }

    /**
     * @param counted what {@link QueuedCommands#reserve} counted for a command the loop takes now (0 for none).
     */
    void takenFromMailbox(final long counted)
    {
        if (0 != counted)
        {
            queuedCommands.taken(counted);
        }
    }

    @Override
    public void deliverProcessDown(final ProcessRef process, final DownReason reason)
    {
        enqueue((ServerTask)s -> s.nodeEvents.processDown(process, reason));
    }

    @Override
    public void deliverNodeSilence(final String node, final boolean silent)
    {
        enqueue((ServerTask)s -> s.nodeEvents.nodeSilence(node, silent));
    }

    @Override
    public void deliverNodeStatus(final String node, final boolean up)
    {
        enqueue((ServerTask)s -> s.nodeEvents.nodeStatus(node, up));
    }

    @Override
    public void deliverPeerNotRunning(final ServerId peer, final boolean deletedWithCluster, final long deletedInTerm)
    {
        enqueue((ServerTask)s -> s.nodeEvents.peerNotRunning(peer, deletedWithCluster &&
            !EarlierClusterNotices.aboutEarlierCluster(s, "the deletion of " + peer, deletedInTerm)));
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
     * Called on this server's loop thread (like {@link #drain}), if it said it wants ticks ({@link #offerTicks}). A
     * server takes a tick only when its core wants it or its applied index awaits persisting: a node hosting
     * thousands of idle clusters then handles no tick at all.
     */
    void tick()
    {
        if (stopped)
        {
            return;
        }
        if (core.wantsTicks() || core.lastApplied() > persistedLastApplied && durableApplied() > persistedLastApplied)
        {
            enqueue(TICK);
        }
    }

    /**
     * Tell the loop whether to offer this server its ticks; after every change of the core's state (a step, a batch),
     * so the loop's tick visits only the servers that may want one.
     */
    private void offerTicks()
    {
        final boolean wants = !stopped && (core.wantsTicks() || core.lastApplied() > persistedLastApplied);
        if (wants != offeredTicks)
        {
            offeredTicks = wants;
            loop.offerTicks(this, wants);
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Draining (loop thread)

    /**
     * A waiting query's call completed. Any thread. Nothing to do if this server completed it in a batch (that batch
     * ends with a sweep), else a batch is asked for: a timeout on an idle member would otherwise leave the query
     * held until the member's next event.
     */
    private void sweepQueriesSoon()
    {
        if (!(loop.inLoop() && draining))
        {
            enqueue(SWEEP_QUERIES);
        }
    }

    void drain()
    {
        if (stopped)
        {
            // Offered by a thread that read the flag before the stop set it: answered now, not at its timeout.
            rejectQueued();
            return;
        }
        if (null == core)
        {
            // Registered, so messages and calls reach it, but its start task has not run on the loop yet: what came
            // waits in the mailbox, and the start task schedules it (handled now, it met no core and the server
            // stopped: a newcomer stopped by the first message of its leader).
            scheduled.set(false);
            return;
        }
        draining = true;
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
                execute(core.flush(coreTime.millis()));
                afterBatch();
                offerTicks();
            }
        }
        catch (final RuntimeException | Error ex)
        {
            // A machine that recurses too deep or fails an assertion is as broken as one that throws: stop this server
            // only. Left to the loop, the server would stay scheduled for ever, never to run again.
            crash(ex);
        }
        draining = false;
        scheduled.set(false);
        if (stopped)
        {
            // Stopped in this drain: what was offered since the stop's own sweep (its offerer found this scheduled).
            rejectQueued();
        }
        else if (!mailbox.isEmpty() && scheduled.compareAndSet(false, true))
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

    void handle(final RaftEvent event)
    {
        handleOne(event);
        handleSelfEvents();
        if (!stopped)
        {
            offerTicks();
        }
    }

    private void handleSelfEvents()
    {
        // Events the shell produced while executing actions (a snapshot installed) go to the core before anything
        // else, whichever path ran the actions: the core's view of the log is stale until it has seen them.
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
        // Entries are applied once known committed: on a replication message or reply, or a durability report. Only
        // those are timed (a clock read costs tens of ns), so a leader's commands cost none each, only their batches.
        final boolean mayApply = event instanceof RaftEvent.RpcReceived || event instanceof RaftEvent.LogWritten;
        final long appliedBefore = core.lastApplied();
        final long startNanos = mayApply ? clock.nanoTime() : 0;
        final List<RaftAction> actions = core.handle(event, coreTime.millis());
        if (mayApply && core.lastApplied() != appliedBefore)
        {
            applyTimes.record(clock.nanoTime() - startNanos);
        }
        execute(actions);
        clusterEntry.refreshIfChanged(core);
        if (handOver.settled(core))
        {
            // A stopping leader handed over (or could not): the stop goes on once this step's messages have left, as
            // its closing work syncs files and would hold back, on a loop the transport shares, the acknowledgement
            // of the successor's entry this step sent.
            loop.behindQueuedSends(stopAfterHandOver);
        }
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
        notifications.send();
        queries.runDue(core);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Actions (loop thread)

    private void execute(final List<RaftAction> actions)
    {
        if (termAndVote.holding())
        {
            // Nothing a later step does may overtake what the write in flight holds back.
            termAndVote.hold(actions);
            return;
        }
        executeFrom(actions);
    }

    @Override
    public void executeFrom(final List<RaftAction> actions)
    {
        // The list is reused by the core: it is only valid until the next call into the core, so go by index and
        // never call the core from here.
        boolean persisted = false;
        for (int i = 0, n = actions.size(); i < n; i++)
        {
            final RaftAction action = actions.get(i);
            if (action instanceof RaftAction.PersistTermAndVote)
            {
                if (!persisted && termAndVote.write(actions, i))
                {
                    return;
                }
                persisted = true;
                continue;
            }
            execute(action);
        }
        answers.deliverDeferred();
    }

    @Override
    public void writeFailed(final Throwable failure)
    {
        crash(new IllegalStateException("term and vote of " + id + " could not be stored", failure));
    }

    @Override
    public void released()
    {
        try
        {
            termAndVote.release();
            handleSelfEvents();
            if (!stopped)
            {
                afterBatch();
                offerTicks();
            }
        }
        catch (final RuntimeException | Error ex)
        {
            crash(ex);
        }
    }

    private void execute(final RaftAction action)
    {
        if (action instanceof RaftAction.Send send)
        {
            router.sendRaft(id, send.to(), send.rpc());
        }
        else if (action instanceof RaftAction.AppendToLog append)
        {
            storage.log().appendInRound(append.entries());
            loop.afterRound(storage.log());
        }
        else if (action instanceof RaftAction.ReplyToCaller reply)
        {
            answers.defer(reply);
        }
        else if (action instanceof RaftAction.NotifyApplied notify)
        {
            notifications.applied(notify);
        }
        else if (action instanceof RaftAction.NotifyRefused refused)
        {
            notifications.add(refused.to(), core.effectiveMachineVersion(), CommandFailures.refused(refused));
        }
        else if (action instanceof RaftAction.SetElectionTimer timer)
        {
            timers.setElectionTimer(timer.delayMs());
        }
        else if (action instanceof RaftAction.CancelElectionTimer)
        {
            timers.cancelElectionTimer();
        }
        else if (action instanceof RaftAction.SetCommitNoticeTimer timer)
        {
            timers.setCommitNoticeTimer(timer.delayMs());
        }
        else if (action instanceof RaftAction.StorageRecovered)
        {
            storage.meta().clearDamage();
            LOG.warn("{}: recovered from the storage damage found at start-up (log re-replicated past what it had " +
                "acknowledged, term known); it votes and may lead again", id);
        }
        else if (action instanceof RaftAction.MachineEffects machineEffects)
        {
            final StateMachine<Object, Object> sender = machineOf(machineEffects.machineVersion());
            for (final Effect effect : machineEffects.effects())
            {
                effects.run(effect, sender);
            }
        }
        else if (action instanceof RaftAction.MachineFailed failed)
        {
            effects.logFailure(failed.failure());
        }
        else if (action instanceof RaftAction.MachineVersionUnsupported unsupported)
        {
            LOG.error("{}", unsupported.message());
        }
        else if (action instanceof RaftAction.CommandNotTaken notTaken)
        {
            answers.notTaken(notTaken, currentCastHops);
        }
        else if (action instanceof RaftAction.RoleChanged changed)
        {
            roleChanged(changed);
        }
        else if (action instanceof RaftAction.QueryReady ready)
        {
            answers.queryReady(ready);
        }
        else if (action instanceof RaftAction.CallCompleted completed)
        {
            answers.completed(completed);
        }
        else if (action instanceof RaftAction.CallFailed failed)
        {
            answers.failed(failed);
        }
        else if (action instanceof RaftAction.WriteSnapshot write)
        {
            snapshots.write(write.meta(), write.machineState());
        }
        else if (action instanceof RaftAction.TruncateLogUpTo truncate)
        {
            storage.log().truncateUpTo(truncate.index());
        }
        else if (action instanceof RaftAction.InstallSnapshot install)
        {
            // The core's view of the log is stale until it has seen the installation: it goes first.
            selfEvents.add(snapshots.install(install.meta(), install.data()));
        }
        else if (action instanceof RaftAction.RetireMember retire)
        {
            environment.retire().accept(retire.member(), EarlierClusterNotices.retirement(core, retire.removedAt()));
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

    private void roleChanged(final RaftAction.RoleChanged changed)
    {
        role = changed.to();
        if (changed.from() == RaftRole.LEADER && changed.to() != RaftRole.LEADER)
        {
            effects.dropLeaderResources();
        }
        if (null != changed.leader())
        {
            cluster.leader = changed.leader();
        }
        refreshMembers();
    }

    void refreshMembers()
    {
        clusterEntry.refresh(core);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Calls (loop thread, via tasks)

    /**
     * Take a call addressed to this server ({@link ServerCalls}).
     */
    void call(final ServerRequest request, final CallOrigin origin)
    {
        calls.take(request, origin);
    }

    /**
     * A fire-and-forget command, with an optional process to notify.
     */
    void cast(final UserCommand command, final ProcessRef notifyTo, final Object correlation, final int hops)
    {
        final String refusal = calls.refusal(command);
        if (null != refusal)
        {
            LOG.warn("{}: refusing a pipelined command: {}", id, refusal);
            if (null != notifyTo)
            {
                notifications.add(notifyTo, core.effectiveMachineVersion(), new RaEvent.Correlated(correlation,
                    new InvalidCommandException(refusal)));
            }
            return;
        }
        currentCastHops = hops;
        handle(new RaftEvent.ClientCommand(command, null == notifyTo ? ReplyMode.NO_REPLY :
            new ReplyMode.Notify(notifyTo, correlation)));
        currentCastHops = 0;
    }

    /** @return whether the server runs and the calling thread runs its loop: {@link #localQuery} may be called. */
    boolean queriesOnThisThread()
    {
        return !stopped && loop.inLoop();
    }

    /**
     * Run a query here once {@code minIndex} is applied (at once when it already is).
     *
     * <p>A member removed while it could not be told (its node was down or cut off) keeps running but is sent nothing
     * more, and a query waiting on it for an index it will never apply would wait for its timeout: {@code mustWait}
     * runs when this server has not applied the index yet, to find out in time whether it is still a member.
     *
     * @param mustWait run if this server must wait for {@code minIndex}.
     */
    void localQuery(final Function<Object, Object> query, final long minIndex, final long minTerm,
        final ClientCall call, final Runnable mustWait)
    {
        if (core.lastApplied() < minIndex)
        {
            mustWait.run();
        }
        queries.runOrPark(core, new ParkedQueries.ParkedQuery(query, minIndex, minTerm, call.future));
    }

    /**
     * On the loop.
     *
     * @param version a machine version this member applied with (the effective one, or one before it in this step).
     * @return its machine, whose codecs write what the builds of that version read.
     */
    StateMachine<Object, Object> machineOf(final int version)
    {
        if (version == core.effectiveMachineVersion())
        {
            return core.effectiveMachine();
        }
        final StateMachine<Object, Object> older = version >= machine.version() ? null : machine.machineFor(version);
        return null == older ? machine : older;
    }

    ServerOverview overview()
    {
        return ServerOverviews.of(id, cluster.clusterName, core, machine, effects.failures(), applyTimes.snapshot(),
            queuedCommands.refused());
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
        termAndVote.settle();
        if (null != core)
        {
            try
            {
                // Commands a leader kept during a hand-over were never appended: refused, they go elsewhere.
                execute(core.stopping());
            }
            catch (final RuntimeException ex)
            {
                LOG.warn("{}: could not refuse the commands kept during a hand-over", id, ex);
            }
        }
        if (!deleteData && null == cause && null != core && handOver.begin(core, environment.handOverBoundNanos()))
        {
            // A leader stopping in order hands over first; the stop goes on from there.
            return;
        }
        if (stopped)
        {
            // The hand-over ended at once and the stop already ran.
            return;
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
        if (deleteData)
        {
            // First: a cluster's deletion is recorded durably, and a crash must leave the record or the server. And
            // before the stop answers anything (what its mailbox holds, what is offered once it stopped): a command
            // for it is answered naming the member its removal names, as one arriving later is.
            environment.clusters().serverDeleted(id, cluster, deleteOnTerminate, core.currentTerm(), peers);
        }
        stopped = true;
        LOG.info("{}: stopping{}", id, deleteData ? " and deleting its data" : "");
        timers.cancelAll();
        effects.dropLeaderResources();
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
        ledger.stopped(id, cause);
        queries.stopped(cause);
        rejectQueued();
        selfEvents.clear();
        loop.removeServer(this);
        try
        {
            storage.close();
        }
        catch (final RuntimeException ex)
        {
            LOG.warn("{}: closing storage failed", id, ex);
        }
        if (deleteData)
        {
            // Tried even when the close failed: a deletion that committed must delete the data, or mark it as never
            // to be restarted (ClusterDirectory.deleteData).
            try
            {
                environment.clusters().deleteData(id, deleteOnTerminate);
            }
            catch (final RuntimeException ex)
            {
                LOG.warn("{}: deleting its data failed", id, ex);
            }
        }
        environment.stopped().accept(this);
        router.serverDown(id, peers);
        stoppedFuture.complete(null);
    }

    @Override
    public String toString()
    {
        return "ServerProcess[" + id + "]";
    }
}

package dev.ra.core;

import dev.ra.ApplyResult;
import dev.ra.CommandMeta;
import dev.ra.Effect;
import dev.ra.RaftState;
import dev.ra.ServerId;
import dev.ra.StateMachine;
import dev.ra.codec.Bytes;
import dev.ra.codec.Codec;
import dev.ra.protocol.EntryPayload;
import dev.ra.protocol.LogEntry;
import dev.ra.protocol.Member;
import dev.ra.protocol.Membership;
import dev.ra.protocol.RaftRpc;
import dev.ra.protocol.RaftRpc.AppendEntriesReply;
import dev.ra.protocol.RaftRpc.AppendEntriesRpc;
import dev.ra.protocol.RaftRpc.HeartbeatReply;
import dev.ra.protocol.RaftRpc.HeartbeatRpc;
import dev.ra.protocol.RaftRpc.InstallSnapshotReply;
import dev.ra.protocol.RaftRpc.InstallSnapshotRpc;
import dev.ra.protocol.RaftRpc.PreVoteReply;
import dev.ra.protocol.RaftRpc.PreVoteRpc;
import dev.ra.protocol.RaftRpc.RequestVoteReply;
import dev.ra.protocol.RaftRpc.RequestVoteRpc;
import dev.ra.protocol.RaftRpc.TimeoutNowRpc;
import dev.ra.protocol.SnapshotMeta;
import dev.ra.protocol.UserCommand;
import dev.ra.spi.LogReader;
import dev.ra.spi.LogStore;
import dev.ra.spi.SnapshotReader;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * The pure Raft logic of one server: events in, actions out.
 *
 * <p>It does no I/O, reads no clock and starts no thread: time comes with each event, randomness from the generator
 * it is given, stable log entries through a read-only {@link LogReader}, and everything it wants done leaves as
 * {@link RaftAction}s that the runtime (or a simulator) executes in order. The same object therefore runs in
 * production and under deterministic simulation.
 *
 * <p>It implements Raft as in the paper and thesis with Ra's choices: pre-vote before every election (thesis §9.6),
 * a noop appended by every new leader, single-server membership changes in force on append (thesis §4.1), promotable
 * non-voters, leadership transfer by TimeoutNow (thesis §3.10), linearizable reads by ReadIndex confirmed with a
 * heartbeat round (thesis §6.4), snapshots sent in chunks, and followers that campaign only when the leader is
 * unknown or reported unreachable (no idle heartbeats, as in Ra). Durability rules (thesis §3.8): term and vote are
 * persisted BEFORE any vote or campaign leaves; followers acknowledge only durable entries; the leader counts its own
 * log only once durable.
 *
 * <p>The machine's {@code apply} is called from here, on committed entries, in log order, through a
 * {@link MachineGuard}: by default an exception it throws is the command's (deterministic) outcome and the server
 * carries on; with {@link dev.ra.ApplyFailureMode#STOP_SERVER} it propagates out of {@link #handle} and the runtime
 * stops this server.
 *
 * <p>Not thread safe: confined to the server's event loop. The list each call returns is reused by the next call.
 */
public final class ServerCore
{
    private static final int MAX_CONFLICT_SCAN = 100_000;
    /** Most AppendEntries messages of {@code maxAppendBytes} each in flight to one peer, in bytes. */
    private static final int MAX_IN_FLIGHT_MESSAGES = 4;
    /** Committed entries read from the log at a time to be applied. */
    private static final int APPLY_BATCH = 256;

    private record PendingReply(long index, ReplyMode mode)
    {
    }

    private record PendingQuery(long queryId, long readIndex, long queryIndex)
    {
    }

    private final CoreConfig config;
    private final ServerId self;
    private final StateMachine<Object, Object> machine;
    private final Codec<Object> commandCodec;
    private final SnapshotReader snapshots;
    private final RandomGenerator random;
    private final RaftLog log;
    /** Reused by {@link #applyCommitted}; empty between calls. */
    private final List<LogEntry> applyBatch = new ArrayList<>(APPLY_BATCH);
    private final ConfigHistory configs;
    private final RecoveredState recovered;
    private final StorageRecovery storageRecovery;
    private final CoreCounters counters = new CoreCounters();
    private final ArrayList<RaftAction> actions = new ArrayList<>();
    private final MachineGuard guard;
    private final Set<ServerId> unreachable = new HashSet<>();
    private final Set<ServerId> votesGranted = new HashSet<>();
    private final LinkedHashMap<ServerId, PeerProgress> peers = new LinkedHashMap<>();
    private final ArrayDeque<PendingReply> pendingReplies = new ArrayDeque<>();
    private final ArrayDeque<PendingQuery> pendingQueries = new ArrayDeque<>();
    private final ArrayList<Long> queriesAwaitingNoop = new ArrayList<>();
    private long[] quorumScratch = new long[8];

    private RaftState role = RaftState.RECOVERING;
    private long currentTerm;
    private ServerId votedFor;
    private ServerId leaderId;
    private long commitIndex;
    private long lastApplied;
    private Object machineState;
    private long nowMs;

    private long verifiedUpTo;
    private long lastAckSent;
    private SnapshotAssembly receiving;
    private long preVoteToken;
    private boolean electionTimerRunning;

    private long noopIndex = Long.MAX_VALUE;
    private long pendingConfigIndex;
    private long pendingConfigCallId = -1;
    private long queryIndex;
    private boolean heartbeatNeeded;
    /** When the pending commit notice timer fires, or -1 when none is pending. */
    private long commitNoticeDueMs = -1;
    private ServerId transferTarget;
    private long transferDeadlineMs;
    private long transferCallId;
    private boolean timeoutNowSent;
    private long deleteCallId = -1;
    private boolean snapshotPending;
    Mutation mutation = Mutation.NONE;

    /**
     * @param config    of the server.
     * @param machine   the replicated state machine.
     * @param log       read-only view of the server's stored log.
     * @param snapshots read-only view of the server's snapshots.
     * @param recovered what the runtime found on disk.
     * @param random    for election jitter; seeded in simulations.
     */
    @SuppressWarnings("unchecked")
    public ServerCore(final CoreConfig config, final StateMachine<?, ?> machine, final LogReader log,
        final SnapshotReader snapshots, final RecoveredState recovered, final RandomGenerator random)
    {
        this.config = Objects.requireNonNull(config, "config");
        this.self = config.id();
        this.machine = (StateMachine<Object, Object>)Objects.requireNonNull(machine, "machine");
        this.commandCodec = (Codec<Object>)this.machine.commandCodec();
        this.guard = new MachineGuard(this.machine, config.applyFailure(), counters, actions);
        this.snapshots = Objects.requireNonNull(snapshots, "snapshots");
        this.random = Objects.requireNonNull(random, "random");
        this.recovered = Objects.requireNonNull(recovered, "recovered");
        final SnapshotMeta snapshot = recovered.snapshot();
        this.log = new RaftLog(log, null == snapshot ? 0 : snapshot.index(), null == snapshot ? 0 : snapshot.term());
        this.configs = null == snapshot ? new ConfigHistory(0, config.initialMembers()) :
            new ConfigHistory(snapshot.index(), snapshot.members());
        this.storageRecovery = new StorageRecovery(recovered);
        // Lost term and vote: the last log entry's term is a lower bound (it was durable before that entry came).
        this.currentTerm = recovered.termAndVoteLost() ? Math.max(recovered.currentTerm(), this.log.lastTerm()) :
            recovered.currentTerm();
        this.votedFor = recovered.termAndVoteLost() ? null : recovered.votedFor();
    }

    // ------------------------------------------------------------------------------------------------ entry points

    /**
     * Recover: replay the log up to the durable last-applied index with effects discarded, then become a follower.
     * A brand-new server (no term, no log, no snapshot) sets no election timer: it waits to be contacted or told to
     * campaign.
     *
     * @param nowMs the current time.
     * @return the actions to execute.
     */
    public List<RaftAction> start(final long nowMs)
    {
        actions.clear();
        this.nowMs = nowMs;
        final SnapshotMeta snapshot = recovered.snapshot();
        if (null != snapshot)
        {
            machineState = recovered.snapshotState();
            lastApplied = snapshot.index();
            commitIndex = snapshot.index();
        }
        else
        {
            machineState = machine.init(new dev.ra.InitArgs(config.clusterName(), self));
        }
        final long replayTo = Math.min(recovered.lastApplied(), log.lastIndex());
        long index = lastApplied + 1;
        while (index <= log.lastIndex())
        {
            applyBatch.clear();
            log.collect(index, log.lastIndex(), APPLY_BATCH, config.maxAppendBytes(), applyBatch);
            if (applyBatch.isEmpty() || applyBatch.get(0).index() != index)
            {
                throw new IllegalStateException(self + ": log entry " + index + " missing during recovery (last " +
                    log.lastIndex() + ")");
            }
            for (int i = 0; i < applyBatch.size(); i++, index++)
            {
                final LogEntry entry = applyBatch.get(i);
                if (entry.index() != index)
                {
                    throw new IllegalStateException(self + ": log entry " + index + " missing during recovery " +
                        "(read " + entry.index() + ")");
                }
                if (entry.payload() instanceof EntryPayload.ClusterChange change)
                {
                    configs.add(index, change.members());
                }
                if (index <= replayTo)
                {
                    commitIndex = index;
                    applyEntry(entry, true);
                }
            }
        }
        applyBatch.clear();
        final boolean brandNew = currentTerm == 0 && log.lastIndex() == 0 && null == snapshot;
        changeRole(RaftState.FOLLOWER);
        if (!brandNew)
        {
            setElectionTimer();
        }
        onDurableForRecovery();
        return actions;
    }

    /**
     * Handle one event.
     *
     * @param event that happened.
     * @param nowMs the current time.
     * @return the actions to execute, in order; valid until the next call.
     */
    public List<RaftAction> handle(final RaftEvent event, final long nowMs)
    {
        actions.clear();
        this.nowMs = nowMs;
        if (role == RaftState.STOPPED || role == RaftState.EOL)
        {
            return actions;
        }
        boolean deferFlush = false;
        if (event instanceof RaftEvent.RpcReceived rpc)
        {
            onRpc(rpc.from(), rpc.rpc());
        }
        else if (event instanceof RaftEvent.ClientCommand command)
        {
            onClientCommand(command.command(), command.replyMode());
            deferFlush = true;
        }
        else if (event instanceof RaftEvent.LogWritten written)
        {
            onLogWritten(written.index(), written.term());
        }
        else if (event instanceof RaftEvent.ConsistentQuery query)
        {
            onConsistentQuery(query.queryId());
            deferFlush = true;
        }
        else if (event instanceof RaftEvent.Tick)
        {
            onTick();
        }
        else if (event instanceof RaftEvent.ElectionTimeout)
        {
            onElectionTimeout();
        }
        else if (event instanceof RaftEvent.CommitNoticeDue)
        {
            onCommitNoticeDue();
        }
        else if (event instanceof RaftEvent.BuiltinTriggered builtin)
        {
            if (role == RaftState.LEADER)
            {
                appendEntry(new EntryPayload.Builtin(builtin.command()));
            }
        }
        else if (event instanceof RaftEvent.SnapshotWritten written)
        {
            onSnapshotWritten(written.meta());
        }
        else if (event instanceof RaftEvent.SnapshotInstalled installed)
        {
            onSnapshotInstalled(installed.meta(), installed.machineState());
        }
        else if (event instanceof RaftEvent.SnapshotFailed)
        {
            snapshotPending = false;
        }
        else if (event instanceof RaftEvent.AddMember add)
        {
            onAddMember(add.callId(), add.member());
        }
        else if (event instanceof RaftEvent.RemoveMember remove)
        {
            onRemoveMember(remove.callId(), remove.server());
        }
        else if (event instanceof RaftEvent.TransferLeadership transfer)
        {
            onTransferLeadership(transfer.callId(), transfer.target());
        }
        else if (event instanceof RaftEvent.TriggerElection)
        {
            if ((role == RaftState.FOLLOWER) && isVoter(self) && !storageRecovery.recovering())
            {
                startPreVote();
            }
        }
        else if (event instanceof RaftEvent.DeleteCluster delete)
        {
            onDeleteCluster(delete.callId());
        }
        else if (event instanceof RaftEvent.PeerUnreachable down)
        {
            onPeerUnreachable(down.peer());
        }
        else if (event instanceof RaftEvent.PeerSilent silent)
        {
            onPeerSilent(silent.peer());
        }
        else if (event instanceof RaftEvent.PeerReachable up)
        {
            onPeerReachable(up.peer());
        }
        else
        {
            throw new IllegalStateException("unhandled event " + event);
        }
        if (!deferFlush)
        {
            flushInternal();
        }
        return actions;
    }

    /**
     * Emit what accepted commands and queries need: one {@code AppendToLog} for every entry appended since the last
     * flush, AppendEntries to the peers, and one heartbeat round for waiting consistent queries. The runtime calls
     * this after draining a batch of events, which is what batches replication.
     *
     * @param nowMs the current time.
     * @return the actions to execute.
     */
    public List<RaftAction> flush(final long nowMs)
    {
        actions.clear();
        this.nowMs = nowMs;
        if (role != RaftState.STOPPED && role != RaftState.EOL)
        {
            flushInternal();
        }
        return actions;
    }

    // ------------------------------------------------------------------------------------------------ accessors

    /**
     * @return the server's id.
     */
    public ServerId id()
    {
        return self;
    }

    /**
     * Whether a {@link RaftEvent.Tick} could change anything now: only a leader acts on ticks (resending to stalled
     * peers, the machine's tick). A shell hosting many idle clusters skips delivering the others' ticks.
     *
     * @return true if this server is the leader.
     */
    public boolean wantsTicks()
    {
        return role == RaftState.LEADER;
    }

    /**
     * @return the current role.
     */
    public RaftState role()
    {
        return role;
    }

    /**
     * @return the current term.
     */
    public long currentTerm()
    {
        return currentTerm;
    }

    /**
     * @return the vote cast in the current term, or null.
     */
    public ServerId votedFor()
    {
        return votedFor;
    }

    /**
     * @return the known leader, or null.
     */
    public ServerId leaderId()
    {
        return leaderId;
    }

    /**
     * @return the commit index.
     */
    public long commitIndex()
    {
        return commitIndex;
    }

    /**
     * @return the index of the last entry applied to the machine.
     */
    public long lastApplied()
    {
        return lastApplied;
    }

    /**
     * @return the index of the last entry in the log.
     */
    public long lastIndex()
    {
        return log.lastIndex();
    }

    /**
     * @return the term of the last entry in the log.
     */
    public long lastTerm()
    {
        return log.lastTerm();
    }

    /**
     * @return the index of the last entry known durable.
     */
    public long lastWrittenIndex()
    {
        return log.lastWritten();
    }

    /**
     * @return the index of the newest snapshot.
     */
    public long snapshotIndex()
    {
        return log.snapshotIndex();
    }

    /**
     * @param index of an entry.
     * @return its term, or {@link LogStore#UNKNOWN_TERM}.
     */
    public long termAt(final long index)
    {
        return log.term(index);
    }

    /**
     * @param index of an entry.
     * @return the entry, or null if not held.
     */
    public LogEntry entryAt(final long index)
    {
        return log.entry(index);
    }

    /**
     * @return the configuration in force.
     */
    public List<Member> members()
    {
        return configs.current();
    }

    /**
     * @return the machine state after the last applied entry.
     */
    public Object machineState()
    {
        return machineState;
    }

    /**
     * @return the counters.
     */
    public CoreCounters counters()
    {
        return counters;
    }

    /**
     * @return whether the member started with damaged storage and does not vote or campaign yet (see
     *     {@link StorageRecovery}).
     */
    public boolean recoveringStorage()
    {
        return storageRecovery.recovering();
    }

    /**
     * The voter a leader about to stop should hand its leadership to: the reachable one with the highest match index,
     * so the one a {@link RaftEvent.TransferLeadership} reaches soonest (and that would win an election anyway).
     *
     * @return that voter, or null if this server is not the leader or has no reachable voter peer.
     */
    public ServerId handOverTarget()
    {
        if (role != RaftState.LEADER)
        {
            return null;
        }
        PeerProgress best = null;
        for (final PeerProgress peer : peers.values())
        {
            if (peer.reachable && isVoter(peer.id) && (null == best || peer.matchIndex > best.matchIndex))
            {
                best = peer;
            }
        }
        return null == best ? null : best.id;
    }

    /**
     * @return whether a leadership transfer is under way.
     */
    public boolean transferring()
    {
        return null != transferTarget;
    }

    // ------------------------------------------------------------------------------------------------ RPC dispatch

    private void onRpc(final ServerId from, final RaftRpc rpc)
    {
        // §5.1: any message with a higher term makes us a follower of that term. A pre-vote request does not: it
        // is a question about a hypothetical election, and answering it must not disturb anyone (thesis §9.6).
        if (rpc.term() > currentTerm && !(rpc instanceof PreVoteRpc) &&
            !(mutation == Mutation.LEADER_IGNORES_HIGHER_TERM_REPLY && role == RaftState.LEADER && isReply(rpc)))
        {
            stepDown(rpc.term());
        }
        // Hearing from a peer proves it reachable, whatever the failure detector last said.
        unreachable.remove(from);
        if (rpc instanceof AppendEntriesRpc append)
        {
            onAppendEntries(from, append);
        }
        else if (rpc instanceof AppendEntriesReply reply)
        {
            onAppendEntriesReply(from, reply);
        }
        else if (rpc instanceof HeartbeatRpc heartbeat)
        {
            onHeartbeat(from, heartbeat);
        }
        else if (rpc instanceof HeartbeatReply reply)
        {
            onHeartbeatReply(from, reply);
        }
        else if (rpc instanceof PreVoteRpc preVote)
        {
            onPreVote(from, preVote);
        }
        else if (rpc instanceof PreVoteReply reply)
        {
            onPreVoteReply(from, reply);
        }
        else if (rpc instanceof RequestVoteRpc vote)
        {
            onRequestVote(from, vote);
        }
        else if (rpc instanceof RequestVoteReply reply)
        {
            onRequestVoteReply(from, reply);
        }
        else if (rpc instanceof InstallSnapshotRpc install)
        {
            onInstallSnapshot(from, install);
        }
        else if (rpc instanceof InstallSnapshotReply reply)
        {
            onInstallSnapshotReply(from, reply);
        }
        else if (rpc instanceof TimeoutNowRpc timeoutNow)
        {
            if (timeoutNow.term() == currentTerm && role == RaftState.FOLLOWER && isVoter(self) &&
                !storageRecovery.recovering())
            {
                startElection();
            }
        }
        else
        {
            throw new IllegalStateException("unhandled rpc " + rpc);
        }
    }

    // ------------------------------------------------------------------------------------------------ follower

    private void onAppendEntries(final ServerId from, final AppendEntriesRpc rpc)
    {
        counters.appendEntriesReceived++;
        if (rpc.term() < currentTerm)
        {
            // §5.1: reject a stale leader; our term in the reply makes it step down.
            send(from, new AppendEntriesReply(currentTerm, false, log.lastIndex() + 1, 0, 0, commitIndex));
            return;
        }
        if (role == RaftState.LEADER)
        {
            throw new IllegalStateException(self + ": two leaders in term " + currentTerm + ": me and " +
                rpc.leaderId());
        }
        if (role == RaftState.RECEIVE_SNAPSHOT)
        {
            // Entries would not connect to a log that is being replaced; the leader resumes after the install.
            return;
        }
        followLeader(rpc.leaderId());

        final long prev = rpc.prevLogIndex();
        if (prev > log.lastIndex())
        {
            rejectAppend(from, log.lastIndex() + 1);
            return;
        }
        if (prev >= log.snapshotIndex())
        {
            final long localTerm = log.term(prev);
            if (localTerm != rpc.prevLogTerm())
            {
                if (prev <= commitIndex)
                {
                    throw new IllegalStateException(self + ": committed entry " + prev + " has term " + localTerm +
                        " but leader " + rpc.leaderId() + " says " + rpc.prevLogTerm());
                }
                rejectAppend(from, firstIndexOfTermBefore(prev, localTerm));
                return;
            }
        }
        // Entries at or below our snapshot are committed, hence identical to the leader's: skip them.
        boolean appended = false;
        for (final LogEntry entry : rpc.entries())
        {
            final long index = entry.index();
            if (index <= log.snapshotIndex())
            {
                continue;
            }
            if (index <= log.lastIndex())
            {
                if (log.term(index) == entry.term())
                {
                    continue;
                }
                if (index <= commitIndex)
                {
                    throw new IllegalStateException(self + ": entry " + index + " conflicts with committed entry " +
                        "[commit=" + commitIndex + "]");
                }
                truncateFrom(index);
            }
            appendReceived(entry);
            appended = true;
        }
        final long lastNew = prev + rpc.entries().size();
        verifiedUpTo = Math.min(Math.max(verifiedUpTo, lastNew), log.lastIndex());
        onDurableForRecovery();
        final long newCommit = Math.min(rpc.leaderCommit(), verifiedUpTo);
        if (newCommit > commitIndex)
        {
            commitIndex = newCommit;
            applyCommitted();
        }
        if (appended && mutation != Mutation.ACK_BEFORE_DURABLE)
        {
            // Acknowledged once durable, from onLogWritten (thesis §3.8).
            flushInternal();
        }
        else
        {
            acknowledge(from, true);
        }
    }

    private long firstIndexOfTermBefore(final long index, final long term)
    {
        long hint = index;
        final long floor = Math.max(commitIndex, log.snapshotIndex());
        int scanned = 0;
        while (hint - 1 > floor && log.term(hint - 1) == term && scanned++ < MAX_CONFLICT_SCAN)
        {
            hint--;
        }
        return hint;
    }

    private void rejectAppend(final ServerId leader, final long nextIndex)
    {
        send(leader, new AppendEntriesReply(currentTerm, false, Math.max(1, nextIndex), 0, 0, commitIndex));
    }

    private void appendReceived(final LogEntry entry)
    {
        log.appendNew(entry);
        if (entry.payload() instanceof EntryPayload.ClusterChange change && mutation != Mutation.CONFIG_ON_COMMIT)
        {
            configs.add(entry.index(), change.members());
        }
    }

    private void truncateFrom(final long index)
    {
        log.truncateFrom(index);
        configs.truncateFrom(index);
        verifiedUpTo = Math.min(verifiedUpTo, index - 1);
        lastAckSent = Math.min(lastAckSent, index - 1);
    }

    private void acknowledge(final ServerId leader, final boolean always)
    {
        final long written = mutation == Mutation.ACK_BEFORE_DURABLE ? log.lastIndex() : log.lastWritten();
        final long ack = Math.min(written, verifiedUpTo);
        if (always || ack > lastAckSent)
        {
            lastAckSent = Math.max(lastAckSent, ack);
            send(leader, new AppendEntriesReply(currentTerm, true, log.lastIndex() + 1, ack, log.term(ack),
                commitIndex));
        }
    }

    private void onLogWritten(final long index, final long term)
    {
        if (!log.markWritten(index, term))
        {
            return;
        }
        onDurableForRecovery();
        if (role == RaftState.LEADER)
        {
            advanceCommit();
        }
        else if (role == RaftState.FOLLOWER && null != leaderId && !leaderId.equals(self))
        {
            acknowledge(leaderId, false);
        }
    }

    private void onHeartbeat(final ServerId from, final HeartbeatRpc rpc)
    {
        // A heartbeat confirms only a leader already followed. It carries no commit index, so a member that restarted
        // (and forgot the commit index) and took its leader from a heartbeat would wait forever in an idle cluster;
        // without one it keeps its election timer, and its pre-vote makes the leader probe it with an AppendEntries.
        if (rpc.term() == currentTerm && role != RaftState.LEADER && role != RaftState.RECEIVE_SNAPSHOT &&
            rpc.leaderId().equals(leaderId))
        {
            followLeader(rpc.leaderId());
        }
        // A heartbeat of an earlier term gets our term (its sender steps down) but acknowledges no query round: the
        // same server may lead our term now, with a query counter that started again from zero, and it would take
        // the echo of its old round's index for an acknowledgement of its new one (a stale read, simulation seed
        // 69955 with long delays; stale_heartbeat_reply.txt).
        send(from, new HeartbeatReply(currentTerm, rpc.term() == currentTerm ? rpc.queryIndex() : 0));
    }

    private void onInstallSnapshot(final ServerId from, final InstallSnapshotRpc rpc)
    {
        final SnapshotMeta meta = rpc.meta();
        if (rpc.term() < currentTerm)
        {
            send(from, new InstallSnapshotReply(currentTerm, meta.index(), 0, false));
            return;
        }
        if (role == RaftState.LEADER)
        {
            throw new IllegalStateException(self + ": two leaders in term " + currentTerm);
        }
        if (role != RaftState.RECEIVE_SNAPSHOT)
        {
            followLeader(rpc.leaderId());
        }
        final boolean holdsLastEntry = meta.index() > log.snapshotIndex() && log.term(meta.index()) == meta.term();
        if (meta.index() <= lastApplied || holdsLastEntry)
        {
            // We already hold this state, or every entry it covers (§7: keep the log that follows): the leader
            // continues with entries after it. Resetting here would throw away entries we acknowledged.
            send(from, new InstallSnapshotReply(currentTerm, meta.index(), rpc.offset() + rpc.chunk().length(),
                true));
            return;
        }
        if (null == receiving || !receiving.meta().equals(meta))
        {
            if (rpc.offset() != 0)
            {
                send(from, new InstallSnapshotReply(currentTerm, meta.index(), 0, false));
                return;
            }
            receiving = new SnapshotAssembly(meta);
        }
        if (receiving.installing())
        {
            return;
        }
        if (rpc.offset() != receiving.size())
        {
            send(from, new InstallSnapshotReply(currentTerm, meta.index(), receiving.size(), false));
            return;
        }
        receiving.append(rpc.chunk());
        changeRole(RaftState.RECEIVE_SNAPSHOT);
        if (rpc.last())
        {
            receiving.markInstalling();
            actions.add(new RaftAction.InstallSnapshot(meta, receiving.toBytes()));
        }
        else
        {
            send(from, new InstallSnapshotReply(currentTerm, meta.index(), receiving.size(), false));
        }
    }

    private void onSnapshotInstalled(final SnapshotMeta meta, final Object state)
    {
        // The runtime has already reset the stored log to the snapshot, so adopt it whatever happened meanwhile.
        log.resetTo(meta.index(), meta.term());
        configs.reset(meta.index(),
            mutation == Mutation.INSTALLED_SNAPSHOT_MEMBERS_IGNORED ? configs.current() : meta.members());
        machineState = state;
        lastApplied = meta.index();
        commitIndex = Math.max(commitIndex, meta.index());
        verifiedUpTo = meta.index();
        lastAckSent = meta.index();
        final long size = null == receiving ? 0 : receiving.size();
        receiving = null;
        counters.snapshotsInstalled++;
        onDurableForRecovery();
        if (role == RaftState.RECEIVE_SNAPSHOT)
        {
            changeRole(RaftState.FOLLOWER);
            if (isVoter(self) && (null == leaderId || unreachable.contains(leaderId)))
            {
                // The leader stopped leading or was lost while the snapshot was being installed: nobody else will
                // wake us (a receiving member ignores election timeouts).
                setElectionTimer();
            }
        }
        if (null != leaderId && !leaderId.equals(self))
        {
            send(leaderId, new InstallSnapshotReply(currentTerm, meta.index(), size, true));
        }
    }

    private void followLeader(final ServerId leader)
    {
        leaderId = leader;
        unreachable.remove(leader);
        cancelElectionTimer();
        if (role != RaftState.FOLLOWER)
        {
            changeRole(RaftState.FOLLOWER);
        }
        if (storageRecovery.termAndVoteLost() && null == votedFor)
        {
            // The election of this term is over: a vote for its leader keeps us from voting for anyone else in it.
            votedFor = leader;
            persistTermAndVote();
        }
    }

    /**
     * A member that started with damaged storage recovers once its log is durable, and matches the leader's, up to
     * where it was: what survived of its log may also be a stale suffix the lost records had overwritten.
     */
    private void onDurableForRecovery()
    {
        if (storageRecovery.recovering() && storageRecovery.onDurable(Math.min(log.lastWritten(), verifiedUpTo)))
        {
            actions.add(new RaftAction.StorageRecovered());
        }
    }

    // ------------------------------------------------------------------------------------------------ elections

    private void onElectionTimeout()
    {
        electionTimerRunning = false;
        if ((role == RaftState.FOLLOWER || role == RaftState.PRE_VOTE || role == RaftState.CANDIDATE) &&
            isVoter(self))
        {
            if (role == RaftState.FOLLOWER && null != leaderId && !unreachable.contains(leaderId))
            {
                // A stale timer: the leader was heard from since it was set.
                return;
            }
            if (storageRecovery.recovering())
            {
                askForLeader();
                return;
            }
            startPreVote();
        }
    }

    private void startPreVote()
    {
        counters.preVotes++;
        leaderId = null;
        preVoteToken++;
        votesGranted.clear();
        votesGranted.add(self);
        changeRole(RaftState.PRE_VOTE);
        if (hasVoteQuorum() || mutation == Mutation.ELECTION_WITHOUT_PRE_VOTE)
        {
            startElection();
            return;
        }
        for (final Member member : configs.current())
        {
            if (member.isVoter() && !member.id().equals(self))
            {
                send(member.id(), new PreVoteRpc(currentTerm, preVoteToken, self, log.lastIndex(), log.lastTerm(),
                    machine.version()));
            }
        }
        setElectionTimer();
    }

    /**
     * A member recovering from damaged storage may not campaign, but it must still be found: peers that take it for
     * their leader (it led before it crashed) run no election timer until it campaigns, and a leader resends entries
     * to a member that campaigns. A pre-vote request does both; the answers are ignored (it stays a follower).
     */
    private void askForLeader()
    {
        leaderId = null;
        preVoteToken++;
        for (final Member member : configs.current())
        {
            if (member.isVoter() && !member.id().equals(self))
            {
                send(member.id(), new PreVoteRpc(currentTerm, preVoteToken, self, log.lastIndex(), log.lastTerm(),
                    machine.version()));
            }
        }
        setElectionTimer();
    }

    private void onPreVote(final ServerId from, final PreVoteRpc rpc)
    {
        forgetLeaderIfCampaigning(rpc.candidateId());
        final boolean leaderGone = null == leaderId || unreachable.contains(leaderId) ||
            mutation == Mutation.PRE_VOTE_IGNORES_LIVE_LEADER;
        final boolean granted = rpc.term() >= currentTerm && role != RaftState.LEADER && leaderGone &&
            isVoter(rpc.candidateId()) && !storageRecovery.recovering() &&
            (log.isUpToDate(rpc.lastLogIndex(), rpc.lastLogTerm()) || mutation == Mutation.VOTE_WITHOUT_LOG_CHECK);
        send(from, new PreVoteReply(currentTerm, rpc.token(), granted));
        final PeerProgress peer = peers.get(from);
        if (role == RaftState.LEADER && null != peer)
        {
            // A member campaigning against a live leader has lost touch (it restarted, say): reconnect it now.
            peer.nextIndex = peer.matchIndex + 1;
            sendAppendEntries(peer, true);
        }
    }

    /**
     * Our leader asking for votes has stopped leading (it restarted, or stepped down): we may be the ones with the
     * longer log, so we must be ready to campaign ourselves rather than wait for a leader that is gone. This holds
     * in every role that names a leader other than ourselves: a follower, and a member receiving a snapshot from it
     * (the transfer will not resume; one that is already being installed finishes first, see
     * {@link #onSnapshotInstalled}). Candidates and pre-candidates name no leader.
     */
    private void forgetLeaderIfCampaigning(final ServerId candidate)
    {
        if (!candidate.equals(leaderId) || (role != RaftState.FOLLOWER && role != RaftState.RECEIVE_SNAPSHOT))
        {
            return;
        }
        leaderId = null;
        abandonSnapshotTransfer();
        if (isVoter(self))
        {
            setElectionTimer();
        }
    }

    /**
     * The leader sending us a snapshot is gone or campaigns: the transfer will not resume, so drop what was received
     * and be a follower again. A snapshot already being installed finishes first (see {@link #onSnapshotInstalled}).
     */
    private void abandonSnapshotTransfer()
    {
        if (role == RaftState.RECEIVE_SNAPSHOT && !receiving.installing())
        {
            receiving = null;
            changeRole(RaftState.FOLLOWER);
        }
    }

    private void onPreVoteReply(final ServerId from, final PreVoteReply reply)
    {
        if (role != RaftState.PRE_VOTE || reply.token() != preVoteToken || !reply.granted())
        {
            return;
        }
        votesGranted.add(from);
        if (hasVoteQuorum())
        {
            startElection();
        }
    }

    private void startElection()
    {
        counters.elections++;
        currentTerm++;
        votedFor = self;
        leaderId = null;
        verifiedUpTo = 0;
        lastAckSent = 0;
        persistTermAndVote();
        votesGranted.clear();
        votesGranted.add(self);
        changeRole(RaftState.CANDIDATE);
        if (hasVoteQuorum())
        {
            becomeLeader();
            return;
        }
        for (final Member member : configs.current())
        {
            if (member.isVoter() && !member.id().equals(self))
            {
                send(member.id(), new RequestVoteRpc(currentTerm, self, log.lastIndex(), log.lastTerm()));
            }
        }
        setElectionTimer();
    }

    private void onRequestVote(final ServerId from, final RequestVoteRpc rpc)
    {
        forgetLeaderIfCampaigning(rpc.candidateId());
        // §5.2 and §5.4.1: one vote per term, only for a log at least as up to date as ours.
        final boolean granted = rpc.term() == currentTerm && role != RaftState.LEADER &&
            !storageRecovery.recovering() && (null == votedFor || votedFor.equals(rpc.candidateId())) &&
            (log.isUpToDate(rpc.lastLogIndex(), rpc.lastLogTerm()) ||
                mutation == Mutation.VOTE_WITHOUT_LOG_CHECK);
        final boolean replyFirst = granted && null == votedFor && mutation == Mutation.VOTE_REPLY_BEFORE_PERSIST;
        if (replyFirst)
        {
            send(from, new RequestVoteReply(currentTerm, true));
        }
        if (granted && null == votedFor)
        {
            votedFor = rpc.candidateId();
            persistTermAndVote();
        }
        if (granted && role == RaftState.FOLLOWER)
        {
            setElectionTimer();
        }
        if (!replyFirst)
        {
            send(from, new RequestVoteReply(currentTerm, granted));
        }
    }

    private void onRequestVoteReply(final ServerId from, final RequestVoteReply reply)
    {
        if (role != RaftState.CANDIDATE || !reply.granted() ||
            (reply.term() != currentTerm && mutation != Mutation.COUNT_VOTE_FROM_OLDER_TERM))
        {
            return;
        }
        votesGranted.add(from);
        if (hasVoteQuorum())
        {
            becomeLeader();
        }
    }

    private boolean hasVoteQuorum()
    {
        int voters = 0;
        int granted = 0;
        for (final Member member : configs.current())
        {
            if (member.isVoter())
            {
                voters++;
                if (votesGranted.contains(member.id()))
                {
                    granted++;
                }
            }
        }
        return voters > 0 && granted >= Quorum.majority(voters);
    }

    private void stepDown(final long term)
    {
        final boolean wasLeader = role == RaftState.LEADER;
        currentTerm = term;
        votedFor = null;
        leaderId = null;
        verifiedUpTo = 0;
        lastAckSent = 0;
        persistTermAndVote();
        if (null != receiving && !receiving.installing())
        {
            receiving = null;
        }
        if (null == receiving)
        {
            changeRole(RaftState.FOLLOWER);
        }
        if (wasLeader || isVoter(self))
        {
            setElectionTimer();
        }
    }

    private void persistTermAndVote()
    {
        final int last = actions.size() - 1;
        if (last >= 0 && actions.get(last) instanceof RaftAction.PersistTermAndVote)
        {
            // Nothing has left since the previous write: one sync of the newer values does for both.
            actions.set(last, new RaftAction.PersistTermAndVote(currentTerm, votedFor));
            return;
        }
        counters.termAndVoteWrites++;
        actions.add(new RaftAction.PersistTermAndVote(currentTerm, votedFor));
    }

    // ------------------------------------------------------------------------------------------------ leader

    private void becomeLeader()
    {
        leaderId = self;
        cancelElectionTimer();
        peers.clear();
        pendingReplies.clear();
        pendingQueries.clear();
        queriesAwaitingNoop.clear();
        queryIndex = 0;
        heartbeatNeeded = false;
        commitNoticeDueMs = -1;
        transferTarget = null;
        deleteCallId = -1;
        pendingConfigCallId = -1;
        refreshPeers();
        changeRole(RaftState.LEADER);
        // A configuration appended by an earlier leader but not yet committed blocks further changes until it is.
        pendingConfigIndex = configs.currentIndex() > commitIndex ? configs.currentIndex() : 0;
        noopIndex = log.lastIndex() + 1;
        appendEntry(new EntryPayload.Noop(machine.version()));
    }

    private void refreshPeers()
    {
        final List<Member> members = configs.current();
        peers.keySet().removeIf(id -> members.stream().noneMatch(m -> m.id().equals(id)));
        for (final Member member : members)
        {
            if (!member.id().equals(self) && !peers.containsKey(member.id()))
            {
                final PeerProgress peer = new PeerProgress(member.id(), log.lastIndex() + 1);
                peer.reachable = !unreachable.contains(member.id());
                peers.put(member.id(), peer);
            }
        }
    }

    private void onClientCommand(final UserCommand command, final ReplyMode mode)
    {
        if (role != RaftState.LEADER || null != transferTarget || deleteCallId >= 0)
        {
            final ServerId hint = role == RaftState.LEADER ? null : leaderId;
            actions.add(new RaftAction.CommandNotTaken(command, mode, hint));
            return;
        }
        if (command.data(commandCodec).length() > config.maxCommandBytes())
        {
            // The runtime refuses these with a clear error before they get here; this keeps them out of the log
            // whatever the caller: an entry above the transport's frame limit could never be replicated.
            counters.commandsRefused++;
            if (mode instanceof ReplyMode.AwaitConsensus await)
            {
                actions.add(new RaftAction.CallFailed(await.callId(), CallError.INVALID_COMMAND, self));
            }
            return;
        }
        final long index = appendEntry(command);
        counters.commands++;
        if (!(mode instanceof ReplyMode.NoReply))
        {
            pendingReplies.add(new PendingReply(index, mode));
        }
        if (peers.isEmpty())
        {
            // A single member commits on its own durable write; nothing to batch for peers.
            return;
        }
    }

    private long appendEntry(final EntryPayload payload)
    {
        final long index = log.lastIndex() + 1;
        log.appendNew(new LogEntry(index, currentTerm, nowMs, payload));
        return index;
    }

    private void flushInternal()
    {
        emitUnflushed();
        if (role == RaftState.LEADER)
        {
            for (final PeerProgress peer : peers.values())
            {
                sendAppendEntries(peer, false);
            }
            if (heartbeatNeeded)
            {
                heartbeatNeeded = false;
                for (final PeerProgress peer : peers.values())
                {
                    if (isVoter(peer.id))
                    {
                        send(peer.id, new HeartbeatRpc(currentTerm, self, queryIndex));
                    }
                }
            }
        }
    }

    private void emitUnflushed()
    {
        if (log.hasUnflushed())
        {
            actions.add(new RaftAction.AppendToLog(log.takeUnflushed()));
        }
    }

    private void sendAppendEntries(final PeerProgress peer, final boolean probe)
    {
        if (peer.mode == PeerProgress.Mode.SNAPSHOT)
        {
            if (!peer.snapshotChunkInFlight)
            {
                sendSnapshotChunk(peer);
            }
            return;
        }
        emitUnflushed();
        if (peer.probing && peer.probeInFlight)
        {
            return;
        }
        boolean sent = false;
        // In flight per peer: maxPipelineCount entries, and MAX_IN_FLIGHT_MESSAGES messages' worth of bytes.
        final long maxBytesInFlight = config.maxAppendBytes() * MAX_IN_FLIGHT_MESSAGES;
        while (peer.nextIndex <= log.lastIndex() && peer.inFlight() < config.maxPipelineCount() &&
            !(sent && peer.probing) && peer.bytesInFlight() < maxBytesInFlight)
        {
            final long prev = peer.nextIndex - 1;
            final long prevTerm = log.term(prev);
            if (prevTerm == LogStore.UNKNOWN_TERM)
            {
                startSnapshot(peer);
                return;
            }
            final long last = Math.min(log.lastIndex(), Math.min(prev + config.maxAppendEntries(),
                peer.matchIndex + config.maxPipelineCount()));
            final ArrayList<LogEntry> entries = new ArrayList<>((int)(last - prev));
            // Bounded in bytes too, so that a message never exceeds the transport's frame limit however large the
            // entries (each is at most maxCommandBytes, and one is always sent).
            log.collect(peer.nextIndex, last, config.maxAppendEntries(), config.maxAppendBytes(), entries);
            if (entries.isEmpty())
            {
                startSnapshot(peer);
                return;
            }
            send(peer.id, new AppendEntriesRpc(currentTerm, self, prev, prevTerm, commitIndex, entries));
            counters.appendEntriesSent++;
            peer.nextIndex += entries.size();
            peer.sent(peer.nextIndex - 1, RaftLog.commandBytes(entries));
            peer.commitIndexSent = commitIndex;
            peer.commitLagSinceMs = -1;
            peer.probeInFlight = peer.probing;
            sent = true;
        }
        if (sent)
        {
            return;
        }
        if (probe)
        {
            sendEmptyAppendEntries(peer);
        }
        else if (peer.commitIndexSent < commitIndex && peer.inFlight() == 0)
        {
            noticeCommitIndex(peer);
        }
    }

    /**
     * Tell an idle peer the commit index, now if it has lagged for the configured delay, otherwise once it has. Under
     * load the next entries carry it first, so followers are not sent (and do not answer) a message per commit.
     */
    private void noticeCommitIndex(final PeerProgress peer)
    {
        final long delay = config.commitNoticeDelayMs();
        if (peer.commitLagSinceMs < 0)
        {
            peer.commitLagSinceMs = nowMs;
        }
        final long due = peer.commitLagSinceMs + delay;
        // A clock set back would otherwise hold the notice until it caught up again.
        if (delay == 0 || nowMs >= due || nowMs < peer.commitLagSinceMs)
        {
            sendEmptyAppendEntries(peer);
        }
        else if (commitNoticeDueMs < 0 || due < commitNoticeDueMs)
        {
            commitNoticeDueMs = due;
            actions.add(new RaftAction.SetCommitNoticeTimer(due - nowMs));
        }
    }

    private void onCommitNoticeDue()
    {
        commitNoticeDueMs = -1;
        if (role != RaftState.LEADER)
        {
            return;
        }
        for (final PeerProgress peer : peers.values())
        {
            if (peer.commitLagSinceMs >= 0)
            {
                sendAppendEntries(peer, false);
            }
        }
    }

    /**
     * Nothing new to send: tell the peer the commit index, or probe where its log ends.
     */
    private void sendEmptyAppendEntries(final PeerProgress peer)
    {
        final long prev = Math.min(peer.nextIndex - 1, log.lastIndex());
        final long prevTerm = log.term(prev);
        if (prevTerm == LogStore.UNKNOWN_TERM)
        {
            startSnapshot(peer);
            return;
        }
        send(peer.id, new AppendEntriesRpc(currentTerm, self, prev, prevTerm, commitIndex, List.of()));
        counters.appendEntriesSent++;
        peer.commitIndexSent = commitIndex;
        peer.commitLagSinceMs = -1;
        peer.probeInFlight = peer.probing;
    }

    private void onAppendEntriesReply(final ServerId from, final AppendEntriesReply reply)
    {
        final PeerProgress peer = peers.get(from);
        if (role != RaftState.LEADER || reply.term() != currentTerm || null == peer)
        {
            return;
        }
        peer.heardSinceTick = true;
        peer.probeInFlight = false;
        peer.commitIndexReported = reply.commitIndex();
        if (reply.success())
        {
            final long match = Math.min(reply.lastIndex(), log.lastIndex());
            // A success reply only acknowledges entries verified against our log; a compacted term is fine.
            final long termAtMatch = log.term(match);
            final boolean sameEntry = termAtMatch == reply.lastTerm() || termAtMatch == LogStore.UNKNOWN_TERM;
            if (match > peer.matchIndex && sameEntry)
            {
                peer.matchIndex = match;
            }
            if (peer.nextIndex <= peer.matchIndex)
            {
                peer.nextIndex = peer.matchIndex + 1;
            }
            peer.probing = false;
            maybePromote(peer);
            advanceCommit();
            maybeSendTimeoutNow();
        }
        else if (peer.mode == PeerProgress.Mode.REPLICATE)
        {
            // Until the peer's log is found to match, one message at a time: a pipeline of rejections would only
            // multiply (etcd's probe state).
            peer.probing = true;
            if (reply.nextIndex() <= peer.matchIndex)
            {
                // The peer lost entries it had acknowledged (a disk that lied, or was replaced): Raft cannot make
                // that safe, but replication can at least resume from what it still has.
                peer.matchIndex = reply.nextIndex() - 1;
            }
            peer.nextIndex = Math.max(peer.matchIndex + 1, Math.min(reply.nextIndex(), log.lastIndex() + 1));
        }
        sendAppendEntries(peer, false);
    }

    private void advanceCommit()
    {
        final List<Member> members = configs.current();
        if (quorumScratch.length < members.size())
        {
            quorumScratch = new long[members.size() * 2];
        }
        int voters = 0;
        for (final Member member : members)
        {
            if (member.isVoter() || mutation == Mutation.COMMIT_COUNTS_PROMOTABLE)
            {
                // §5.3 and thesis §3.8: the leader's own entries count only once durable.
                quorumScratch[voters++] = member.id().equals(self) ? ownMatchIndex() :
                    peers.get(member.id()).matchIndex;
            }
        }
        final long agreed = Quorum.agreedValue(quorumScratch, voters);
        // §5.4.2: only entries of the current term are committed by counting replicas.
        final boolean currentTermEntry = log.term(agreed) == currentTerm;
        if (agreed > commitIndex && (currentTermEntry || mutation == Mutation.COMMIT_OLD_TERM_ENTRIES))
        {
            commitIndex = agreed;
            applyCommitted();
        }
    }

    private long ownMatchIndex()
    {
        return mutation == Mutation.ACK_BEFORE_DURABLE ? log.lastIndex() : log.lastWritten();
    }

    private void maybePromote(final PeerProgress peer)
    {
        final Member member = findMember(peer.id);
        if (null != member && member.membership() == Membership.PROMOTABLE &&
            peer.matchIndex >= member.promotionTarget() && clusterChangePermitted())
        {
            final List<Member> next = new ArrayList<>();
            for (final Member m : configs.current())
            {
                next.add(m.id().equals(peer.id) ? Member.voter(m.id()) : m);
            }
            appendConfiguration(next, -1);
        }
    }

    private void onTick()
    {
        if (role != RaftState.LEADER)
        {
            return;
        }
        for (final PeerProgress peer : peers.values())
        {
            if (peer.mode == PeerProgress.Mode.SNAPSHOT)
            {
                if (!peer.heardSinceTick)
                {
                    // The last chunk or its reply was lost: send it again.
                    peer.snapshotChunkInFlight = false;
                }
            }
            else if (!peer.heardSinceTick && peer.matchIndex < log.lastIndex())
            {
                // Nothing heard while entries were outstanding: assume they were lost and resend from the match.
                peer.nextIndex = peer.matchIndex + 1;
            }
            // A commit notice lost on a connection that stayed up (a full send queue) would otherwise leave the
            // peer's commit index behind until the next write. Its replies report the commit index it knows (a
            // reply to an earlier message may arrive after the notice was lost, so "answered" would not do): one
            // that still lacks what was committed at the previous tick is sent the notice again. A peer that knows
            // it sends nothing, so an idle cluster stays silent on its ticks. An unreachable peer gets a probe once
            // it is reachable again.
            final boolean resendEmpty = peer.reachable && peer.commitIndexReported < peer.commitIndexDueAtTick;
            peer.commitIndexDueAtTick = Math.min(commitIndex, peer.matchIndex);
            peer.heardSinceTick = false;
            peer.probeInFlight = false;
            sendAppendEntries(peer, peer.matchIndex < log.lastIndex() || resendEmpty);
        }
        if (null != transferTarget && nowMs >= transferDeadlineMs)
        {
            if (!timeoutNowSent)
            {
                actions.add(new RaftAction.CallFailed(transferCallId, CallError.NOT_UP_TO_DATE, null));
            }
            transferTarget = null;
        }
        runEffects(guard.tick(nowMs, machineState, lastApplied), false);
    }

    private void onPeerUnreachable(final ServerId peer)
    {
        if (!markUnreachable(peer))
        {
            return;
        }
        if (peer.equals(leaderId))
        {
            abandonSnapshotTransfer();
        }
        if (role == RaftState.FOLLOWER && peer.equals(leaderId) && isVoter(self))
        {
            // The leader is gone for sure: pre-vote after a short jitter, not a whole election timeout.
            setElectionTimer(SilentLeader.afterLeaderDownMs(config, random));
            if (mutation == Mutation.LEADER_DOWN_STARTS_ELECTION)
            {
                startElection();
            }
        }
        else if (role == RaftState.LEADER && !canReachQuorum())
        {
            // Without a majority we can neither commit nor serve consistent reads: let the majority move on.
            leaderId = null;
            changeRole(RaftState.FOLLOWER);
            setElectionTimer();
        }
    }

    /**
     * Stop counting on a peer: no resends to it until it is heard again.
     *
     * @return false if the peer is this server (nothing to do).
     */
    private boolean markUnreachable(final ServerId peer)
    {
        if (peer.equals(self))
        {
            return false;
        }
        unreachable.add(peer);
        final PeerProgress progress = peers.get(peer);
        if (null != progress)
        {
            progress.reachable = false;
        }
        return true;
    }

    /**
     * The peer's node sent nothing for a while but its connection is open (a paused process, a silent partition). Our
     * leader: campaign once the rest of an election timeout has passed (pre-vote asks the others first). A leader does
     * not step down on silence alone; it stops resending to the peer until it is heard again.
     */
    private void onPeerSilent(final ServerId peer)
    {
        if (!markUnreachable(peer))
        {
            return;
        }
        if (!peer.equals(leaderId))
        {
            return;
        }
        abandonSnapshotTransfer();
        if (role == RaftState.FOLLOWER && isVoter(self))
        {
            setElectionTimer(SilentLeader.remainingTimeoutMs(config, random));
        }
    }

    private void onPeerReachable(final ServerId peer)
    {
        unreachable.remove(peer);
        final PeerProgress progress = peers.get(peer);
        if (null != progress)
        {
            progress.reachable = true;
            if (role == RaftState.LEADER)
            {
                progress.nextIndex = progress.matchIndex + 1;
                sendAppendEntries(progress, true);
            }
        }
    }

    private boolean canReachQuorum()
    {
        int voters = 0;
        int reachable = 0;
        for (final Member member : configs.current())
        {
            if (member.isVoter())
            {
                voters++;
                if (member.id().equals(self) || !unreachable.contains(member.id()))
                {
                    reachable++;
                }
            }
        }
        return reachable >= Quorum.majority(voters);
    }

    // ------------------------------------------------------------------------------------------------ snapshots

    private void startSnapshot(final PeerProgress peer)
    {
        final SnapshotMeta meta = snapshots.latest();
        if (null == meta)
        {
            throw new IllegalStateException(self + ": entries before " + peer.nextIndex + " for " + peer.id +
                " are gone but there is no snapshot");
        }
        counters.snapshotsSent++;
        peer.startSnapshot(meta);
        sendSnapshotChunk(peer);
    }

    private void sendSnapshotChunk(final PeerProgress peer)
    {
        final SnapshotMeta latest = snapshots.latest();
        if (null != latest && latest.index() != peer.snapshot.index())
        {
            // A newer snapshot replaced the one being sent (and its file may be gone): start over with it.
            peer.startSnapshot(latest);
        }
        final long size = snapshots.size(peer.snapshot);
        final Bytes chunk = snapshots.readChunk(peer.snapshot, peer.snapshotOffset, config.snapshotChunkBytes());
        final boolean last = peer.snapshotOffset + chunk.length() >= size;
        peer.snapshotChunkInFlight = true;
        send(peer.id, new InstallSnapshotRpc(currentTerm, self, peer.snapshot, peer.snapshotOffset, chunk, last));
    }

    private void onInstallSnapshotReply(final ServerId from, final InstallSnapshotReply reply)
    {
        final PeerProgress peer = peers.get(from);
        if (role != RaftState.LEADER || reply.term() != currentTerm || null == peer)
        {
            return;
        }
        peer.heardSinceTick = true;
        if (peer.mode != PeerProgress.Mode.SNAPSHOT || reply.snapshotIndex() != peer.snapshot.index())
        {
            return;
        }
        if (reply.done())
        {
            peer.snapshotDone(reply.snapshotIndex());
            advanceCommit();
            sendAppendEntries(peer, true);
        }
        else
        {
            peer.snapshotOffset = reply.nextOffset();
            peer.snapshotChunkInFlight = false;
            sendSnapshotChunk(peer);
        }
    }

    private void maybeSnapshot(final Effect.ReleaseCursor cursor)
    {
        final long index = cursor.index();
        if (snapshotPending || index > lastApplied || index <= log.snapshotIndex() + config.minSnapshotInterval())
        {
            return;
        }
        final long term = log.term(index);
        if (term <= 0)
        {
            return;
        }
        snapshotPending = true;
        final List<Member> members =
            mutation == Mutation.SNAPSHOT_CURRENT_CONFIG ? configs.current() : configs.at(index);
        actions.add(new RaftAction.WriteSnapshot(new SnapshotMeta(index, term, members, machine.version()),
            cursor.state()));
    }

    private void onSnapshotWritten(final SnapshotMeta meta)
    {
        snapshotPending = false;
        if (meta.index() <= log.snapshotIndex())
        {
            return;
        }
        counters.snapshotsWritten++;
        log.snapshotTaken(meta.index(), meta.term());
        configs.compactUpTo(meta.index());
        actions.add(new RaftAction.TruncateLogUpTo(meta.index()));
    }

    // ------------------------------------------------------------------------------------------------ reads

    private void onConsistentQuery(final long queryId)
    {
        counters.consistentQueries++;
        if (role != RaftState.LEADER)
        {
            actions.add(new RaftAction.CallFailed(queryId, CallError.NOT_LEADER, leaderId));
            return;
        }
        if (commitIndex < noopIndex)
        {
            // The commit index of an earlier term is not known to be current until our noop commits (§8).
            queriesAwaitingNoop.add(queryId);
            return;
        }
        enqueueQuery(queryId);
    }

    private void enqueueQuery(final long queryId)
    {
        if (mutation == Mutation.READ_WITHOUT_QUORUM)
        {
            actions.add(new RaftAction.QueryReady(queryId));
            return;
        }
        if (mutation == Mutation.QUERY_JOINS_SENT_ROUND && queryIndex > 0 && !heartbeatNeeded)
        {
            pendingQueries.add(new PendingQuery(queryId, commitIndex, queryIndex));
            processQueries();
            return;
        }
        queryIndex++;
        pendingQueries.add(new PendingQuery(queryId, commitIndex, queryIndex));
        heartbeatNeeded = true;
        processQueries();
    }

    private void onHeartbeatReply(final ServerId from, final HeartbeatReply reply)
    {
        final PeerProgress peer = peers.get(from);
        if (role != RaftState.LEADER || reply.term() != currentTerm || null == peer)
        {
            return;
        }
        peer.heardSinceTick = true;
        if (reply.queryIndex() > peer.queryIndex)
        {
            peer.queryIndex = reply.queryIndex();
            processQueries();
        }
    }

    private void processQueries()
    {
        if (pendingQueries.isEmpty())
        {
            return;
        }
        final List<Member> members = configs.current();
        if (quorumScratch.length < members.size())
        {
            quorumScratch = new long[members.size() * 2];
        }
        int voters = 0;
        for (final Member member : members)
        {
            if (member.isVoter())
            {
                quorumScratch[voters++] = member.id().equals(self) ? queryIndex : peers.get(member.id()).queryIndex;
            }
        }
        final long agreed = Quorum.agreedValue(quorumScratch, voters);
        while (!pendingQueries.isEmpty())
        {
            final PendingQuery query = pendingQueries.peekFirst();
            if (query.queryIndex() > agreed || query.readIndex() > lastApplied)
            {
                break;
            }
            pendingQueries.pollFirst();
            actions.add(new RaftAction.QueryReady(query.queryId()));
        }
        if (pendingQueries.isEmpty())
        {
            heartbeatNeeded = false;
        }
    }

    // ------------------------------------------------------------------------------------------------ membership

    private boolean clusterChangePermitted()
    {
        return role == RaftState.LEADER && commitIndex >= noopIndex && deleteCallId < 0 &&
            (pendingConfigIndex == 0 || mutation == Mutation.TWO_CONFIG_CHANGES_IN_FLIGHT);
    }

    private void onAddMember(final long callId, final Member member)
    {
        if (!checkChangeAllowed(callId))
        {
            return;
        }
        if (null != findMember(member.id()))
        {
            actions.add(new RaftAction.CallFailed(callId, CallError.ALREADY_MEMBER, self));
            return;
        }
        final Member joining = member.membership() == Membership.PROMOTABLE ?
            new Member(member.id(), Membership.PROMOTABLE, log.lastIndex()) : member;
        final List<Member> next = new ArrayList<>(configs.current());
        next.add(joining);
        appendConfiguration(next, callId);
    }

    private void onRemoveMember(final long callId, final ServerId server)
    {
        if (!checkChangeAllowed(callId))
        {
            return;
        }
        final Member leaving = findMember(server);
        if (null == leaving)
        {
            actions.add(new RaftAction.CallFailed(callId, CallError.NOT_MEMBER, self));
            return;
        }
        final List<Member> next = new ArrayList<>(configs.current());
        next.remove(leaving);
        if (next.stream().noneMatch(Member::isVoter))
        {
            actions.add(new RaftAction.CallFailed(callId, CallError.NOT_PERMITTED, self));
            return;
        }
        appendConfiguration(next, callId);
    }

    private boolean checkChangeAllowed(final long callId)
    {
        if (role != RaftState.LEADER)
        {
            actions.add(new RaftAction.CallFailed(callId, CallError.NOT_LEADER, leaderId));
            return false;
        }
        if (!clusterChangePermitted())
        {
            actions.add(new RaftAction.CallFailed(callId, CallError.CLUSTER_CHANGE_NOT_PERMITTED, self));
            return false;
        }
        return true;
    }

    private void appendConfiguration(final List<Member> members, final long callId)
    {
        // The configuration is in force from its own entry on, so a joining peer is sent that entry too.
        final long index = log.lastIndex() + 1;
        configs.add(index, members);
        refreshPeers();
        appendEntry(new EntryPayload.ClusterChange(members));
        pendingConfigIndex = index;
        pendingConfigCallId = callId;
    }

    private Member findMember(final ServerId id)
    {
        for (final Member member : configs.current())
        {
            if (member.id().equals(id))
            {
                return member;
            }
        }
        return null;
    }

    private boolean isVoter(final ServerId id)
    {
        final Member member = findMember(id);
        return null != member && member.isVoter();
    }

    private void onTransferLeadership(final long callId, final ServerId target)
    {
        if (role != RaftState.LEADER)
        {
            actions.add(new RaftAction.CallFailed(callId, CallError.NOT_LEADER, leaderId));
            return;
        }
        if (target.equals(self))
        {
            actions.add(new RaftAction.CallCompleted(callId, 0, 0));
            return;
        }
        final Member member = findMember(target);
        if (null == member)
        {
            actions.add(new RaftAction.CallFailed(callId, CallError.NOT_MEMBER, self));
            return;
        }
        if (!member.isVoter())
        {
            actions.add(new RaftAction.CallFailed(callId, CallError.NON_VOTER, self));
            return;
        }
        if (null != transferTarget)
        {
            actions.add(new RaftAction.CallFailed(callId, CallError.NOT_PERMITTED, self));
            return;
        }
        transferTarget = target;
        transferCallId = callId;
        transferDeadlineMs = nowMs + config.awaitConditionTimeoutMs();
        timeoutNowSent = false;
        maybeSendTimeoutNow();
    }

    private void maybeSendTimeoutNow()
    {
        if (null == transferTarget || timeoutNowSent)
        {
            return;
        }
        final PeerProgress peer = peers.get(transferTarget);
        if (null != peer && peer.matchIndex == log.lastIndex())
        {
            // New commands are refused while transferring, so the target stays caught up (thesis §3.10).
            timeoutNowSent = true;
            send(transferTarget, new TimeoutNowRpc(currentTerm, self));
            actions.add(new RaftAction.CallCompleted(transferCallId, 0, 0));
        }
    }

    private void onDeleteCluster(final long callId)
    {
        if (!checkChangeAllowed(callId))
        {
            return;
        }
        deleteCallId = callId;
        appendEntry(new EntryPayload.DeleteCluster());
    }

    // ------------------------------------------------------------------------------------------------ applying

    private void applyCommitted()
    {
        while (lastApplied < commitIndex && role != RaftState.EOL)
        {
            // In batches: a store reads a run of entries with one read where it reads one entry with one (a restart
            // without a snapshot applies the whole log from segments).
            applyBatch.clear();
            log.collect(lastApplied + 1, commitIndex, APPLY_BATCH, config.maxAppendBytes(), applyBatch);
            if (applyBatch.isEmpty())
            {
                throw new IllegalStateException(self + ": committed entry " + (lastApplied + 1) + " is not held");
            }
            for (int i = 0; i < applyBatch.size() && role != RaftState.EOL; i++)
            {
                final LogEntry entry = applyBatch.get(i);
                if (entry.index() != lastApplied + 1)
                {
                    throw new IllegalStateException(self + ": read entry " + entry.index() + " where " +
                        (lastApplied + 1) + " was expected");
                }
                applyEntry(entry, false);
            }
        }
        applyBatch.clear();
        if (role == RaftState.LEADER)
        {
            processQueries();
        }
    }

    private void applyEntry(final LogEntry entry, final boolean replaying)
    {
        final long index = entry.index();
        lastApplied = index;
        counters.entriesApplied++;
        final EntryPayload payload = entry.payload();
        final CommandMeta meta = new CommandMeta(index, entry.term(), entry.systemTimeMs(), machine.version());
        if (payload instanceof UserCommand command)
        {
            final ApplyResult<Object> result = guard.apply(meta, command, commandCodec, machineState, !replaying);
            if (!replaying && role == RaftState.LEADER)
            {
                reply(index, null == result ? guard.lastFailure() : result.reply());
            }
            if (null != result)
            {
                machineState = result.state();
                runEffects(result.effects(), replaying);
            }
        }
        else if (payload instanceof EntryPayload.Builtin builtin)
        {
            final ApplyResult<Object> result = guard.applyBuiltin(meta, builtin.command(), machineState, !replaying);
            if (null != result)
            {
                machineState = result.state();
                runEffects(result.effects(), replaying);
            }
        }
        else if (payload instanceof EntryPayload.Noop)
        {
            if (role == RaftState.LEADER && index == noopIndex && !replaying)
            {
                for (final Long queryId : queriesAwaitingNoop)
                {
                    enqueueQuery(queryId);
                }
                queriesAwaitingNoop.clear();
            }
        }
        else if (payload instanceof EntryPayload.ClusterChange change)
        {
            if (mutation == Mutation.CONFIG_ON_COMMIT && index > configs.currentIndex())
            {
                configs.add(index, change.members());
            }
            onConfigurationCommitted(index, entry.term(), replaying);
        }
        else if (payload instanceof EntryPayload.DeleteCluster)
        {
            onDeleteCommitted(index, entry.term(), replaying);
        }
        else
        {
            throw new IllegalStateException("unhandled payload " + payload);
        }
    }

    private void reply(final long index, final Object reply)
    {
        while (!pendingReplies.isEmpty() && pendingReplies.peekFirst().index() <= index)
        {
            final PendingReply pending = pendingReplies.pollFirst();
            if (pending.index() != index)
            {
                continue;
            }
            if (pending.mode() instanceof ReplyMode.AwaitConsensus await)
            {
                actions.add(new RaftAction.ReplyToCaller(await.callId(), index, reply));
            }
            else if (pending.mode() instanceof ReplyMode.Notify notify)
            {
                actions.add(new RaftAction.NotifyApplied(notify.to(), notify.correlation(), reply));
            }
        }
    }

    private void onConfigurationCommitted(final long index, final long term, final boolean replaying)
    {
        if (replaying || role != RaftState.LEADER || index != pendingConfigIndex)
        {
            return;
        }
        pendingConfigIndex = 0;
        if (pendingConfigCallId >= 0)
        {
            actions.add(new RaftAction.CallCompleted(pendingConfigCallId, index, term));
            pendingConfigCallId = -1;
        }
        if (null == findMember(self))
        {
            // Removed ourselves: hand over by stepping down now that the new configuration is committed (§6).
            leaderId = null;
            changeRole(RaftState.FOLLOWER);
        }
    }

    private void onDeleteCommitted(final long index, final long term, final boolean replaying)
    {
        if (replaying)
        {
            return;
        }
        if (role == RaftState.LEADER)
        {
            // Tell every peer the entry is committed before going, so that they delete themselves too.
            for (final PeerProgress peer : peers.values())
            {
                sendAppendEntries(peer, true);
            }
            if (deleteCallId >= 0)
            {
                actions.add(new RaftAction.CallCompleted(deleteCallId, index, term));
                deleteCallId = -1;
            }
        }
        runEffects(guard.stateEnter(RaftState.EOL, machineState, lastApplied), false);
        failPendingCalls();
        final RaftState previous = role;
        role = RaftState.EOL;
        cancelElectionTimer();
        actions.add(new RaftAction.RoleChanged(previous, RaftState.EOL, currentTerm, leaderId));
        actions.add(new RaftAction.Terminate(true));
    }

    private void runEffects(final List<Effect> effects, final boolean replaying)
    {
        if (effects.isEmpty())
        {
            return;
        }
        List<Effect> toRun = null;
        for (final Effect effect : effects)
        {
            if (effect instanceof Effect.ReleaseCursor cursor)
            {
                if (!replaying)
                {
                    maybeSnapshot(cursor);
                }
                continue;
            }
            if (replaying)
            {
                continue;
            }
            if (role == RaftState.LEADER)
            {
                if (effect instanceof Effect.Append append)
                {
                    final UserCommand command = guard.appendable(append.command(), commandCodec,
                        config.maxCommandBytes(), lastApplied);
                    if (null != command)
                    {
                        appendEntry(command);
                    }
                    continue;
                }
            }
            else if (!(effect instanceof Effect.Demonitor) && !(effect instanceof Effect.DemonitorNode))
            {
                continue;
            }
            if (null == toRun)
            {
                toRun = new ArrayList<>(effects.size());
            }
            toRun.add(effect);
        }
        if (null != toRun)
        {
            actions.add(new RaftAction.MachineEffects(toRun));
        }
    }

    // ------------------------------------------------------------------------------------------------ roles

    private void changeRole(final RaftState next)
    {
        if (role == next)
        {
            return;
        }
        final RaftState previous = role;
        role = next;
        if (previous == RaftState.LEADER)
        {
            failPendingCalls();
            peers.clear();
            noopIndex = Long.MAX_VALUE;
        }
        actions.add(new RaftAction.RoleChanged(previous, next, currentTerm, leaderId));
        if (next != RaftState.RECOVERING)
        {
            runEffects(guard.stateEnter(next, machineState, lastApplied), false);
        }
    }

    private void failPendingCalls()
    {
        for (final PendingReply pending : pendingReplies)
        {
            if (pending.mode() instanceof ReplyMode.AwaitConsensus await)
            {
                // The entry may still commit under the next leader: the outcome is unknown, never "not applied".
                actions.add(new RaftAction.CallFailed(await.callId(), CallError.LEADERSHIP_LOST, leaderId));
            }
        }
        pendingReplies.clear();
        for (final PendingQuery query : pendingQueries)
        {
            actions.add(new RaftAction.CallFailed(query.queryId(), CallError.NOT_LEADER, leaderId));
        }
        pendingQueries.clear();
        for (final Long queryId : queriesAwaitingNoop)
        {
            actions.add(new RaftAction.CallFailed(queryId, CallError.NOT_LEADER, leaderId));
        }
        queriesAwaitingNoop.clear();
        if (pendingConfigCallId >= 0)
        {
            actions.add(new RaftAction.CallFailed(pendingConfigCallId, CallError.LEADERSHIP_LOST, leaderId));
            pendingConfigCallId = -1;
        }
        if (null != transferTarget && !timeoutNowSent)
        {
            actions.add(new RaftAction.CallFailed(transferCallId, CallError.LEADERSHIP_LOST, leaderId));
        }
        transferTarget = null;
        if (deleteCallId >= 0)
        {
            actions.add(new RaftAction.CallFailed(deleteCallId, CallError.LEADERSHIP_LOST, leaderId));
        }
        deleteCallId = -1;
    }

    private void setElectionTimer()
    {
        setElectionTimer(random.nextLong(config.electionTimeoutMinMs(), config.electionTimeoutMaxMs()));
    }

    private void setElectionTimer(final long delay)
    {
        final int last = actions.size() - 1;
        if (last >= 0 && actions.get(last) instanceof RaftAction.SetElectionTimer)
        {
            actions.remove(last);
        }
        electionTimerRunning = true;
        actions.add(new RaftAction.SetElectionTimer(delay));
    }

    private void cancelElectionTimer()
    {
        if (electionTimerRunning)
        {
            electionTimerRunning = false;
            actions.add(new RaftAction.CancelElectionTimer());
        }
    }

    private static boolean isReply(final RaftRpc rpc)
    {
        return rpc instanceof AppendEntriesReply || rpc instanceof HeartbeatReply || rpc instanceof RequestVoteReply ||
            rpc instanceof PreVoteReply || rpc instanceof InstallSnapshotReply;
    }

    private void send(final ServerId to, final RaftRpc rpc)
    {
        actions.add(new RaftAction.Send(to, rpc));
    }

    @Override
    public String toString()
    {
        return self + "{" + role + ", term=" + currentTerm + ", leader=" + leaderId + ", last=" + log.lastIndex() +
            ", written=" + log.lastWritten() + ", commit=" + commitIndex + ", applied=" + lastApplied + "}";
    }
}

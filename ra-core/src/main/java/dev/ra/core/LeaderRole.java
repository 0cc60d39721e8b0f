package dev.ra.core;

import dev.ra.Effect;
import dev.ra.RaftRole;
import dev.ra.ServerId;
import dev.ra.StateMachine;
import dev.ra.codec.Bytes;
import dev.ra.protocol.EntryPayload;
import dev.ra.protocol.LogEntry;
import dev.ra.protocol.Member;
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
import dev.ra.protocol.SnapshotMeta;
import dev.ra.protocol.UserCommand;
import dev.ra.spi.LogStore;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * The leader: appends commands and replicates them to every peer ({@link PeerProgress}, pipelined, with snapshots for
 * peers that fell behind the log), commits what a majority of voters has durable (§5.3, §5.4.2), answers consistent
 * queries ({@link ReadIndexQueue}), changes the configuration ({@link ConfigChange}), and hands leadership over
 * ({@link LeadershipTransfer}). Every call it owes an outcome is in its {@link CallLedger}, failed as a whole when
 * leadership ends.
 *
 * <p>One object serves every term this member leads; {@link #lead} starts it afresh.
 */
final class LeaderRole extends RoleHandler
{
    /** Most AppendEntries messages of {@code maxAppendBytes} each in flight to one peer, in bytes. */
    private static final int MAX_IN_FLIGHT_MESSAGES = 4;

    final LinkedHashMap<ServerId, PeerProgress> peers = new LinkedHashMap<>();
    final ReadIndexQueue reads;
    final CallLedger calls;
    final ConfigChange configChange;
    final LeadershipTransfer transfer;
    final MachineUpgrade upgrade;
    private long[] quorumScratch = new long[8];
    /** The commands this term appended and not applied yet, bounded by {@link CoreConfig#maxUncommittedBytes()}. */
    final UncommittedTail uncommitted = new UncommittedTail();
    /** The index of this term's noop: queries and configuration changes wait for it to commit (§8). */
    long noopIndex = Long.MAX_VALUE;
    /** When the pending commit notice timer fires, or -1 when none is pending. */
    private long commitNoticeDueMs = -1;
    /** A configuration without this member committed: lead no more once the entries being applied are. */
    private boolean removed;

    LeaderRole(final ServerCore core)
    {
        super(core, RaftRole.LEADER);
        this.reads = new ReadIndexQueue(core.actions);
        this.calls = new CallLedger(core.actions, reads);
        this.configChange = new ConfigChange(core, this);
        this.transfer = new LeadershipTransfer(core, this);
        this.upgrade = new MachineUpgrade(core, peers);
    }

    /**
     * Become the leader of the current term (the election is won): take over every peer's progress from scratch and
     * append this term's noop.
     */
    void lead()
    {
        core.leaderId = core.self;
        core.cancelElectionTimer();
        peers.clear();
        calls.reset();
        reads.reset();
        commitNoticeDueMs = -1;
        removed = false;
        transfer.reset();
        refreshPeers();
        core.changeRole(this);
        configChange.reset();
        noopIndex = core.log.lastIndex() + 1;
        uncommitted.reset(noopIndex);
        core.appendEntry(new EntryPayload.Noop(upgrade.versionForTermNoop()));
    }

    /**
     * Track a progress for every member of the configuration in force, and only for those.
     */
    void refreshPeers()
    {
        final List<Member> members = core.configs.current();
        // Loops, not a stream and lambdas: this runs as a leadership starts, the moment a failover waits on, and the
        // first time in a JVM a lambda's call site is linked (about a millisecond on a busy machine).
        for (final Iterator<ServerId> it = peers.keySet().iterator(); it.hasNext(); )
        {
            if (!core.isMember(it.next()))
            {
                it.remove();
            }
        }
        for (final Member member : members)
        {
            if (!member.id().equals(core.self) && !peers.containsKey(member.id()))
            {
                final PeerProgress peer = new PeerProgress(member.id(), core.log.lastIndex() + 1);
                peer.reachable = !core.unreachable.contains(member.id());
                peer.reachableSinceMs = core.nowMs;
                peers.put(member.id(), peer);
            }
        }
    }

    @Override
    void onLeave()
    {
        // Commands kept during a hand-over, and those arriving until the successor is known, wait for it, to be
        // redirected there (ParkedCommands); so do the consistent queries of a leadership handed over.
        final boolean handedOver = transfer.inProgress();
        core.parked.leadershipEnded(core.nowMs + core.config.electionTimeoutMaxMs(), handedOver);
        if (handedOver)
        {
            // Refused at the end of this step if the successor is already known (ParkedCommands.settle).
            reads.drain(core.parked::keepQuery);
        }
        failAllCalls();
        peers.clear();
        noopIndex = Long.MAX_VALUE;
        removed = false;
    }

    /**
     * Leadership ends: fail every call owed an outcome.
     */
    void failAllCalls()
    {
        calls.failAll(core.leaderId);
        transfer.reset();
    }

    // ------------------------------------------------------------------------------------------------ commands

    @Override
    void onClientCommand(final UserCommand command, final ReplyMode mode)
    {
        if (transfer.inProgress() && !calls.deleting() && core.parked.park(command, mode))
        {
            // Kept until the hand-over ends: appended if it fails, else sent to the new leader (ParkedCommands).
            return;
        }
        if (transfer.inProgress() || calls.deleting())
        {
            core.actions.add(new RaftAction.CommandNotTaken(command, mode, null));
            return;
        }
        // The codec of the version the entry is applied with, which a switch appended and not applied changes.
        final StateMachine<Object, Object> appliedBy = AppendEncoding.machineForCommands(core);
        final UserCommand taken = AppendEncoding.clientCommand(core, command, appliedBy);
        final int bytes;
        try
        {
            bytes = taken.data(appliedBy.commandCodec()).length();
        }
        catch (final RuntimeException ex)
        {
            // The caller's object, which that version's codec refuses (a command the newer version no longer has):
            // refused to its caller, as the runtime's check refuses bytes that do not decode, never a stop.
            refuseInvalid(mode, "cluster '" + core.config.clusterName() + "': the command cannot be encoded with " +
                "the command codec of machine version " + core.versions.neededForLog() + ", which the commands " +
                "appended now are applied with: " + ex.getMessage());
            return;
        }
        if (bytes > core.config.maxCommandBytes())
        {
            // The runtime refuses these with a clear error before they get here; this keeps them out of the log
            // whatever the caller: an entry above the transport's frame limit could never be replicated.
            refuseInvalid(mode, null);
            return;
        }
        if (!uncommitted.admits(bytes, core.config.maxUncommittedBytes()))
        {
            refuseOverloaded(mode);
            return;
        }
        final long index = core.appendEntry(taken);
        uncommitted.appended(bytes);
        core.counters.commands++;
        if (!(mode instanceof ReplyMode.NoReply))
        {
            calls.awaitApply(index, mode);
        }
    }

    /**
     * Refuse a command that cannot become an entry; a fire-and-forget one is dropped, as the runtime's check drops it.
     *
     * @param detail why, or null when the error says all.
     */
    private void refuseInvalid(final ReplyMode mode, final String detail)
    {
        core.counters.commandsRefused++;
        if (mode instanceof ReplyMode.AwaitConsensus await)
        {
            core.actions.add(null == detail ?
                new RaftAction.CallFailed(await.callId(), CallError.INVALID_COMMAND, core.self) :
                new RaftAction.CallFailed(await.callId(), CallError.INVALID_COMMAND, core.self, detail));
        }
        else if (null != detail && mode instanceof ReplyMode.Notify notify)
        {
            core.actions.add(new RaftAction.NotifyRefused(notify.to(), notify.correlation(), CallError.INVALID_COMMAND,
                detail));
        }
    }

    /**
     * Refuse a command: the leader holds all the commands not yet applied it may. Nothing is appended, and the caller
     * is told which server refused and why, to retry later rather than elsewhere.
     */
    private void refuseOverloaded(final ReplyMode mode)
    {
        core.counters.commandsOverloaded++;
        if (mode instanceof ReplyMode.NoReply)
        {
            return;
        }
        final String detail = core.self + " is overloaded: it holds " + uncommitted.bytes() + " bytes of commands " +
            "not yet committed and applied, the most it may (maxUncommittedBytes " + core.config.maxUncommittedBytes() +
            ", RaSystemBuilder.maxUncommittedBytes); the cluster commits slower than commands arrive (followers slow " +
            "or down): retry later";
        if (mode instanceof ReplyMode.AwaitConsensus await)
        {
            core.actions.add(new RaftAction.CallFailed(await.callId(), CallError.OVERLOADED, core.self, detail));
        }
        else if (mode instanceof ReplyMode.Notify notify)
        {
            core.actions.add(new RaftAction.NotifyRefused(notify.to(), notify.correlation(), CallError.OVERLOADED,
                detail));
        }
    }

    @Override
    void onBuiltin(final EntryPayload.Builtin builtin)
    {
        core.appendEntry(builtin);
    }

    @Override
    boolean runsEffect(final Effect effect)
    {
        if (effect instanceof Effect.Append append)
        {
            final UserCommand command = AppendEncoding.appendEffect(core, append.command());
            if (null != command)
            {
                // Counted (it is held like any command) but never refused: it is the machine's, from an apply that
                // every member runs alike.
                core.appendEntry(command);
                final Bytes data = command.dataIfEncoded();
                uncommitted.appended(null == data ? 0 : data.length());
            }
            return false;
        }
        return true;
    }

    @Override
    void onCommandApplied(final long index, final long commandBytes, final Object reply)
    {
        uncommitted.applied(index, commandBytes);
        calls.replyApplied(index, reply, core.versions.effective());
    }

    @Override
    void onNoopApplied(final long index)
    {
        if (index == noopIndex)
        {
            reads.releaseAwaitingNoop(this::enqueueQuery);
        }
    }

    @Override
    void onConfigurationApplied(final long index, final long term)
    {
        configChange.committed(index, term);
    }

    @Override
    void onDeleteApplied(final long index, final long term)
    {
        // Tell every peer the entry is committed before going, so that they delete themselves too.
        for (final PeerProgress peer : peers.values())
        {
            sendAppendEntries(peer, true);
        }
        calls.deleteCommitted(index, term);
    }

    @Override
    void onDeleteCluster(final long callId)
    {
        if (!configChange.checkAllowed(callId))
        {
            return;
        }
        calls.awaitDelete(callId);
        core.appendEntry(new EntryPayload.DeleteCluster());
    }

    @Override
    void onAddMember(final long callId, final Member member)
    {
        configChange.add(callId, member);
    }

    @Override
    void onRemoveMember(final long callId, final ServerId server)
    {
        configChange.remove(callId, server);
    }

    @Override
    void onTransferLeadership(final long callId, final ServerId target)
    {
        transfer.start(callId, target);
    }

    // ------------------------------------------------------------------------------------------------ replication

    @Override
    void onFlush()
    {
        for (final PeerProgress peer : peers.values())
        {
            sendAppendEntries(peer, false);
        }
        if (reads.takeHeartbeatNeeded())
        {
            for (final PeerProgress peer : peers.values())
            {
                if (core.isVoter(peer.id))
                {
                    core.send(peer.id, new HeartbeatRpc(core.currentTerm, core.self, reads.round()));
                }
            }
        }
    }

    void sendAppendEntries(final PeerProgress peer, final boolean probe)
    {
        if (peer.mode == PeerProgress.Mode.SNAPSHOT)
        {
            if (!peer.snapshotChunkInFlight)
            {
                sendSnapshotChunk(peer);
            }
            return;
        }
        core.emitUnflushed();
        if (peer.probing && peer.probeInFlight)
        {
            return;
        }
        final RaftLog log = core.log;
        final CoreConfig config = core.config;
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
                peer.acknowledgedOrUnsent() + config.maxPipelineCount()));
            final ArrayList<LogEntry> entries = new ArrayList<>((int)(last - prev));
            // Bounded in bytes too, so that a message never exceeds the transport's frame limit however large the
            // entries (each is at most maxCommandBytes, and one is always sent).
            log.collect(peer.nextIndex, last, config.maxAppendEntries(), config.maxAppendBytes(), entries);
            if (entries.isEmpty())
            {
                startSnapshot(peer);
                return;
            }
            core.send(peer.id, new AppendEntriesRpc(core.currentTerm, core.self, prev, prevTerm, core.commitIndex,
                entries));
            core.counters.appendEntriesSent++;
            peer.sentEntries(entries.size(), RaftLog.commandBytes(entries), core.commitIndex);
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
        else if (peer.commitIndexSent < core.commitIndex && peer.inFlight() == 0)
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
        final long nowMs = core.nowMs;
        final long delay = core.config.commitNoticeDelayMs();
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
            core.actions.add(new RaftAction.SetCommitNoticeTimer(due - nowMs));
        }
    }

    @Override
    void onCommitNoticeDue()
    {
        commitNoticeDueMs = -1;
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
        final long prev = Math.min(peer.nextIndex - 1, core.log.lastIndex());
        final long prevTerm = core.log.term(prev);
        if (prevTerm == LogStore.UNKNOWN_TERM)
        {
            startSnapshot(peer);
            return;
        }
        core.send(peer.id, new AppendEntriesRpc(core.currentTerm, core.self, prev, prevTerm, core.commitIndex,
            List.of()));
        core.counters.appendEntriesSent++;
        peer.sentCommitIndex(core.commitIndex);
    }

    @Override
    void onAppendEntries(final ServerId from, final AppendEntriesRpc rpc)
    {
        throw new IllegalStateException(core.self + ": two leaders in term " + core.currentTerm + ": me and " +
            rpc.leaderId());
    }

    @Override
    void onAppendEntriesReply(final ServerId from, final AppendEntriesReply reply)
    {
        final PeerProgress peer = peers.get(from);
        if (reply.term() != core.currentTerm || null == peer)
        {
            return;
        }
        peer.replied(reply.commitIndex());
        if (peer.machineVersion != reply.machineVersion())
        {
            peer.machineVersion = reply.machineVersion();
            upgrade.maybeUpgrade();
        }
        if (reply.success())
        {
            final long match = Math.min(reply.lastIndex(), core.log.lastIndex());
            // A success reply only acknowledges entries verified against our log; a compacted term is fine.
            final long termAtMatch = core.log.term(match);
            peer.accepted(match, termAtMatch == reply.lastTerm() || termAtMatch == LogStore.UNKNOWN_TERM);
            configChange.maybePromote(peer);
            advanceCommit();
            if (core.current() != this)
            {
                // What committed removed this member, which has stepped down: it sends nothing more as the leader.
                return;
            }
            transfer.maybeSendTimeoutNow();
        }
        else if (peer.mode == PeerProgress.Mode.REPLICATE)
        {
            peer.rejected(reply.nextIndex(), core.log.lastIndex());
        }
        sendAppendEntries(peer, false);
    }

    @Override
    void onLogWritten()
    {
        advanceCommit();
        transfer.maybeSendTimeoutNow();
    }

    private void advanceCommit()
    {
        final List<Member> members = core.configs.current();
        final long[] matches = scratch(members.size());
        int voters = 0;
        for (final Member member : members)
        {
            if (member.isVoter() || core.mutation == Mutation.COMMIT_COUNTS_PROMOTABLE)
            {
                // §5.3 and thesis §3.8: the leader's own entries count only once durable.
                matches[voters++] = member.id().equals(core.self) ? ownMatchIndex() :
                    peers.get(member.id()).matchIndex;
            }
        }
        final long agreed = Quorum.agreedValue(matches, voters);
        // §5.4.2: only entries of the current term are committed by counting replicas.
        final boolean currentTermEntry = core.log.term(agreed) == core.currentTerm;
        if (agreed > core.commitIndex && (currentTermEntry || core.mutation == Mutation.COMMIT_OLD_TERM_ENTRIES))
        {
            core.commitIndex = agreed;
            core.applier.applyCommitted();
        }
    }

    private long ownMatchIndex()
    {
        return core.mutation == Mutation.ACK_BEFORE_DURABLE ? core.log.lastIndex() : core.log.lastWritten();
    }

    private long[] scratch(final int size)
    {
        if (quorumScratch.length < size)
        {
            quorumScratch = new long[size * 2];
        }
        return quorumScratch;
    }

    @Override
    void onTick()
    {
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
            else if (!peer.heardSinceTick && peer.matchIndex < core.log.lastIndex())
            {
                // Nothing heard while entries were outstanding: assume they were lost and resend from the match.
                peer.resendFromMatch();
            }
            // A commit notice lost on a connection that stayed up (a full send queue) would otherwise leave the
            // peer's commit index behind until the next write. Its replies report the commit index it knows (a
            // reply to an earlier message may arrive after the notice was lost, so "answered" would not do): one
            // that still lacks what was committed at the previous tick is sent the notice again. A peer that knows
            // it sends nothing, so an idle cluster stays silent on its ticks. An unreachable peer gets a probe once
            // it is reachable again.
            final boolean resendEmpty = peer.reachable && peer.commitIndexReported < peer.commitIndexDueAtTick;
            peer.commitIndexDueAtTick = Math.min(core.commitIndex, peer.matchIndex);
            peer.heardSinceTick = false;
            peer.probeInFlight = false;
            sendAppendEntries(peer, peer.matchIndex < core.log.lastIndex() || resendEmpty);
        }
        transfer.onTick();
        reads.onTick();
        core.applier.runEffects(core.guard.tick(core.nowMs, core.machineState, core.lastApplied), false);
    }

    /**
     * A tick is wanted only while it could do something: a peer has entries or a snapshot chunk outstanding, a probe
     * unanswered, or a commit index it may not have been told; a consistent query's heartbeat round is unacknowledged
     * (it is sent again at a tick if lost); a leadership transfer is under way; or the machine has a tick of its own.
     * A leader of an idle cluster whose followers know everything wants none, so the shell skips it.
     */
    @Override
    boolean wantsTicks()
    {
        if (core.versions.machineTicks() || transfer.inProgress() || reads.awaitsAcknowledgement())
        {
            return true;
        }
        final long lastIndex = core.log.lastIndex();
        for (final PeerProgress peer : peers.values())
        {
            if (peer.awaitsTick(lastIndex, core.commitIndex))
            {
                return true;
            }
        }
        return false;
    }

    // ------------------------------------------------------------------------------------------------ peers

    @Override
    void onPreVote(final ServerId from, final PreVoteRpc rpc)
    {
        core.send(from, new PreVoteReply(core.currentTerm, rpc.token(), false));
        final PeerProgress peer = peers.get(from);
        if (null != peer)
        {
            // A member campaigning against a live leader has lost touch (it restarted, say): reconnect it now.
            peer.resendFromMatch();
            sendAppendEntries(peer, true);
        }
        else
        {
            configChange.heardFromNonMember(from);
        }
    }

    @Override
    void onRequestVote(final ServerId from, final RequestVoteRpc rpc)
    {
        core.send(from, new RequestVoteReply(core.currentTerm, false));
        if (!peers.containsKey(from))
        {
            configChange.heardFromNonMember(from);
        }
    }

    @Override
    void onHeartbeat(final ServerId from, final HeartbeatRpc rpc)
    {
        core.answerHeartbeat(from, rpc);
    }

    /**
     * @param peer reported down or silent: no resends to it until it is heard again.
     */
    void peerUnreachable(final ServerId peer)
    {
        final PeerProgress progress = peers.get(peer);
        if (null != progress)
        {
            progress.reachable = false;
        }
    }

    @Override
    void onPeerUnreachable(final ServerId peer)
    {
        if (!canReachQuorum())
        {
            // Without a majority we can neither commit nor serve consistent reads: let the majority move on.
            core.leaderId = null;
            core.changeRole(core.follower);
            core.setElectionTimer();
        }
    }

    @Override
    void onPeerReachable(final ServerId peer)
    {
        final PeerProgress progress = peers.get(peer);
        if (null != progress)
        {
            if (!progress.reachable)
            {
                progress.reachableSinceMs = core.nowMs;
            }
            progress.reachable = true;
            progress.resendFromMatch();
            sendAppendEntries(progress, true);
        }
    }

    private boolean canReachQuorum()
    {
        int voters = 0;
        int reachable = 0;
        for (final Member member : core.configs.current())
        {
            if (member.isVoter())
            {
                voters++;
                if (member.id().equals(core.self) || !core.unreachable.contains(member.id()))
                {
                    reachable++;
                }
            }
        }
        return reachable >= Quorum.majority(voters);
    }

    @Override
    ServerId handOverTarget()
    {
        PeerProgress best = null;
        for (final PeerProgress peer : peers.values())
        {
            if (peer.reachable && core.isVoter(peer.id) &&
                peer.supportsMachineVersion(core.versions.neededForLog()) && (null == best ||
                peer.matchIndex > best.matchIndex ||
                peer.matchIndex == best.matchIndex && peer.reachableSinceMs < best.reachableSinceMs))
            {
                best = peer;
            }
        }
        return null == best ? null : best.id;
    }

    /**
     * @return whether a leadership transfer is under way (never outside leadership).
     */
    boolean transferring()
    {
        return transfer.inProgress();
    }

    // ------------------------------------------------------------------------------------------------ snapshots

    private void startSnapshot(final PeerProgress peer)
    {
        final SnapshotMeta meta = core.snapshots.latest();
        if (null == meta)
        {
            throw new IllegalStateException(core.self + ": entries before " + peer.nextIndex + " for " + peer.id +
                " are gone but there is no snapshot");
        }
        core.counters.snapshotsSent++;
        peer.startSnapshot(meta);
        sendSnapshotChunk(peer);
    }

    private void sendSnapshotChunk(final PeerProgress peer)
    {
        final SnapshotMeta latest = core.snapshots.latest();
        if (null != latest && latest.index() != peer.snapshot.index())
        {
            // A newer snapshot replaced the one being sent (and its file may be gone): start over with it.
            peer.startSnapshot(latest);
        }
        final long size = core.snapshots.size(peer.snapshot);
        final Bytes chunk = core.snapshots.readChunk(peer.snapshot, peer.snapshotOffset,
            core.config.snapshotChunkBytes());
        final boolean last = peer.snapshotOffset + chunk.length() >= size;
        peer.snapshotChunkInFlight = true;
        core.send(peer.id, new InstallSnapshotRpc(core.currentTerm, core.self, peer.snapshot, peer.snapshotOffset,
            chunk, last));
    }

    @Override
    void onInstallSnapshot(final ServerId from, final InstallSnapshotRpc rpc)
    {
        throw new IllegalStateException(core.self + ": two leaders in term " + core.currentTerm);
    }

    @Override
    void onInstallSnapshotReply(final ServerId from, final InstallSnapshotReply reply)
    {
        final PeerProgress peer = peers.get(from);
        if (reply.term() != core.currentTerm || null == peer)
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
            if (core.current() == this)
            {
                sendAppendEntries(peer, true);
            }
        }
        else
        {
            // A follower never asks for less than 0 (its bytes so far); a reply that does (a broken build: the wire
            // decoder checks shapes, not ranges) would have the snapshot store refuse the read and the leader stop.
            // From the start, the follower says where it is. One beyond the end is read as empty and answered alike.
            peer.snapshotOffset = Math.max(0, reply.nextOffset());
            peer.snapshotChunkInFlight = false;
            sendSnapshotChunk(peer);
        }
    }

    // ------------------------------------------------------------------------------------------------ reads

    @Override
    void onConsistentQuery(final long queryId)
    {
        if (core.commitIndex < noopIndex)
        {
            // The commit index of an earlier term is not known to be current until our noop commits (§8).
            reads.awaitNoop(queryId);
            return;
        }
        enqueueQuery(queryId);
    }

    private void enqueueQuery(final long queryId)
    {
        if (core.mutation == Mutation.READ_WITHOUT_QUORUM)
        {
            core.actions.add(new RaftAction.QueryReady(queryId));
            return;
        }
        reads.add(queryId, core.commitIndex, core.mutation == Mutation.QUERY_JOINS_SENT_ROUND);
        if (soleVoter())
        {
            // Only a leader that is a majority by itself confirms a round not sent yet; with peers, the query waits
            // for its round's acknowledgements, and looking at the queue on every arrival would cost a quorum count.
            answerQueries();
        }
    }

    private boolean soleVoter()
    {
        for (final PeerProgress peer : peers.values())
        {
            if (core.isVoter(peer.id))
            {
                return false;
            }
        }
        return true;
    }

    @Override
    void onHeartbeatReply(final ServerId from, final HeartbeatReply reply)
    {
        final PeerProgress peer = peers.get(from);
        if (reply.term() != core.currentTerm || null == peer)
        {
            return;
        }
        // Not heardSinceTick: an answer to a query round says nothing of the entries or snapshot chunk in flight, and
        // a peer answering a round every tick would keep a lost chunk from ever being sent again.
        // A member echoes a round it was sent; one acknowledging a later round (a broken build) would confirm rounds
        // it never saw, and with the leader's own a majority of three: it acknowledges at most what was sent.
        final long acknowledged = Math.min(reply.queryIndex(), reads.sentRound());
        if (acknowledged > peer.queryIndex)
        {
            peer.queryIndex = acknowledged;
            answerQueries();
        }
    }

    @Override
    void afterApply()
    {
        answerQueries();
        if (removed)
        {
            removed = false;
            core.leaderId = null;
            core.changeRole(core.follower);
        }
    }

    /**
     * A configuration without this member committed (§6: the leader hands over once it has): step down once the
     * committed entries are applied, so that the commands committed with it get their replies.
     */
    void stepDownAfterApply()
    {
        removed = true;
    }

    private void answerQueries()
    {
        if (reads.isEmpty())
        {
            return;
        }
        final List<Member> members = core.configs.current();
        final long[] rounds = scratch(members.size());
        int voters = 0;
        for (final Member member : members)
        {
            if (member.isVoter())
            {
                rounds[voters++] = member.id().equals(core.self) ? reads.round() : peers.get(member.id()).queryIndex;
            }
        }
        reads.answerReady(Quorum.agreedValue(rounds, voters), core.lastApplied);
    }
}

package dev.ra.core;

import dev.ra.RaftRole;
import dev.ra.ServerId;
import dev.ra.StateMachine;
import dev.ra.StorageState;
import dev.ra.protocol.EntryPayload;
import dev.ra.protocol.LogEntry;
import dev.ra.protocol.Member;
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
import dev.ra.protocol.SnapshotMeta;
import dev.ra.spi.LogReader;
import dev.ra.spi.LogStore;
import dev.ra.spi.SnapshotReader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * <p>This class holds what every role shares (term, vote, log, commit and apply, the machine) and does what every
 * role does alike: it adopts a higher term, refuses stale entries and snapshots, records durability, and applies
 * committed entries. Everything else it hands to the handler of the current role ({@link FollowerRole},
 * {@link SnapshotReceiverRole}, {@link PreCandidateRole}, {@link CandidateRole}, {@link LeaderRole}; see
 * {@link RoleHandler}).
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
    // Package-private state is shared with the role handlers, Election and Applier: one object split by concern.
    final CoreConfig config;
    final ServerId self;
    /** The machine of this build; callbacks go through {@link #versions}' machine of the effective version. */
    final StateMachine<Object, Object> machine;
    final MachineVersions versions;
    final SnapshotReader snapshots;
    final RandomGenerator random;
    final RaftLog log;
    final ConfigHistory configs;
    final RecoveredState recovered;
    final StorageRecovery storageRecovery;
    final CoreCounters counters = new CoreCounters();
    final ArrayList<RaftAction> actions = new ArrayList<>();
    final MachineGuard guard;
    final Set<ServerId> unreachable = new HashSet<>();
    /**
     * The term this member was in when the failure detector last reported each peer unreachable or silent, for peers
     * not reported reachable since and not heard from in a later term. A message proves its sender reachable
     * ({@link #onRpc}), but one of the same term may have been under way since before the report (sent by a leader just
     * before it crashed), and the detector reports a peer only when its state changes, so it would not report that
     * leader gone again: a follower whose leader is in here keeps an election timer, reset by each message from it,
     * until the detector reports it reachable or it leads a later term (simulation seed 5012493).
     */
    final Map<ServerId, Long> reportedDownInTerm = new HashMap<>();
    final Election election = new Election(this);
    final Applier applier = new Applier(this);
    final SnapshotAdoption snapshotAdoption = new SnapshotAdoption(this);

    final FollowerRole follower = new FollowerRole(this);
    final SnapshotReceiverRole receiver = new SnapshotReceiverRole(this);
    final PreCandidateRole preCandidate = new PreCandidateRole(this);
    final CandidateRole candidate = new CandidateRole(this);
    final LeaderRole leader = new LeaderRole(this);
    /** Commands kept during a leadership hand-over, settled once it ends; they outlive the leadership. */
    final ParkedCommands parked;
    private final RoleHandler ended = new InertRole(this, RaftRole.EOL);
    private RoleHandler current = new InertRole(this, RaftRole.RECOVERING);

    long currentTerm;
    ServerId votedFor;
    ServerId leaderId;
    /** When a message from {@link #leaderId} last arrived (a leader's own, or any), for {@link Election}'s probe. */
    long leaderHeardAtMs;
    long commitIndex;
    long lastApplied;
    Object machineState;
    long nowMs;

    /** The last index known to match the leader's log in this term (a follower acknowledges no further). */
    long verifiedUpTo;
    long lastAckSent;
    private boolean electionTimerRunning;
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
        this.versions = new MachineVersions(this.machine);
        this.guard = new MachineGuard(versions, config.applyFailure(), counters, actions);
        this.snapshots = Objects.requireNonNull(snapshots, "snapshots");
        this.random = Objects.requireNonNull(random, "random");
        this.recovered = Objects.requireNonNull(recovered, "recovered");
        final SnapshotMeta snapshot = recovered.snapshot();
        this.log = new RaftLog(log, null == snapshot ? 0 : snapshot.index(), null == snapshot ? 0 : snapshot.term());
        this.configs = null == snapshot ? new ConfigHistory(0, config.initialMembers(), List.of()) :
            new ConfigHistory(snapshot.index(), snapshot.members(), snapshot.removed());
        this.storageRecovery = new StorageRecovery(recovered);
        this.parked = new ParkedCommands(this, config.maxPipelineCount());
        this.currentTerm = recovered.startingTerm(this.log.lastTerm());
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
        election.startTokensAt(nowMs);
        final SnapshotMeta snapshot = recovered.snapshot();
        if (null != snapshot)
        {
            machineState = recovered.snapshotState();
            lastApplied = snapshot.index();
            commitIndex = snapshot.index();
            snapshotAdoption.adoptVersion(snapshot);
        }
        else
        {
            machineState = versions.machine().init(new dev.ra.InitArgs(config.clusterName(), self));
        }
        applier.replay(Math.min(recovered.lastApplied(), log.lastIndex()));
        // Brand-new members wait to be told to campaign. A damaged one is not brand-new, even with nothing left: it
        // must ask for a leader (simulation seed 7077291, an empty log).
        final boolean brandNew = currentTerm == recovered.joinedAt().term() && log.lastIndex() == 0 &&
            null == snapshot && !storageRecovery.recovering();
        changeRole(follower);
        if (!brandNew)
        {
            setElectionTimer();
        }
        onDurableForRecovery();
        return actions;
    }

    /**
     * Handle one event: what every role does alike here, the rest by the current role's handler.
     *
     * @param event that happened.
     * @param nowMs the current time.
     * @return the actions to execute, in order; valid until the next call.
     */
    public List<RaftAction> handle(final RaftEvent event, final long nowMs)
    {
        actions.clear();
        this.nowMs = nowMs;
        if (current.ended())
        {
            return actions;
        }
        if (event instanceof RaftEvent.RpcReceived rpc)
        {
            onRpc(rpc.from(), rpc.rpc());
        }
        else if (event instanceof RaftEvent.LogWritten written)
        {
            onLogWritten(written.index(), written.term());
        }
        else if (event instanceof RaftEvent.SnapshotWritten written)
        {
            snapshotAdoption.written(written.meta());
        }
        else if (event instanceof RaftEvent.SnapshotInstalled installed)
        {
            snapshotAdoption.installed(installed.meta(), installed.machineState());
        }
        else if (event instanceof RaftEvent.SnapshotFailed failed)
        {
            if (!receiver.installFailed(failed.meta(), failed.cause()))
            {
                applier.snapshotFinished();
            }
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
            unreachable.remove(up.peer());
            reportedDownInTerm.remove(up.peer());
            current.onPeerReachable(up.peer());
        }
        else
        {
            if (event instanceof RaftEvent.ElectionTimeout)
            {
                electionTimerRunning = false;
            }
            else if (event instanceof RaftEvent.ConsistentQuery)
            {
                counters.consistentQueries++;
            }
            current.step(event);
        }
        parked.settle();
        // Commands and queries are replicated, and heartbeat rounds sent, when the runtime flushes its batch.
        if (!(event instanceof RaftEvent.ClientCommand) && !(event instanceof RaftEvent.ConsistentQuery))
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
        if (!current.ended())
        {
            flushInternal();
        }
        return actions;
    }

    /**
     * The member is stopping (called when an orderly stop begins, before its hand-over, and again when it stops):
     * commands kept during a hand-over were never appended, so they are refused, a definite outcome, with the leader
     * known as the hint; and those it keeps from now on are never appended, even if the hand-over fails.
     *
     * @return the actions to execute.
     */
    public List<RaftAction> stopping()
    {
        actions.clear();
        parked.stopping(self.equals(leaderId) ? null : leaderId);
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
     * Whether a {@link RaftEvent.Tick} could change anything now. Only a leader acts on ticks, and only while
     * something is outstanding: entries, a snapshot chunk or a probe a peer has not answered, a commit index a peer
     * has not reported knowing, a consistent query's heartbeat round not acknowledged yet, a leadership transfer, or a
     * machine with a {@code tick} of its own. A shell hosting many idle clusters skips delivering the other ticks;
     * delivering one anyway changes nothing that matters.
     *
     * @return true if a tick is due to do something.
     */
    public boolean wantsTicks()
    {
        return current.wantsTicks();
    }

    /**
     * @return the current role.
     */
    public RaftRole role()
    {
        return current.state();
    }

    /**
     * Why this member would not campaign if told to ({@link RaftEvent.TriggerElection}), so that whoever told it
     * learns so and can ask another member, instead of waiting for a leader that never comes: a follower that is not
     * a voter, that recovers from damaged storage, or whose log needs a machine version its build does not support.
     * The other roles need no election: a leader leads, a candidate campaigns, a member receiving a snapshot follows
     * a leader, and a stopped member answers no call.
     *
     * @return null if a trigger starts an election or none is needed, else why this member does not campaign.
     */
    public String electionRefusal()
    {
        if (current.state() != RaftRole.FOLLOWER)
        {
            return null;
        }
        if (!isVoter(self))
        {
            return self + " does not campaign: it is not a voter";
        }
        if (storageRecovery.termAndVoteLost())
        {
            return self + " does not campaign: its storage was damaged and lost its term and vote, so it stays " +
                "non-voting until it is removed and added back";
        }
        if (storageRecovery.recovering())
        {
            return self + " does not campaign: its storage was damaged and it stays non-voting until a leader " +
                "confirms its log up to index " + storageRecovery.mustReach();
        }
        if (!election.holdsOwnJoinPoint())
        {
            return self + " does not campaign: it was added back under the id of a removed member and its log does " +
                "not hold the change it joined at yet (index " + recovered.joinedAt().index() + ")";
        }
        if (!versions.mayLead())
        {
            final String stopped = versions.stoppedBecause();
            return self + " does not campaign: " + (null != stopped ? stopped :
                "its log switches to a machine version its build does not support");
        }
        return null;
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
     * @return when leading, each peer's match index (the highest index known durable there), in member order; an
     *     empty map otherwise. A new map each call: for overviews, not for every event.
     */
    public Map<ServerId, Long> peerMatchIndexes()
    {
        if (role() != RaftRole.LEADER)
        {
            return Map.of();
        }
        final Map<ServerId, Long> matches = new LinkedHashMap<>();
        for (final PeerProgress peer : leader.peers.values())
        {
            matches.put(peer.id, peer.matchIndex);
        }
        return matches;
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
     * @return what this member's storage told it at start-up, and how far it has recovered since.
     */
    public StorageState storageState()
    {
        return storageRecovery.state();
    }

    /**
     * @return whether this member acknowledges only entries it knows to be committed, and no query round: its term
     *     and vote were lost, so its acknowledgements must complete no quorum ({@link StorageRecovery}).
     */
    boolean acknowledgesOnlyCommitted()
    {
        return storageRecovery.termAndVoteLost() && mutation != Mutation.LOST_TERM_ACKS_UNCOMMITTED;
    }

    /**
     * The voter a leader about to stop should hand its leadership to: the reachable one with the highest match index,
     * so the one a {@link RaftEvent.TransferLeadership} reaches soonest (and that would win an election anyway); of
     * equals, the one reachable without a break for longest (one that just restarted is still warming up).
     *
     * @return that voter, or null if this server is not the leader or has no reachable voter peer.
     */
    public ServerId handOverTarget()
    {
        return current.handOverTarget();
    }

    /**
     * @return whether a leadership transfer is under way.
     */
    public boolean transferring()
    {
        return leader.transferring();
    }

    /**
     * Is this member not the one a configuration at {@code index} left out? It is not if it joined the cluster at a
     * later entry (added back under the same id), or a later configuration it knows committed names it (committed
     * logs agree, so that one follows the removal). An uncommitted one proves nothing: a deposed leader may hold one.
     *
     * @param index of a committed configuration without a member of this id.
     * @return whether this member joined, or was named again, after that configuration.
     */
    public boolean namedAfter(final long index)
    {
        return recovered.joinedAt().index() > index || (configs.indexAt(commitIndex) > index &&
            configs.at(commitIndex).stream().anyMatch(m -> m.id().equals(self)));
    }

    // ------------------------------------------------------------------------------------------------ every role

    private void onRpc(final ServerId from, final RaftRpc rpc)
    {
        // §5.1: any message with a higher term makes us a follower of that term. A pre-vote request does not: it
        // is a question about a hypothetical election, and answering it must not disturb anyone (thesis §9.6).
        if (rpc.term() > currentTerm && !(rpc instanceof PreVoteRpc) &&
            !(mutation == Mutation.LEADER_IGNORES_HIGHER_TERM_REPLY && current == leader && isReply(rpc)))
        {
            stepDown(rpc.term());
        }
        // Hearing from a peer proves it reachable, whatever the failure detector last said; but only a message of a
        // later term than the report proves it was sent after it (see reportedDownInTerm).
        unreachable.remove(from);
        final Long reportedIn = reportedDownInTerm.get(from);
        if (null != reportedIn && rpc.term() > reportedIn)
        {
            reportedDownInTerm.remove(from);
        }
        if (rpc instanceof AppendEntriesRpc append)
        {
            counters.appendEntriesReceived++;
            if (append.term() < currentTerm)
            {
                // §5.1: reject a stale leader; our term in the reply makes it step down.
                send(from, new AppendEntriesReply(currentTerm, false, log.lastIndex() + 1, 0, 0, commitIndex,
                    versions.supported()));
                return;
            }
        }
        else if (rpc instanceof InstallSnapshotRpc install && install.term() < currentTerm)
        {
            send(from, new InstallSnapshotReply(currentTerm, install.meta().index(), 0, false));
            return;
        }
        current.stepRpc(from, rpc);
        if (from.equals(leaderId))
        {
            leaderHeardAtMs = nowMs;
        }
    }

    private void stepDown(final long term)
    {
        final boolean wasLeader = current == leader;
        currentTerm = term;
        votedFor = null;
        leaderId = null;
        verifiedUpTo = 0;
        lastAckSent = 0;
        persistTermAndVote();
        if (!receiver.dropUnlessInstalling())
        {
            changeRole(follower);
        }
        if (wasLeader || isVoter(self))
        {
            setElectionTimer();
        }
    }

    void persistTermAndVote()
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

    private void onLogWritten(final long index, final long term)
    {
        if (!log.markWritten(index, term))
        {
            return;
        }
        onDurableForRecovery();
        current.onLogWritten();
    }

    /**
     * A member that started with damaged storage recovers once its log is durable, and matches the leader's, up to
     * where it was: what survived of its log may also be a stale suffix the lost records had overwritten.
     */
    void onDurableForRecovery()
    {
        if (storageRecovery.recovering() && storageRecovery.onDurable(Math.min(log.lastWritten(), verifiedUpTo)))
        {
            actions.add(new RaftAction.StorageRecovered());
        }
    }

    /**
     * @return whether the leader is unknown, or was reported gone and has not been confirmed since (reported
     *     reachable, or heard from in a later term): {@link #markUnreachable} records every peer it makes unreachable
     *     in {@link #reportedDownInTerm}, so this covers a leader still unreachable too.
     */
    boolean leaderInDoubt()
    {
        return null == leaderId || reportedDownInTerm.containsKey(leaderId);
    }

    void followLeader(final ServerId leader)
    {
        leaderId = leader;
        unreachable.remove(leader);
        if (reportedDownInTerm.containsKey(leader))
        {
            // Its message may be a late one from before it went: wait for the next, not for a report that may never
            // come.
            setElectionTimer();
        }
        else
        {
            cancelElectionTimer();
        }
        changeRole(follower);
        if (storageRecovery.termAndVoteLost() && null == votedFor)
        {
            // The election of this term is over: a vote for its leader keeps us from voting for anyone else in it.
            votedFor = leader;
            persistTermAndVote();
        }
    }

    /**
     * Our leader asking for pre-votes has stopped leading (it restarted, or stepped down): we may be the ones with the
     * longer log, so we must be ready to campaign ourselves rather than wait for a leader that is gone. This holds
     * in every role that names a leader other than ourselves: a follower, and a member receiving a snapshot from it
     * (the transfer will not resume; one that is already being installed finishes first).
     *
     * <p>Only a request of our term or a later one says so. One of an earlier term is the request our leader sent
     * before it won this term, delivered late: forgetting it would leave us leaderless (clients redirected nowhere, a
     * snapshot from it dropped) until our election timer found it leading. A leader that restarted with its term lost
     * asks with an earlier term too, but our refusal carries our term, and it asks with that one next time.
     *
     * @param rpc the pre-vote request.
     */
    void forgetLeaderWhoCampaigns(final PreVoteRpc rpc)
    {
        if (!rpc.candidateId().equals(leaderId) || rpc.term() < currentTerm)
        {
            return;
        }
        leaderId = null;
        current.abandonSnapshotTransfer();
        if (isVoter(self))
        {
            setElectionTimer();
        }
    }

    void answerHeartbeat(final ServerId from, final HeartbeatRpc rpc)
    {
        // A heartbeat of an earlier term gets our term (its sender steps down) but acknowledges no query round: the
        // same server may lead our term now, with a query counter that started again from zero, and it would take
        // the echo of its old round's index for an acknowledgement of its new one (a stale read, simulation seed
        // 69955 with long delays; stale_heartbeat_reply.txt).
        // A member whose term and vote were lost acknowledges no round either: it may have been in a later term than
        // this leader's, and its acknowledgement would complete a quorum for a read that misses what that term
        // committed (simulation seed 7076169; StorageRecovery).
        final boolean acknowledges = rpc.term() == currentTerm && !acknowledgesOnlyCommitted();
        send(from, new HeartbeatReply(currentTerm, acknowledges ? rpc.queryIndex() : 0));
    }

    private void onPeerUnreachable(final ServerId peer)
    {
        if (!markUnreachable(peer))
        {
            return;
        }
        if (peer.equals(leaderId))
        {
            current.abandonSnapshotTransfer();
        }
        current.onPeerUnreachable(peer);
    }

    /**
     * The peer's node sent nothing for a while but its connection is open (a paused process, a silent partition). Our
     * leader: campaign once the rest of an election timeout has passed (pre-vote asks the others first). A leader does
     * not step down on silence alone; it stops resending to the peer until it is heard again.
     */
    private void onPeerSilent(final ServerId peer)
    {
        if (!markUnreachable(peer) || !peer.equals(leaderId))
        {
            return;
        }
        current.abandonSnapshotTransfer();
        current.onLeaderSilent();
    }

    /**
     * Stop counting on a peer: no resends to it until it is heard again.
     *
     * @return false if the peer is this server (nothing to do).
     */
    boolean markUnreachable(final ServerId peer)
    {
        if (peer.equals(self))
        {
            return false;
        }
        unreachable.add(peer);
        reportedDownInTerm.put(peer, currentTerm);
        leader.peerUnreachable(peer);
        return true;
    }

    // ------------------------------------------------------------------------------------------------ log

    long appendEntry(final EntryPayload payload)
    {
        final long index = log.lastIndex() + 1;
        log.appendNew(new LogEntry(index, currentTerm, nowMs, payload));
        if (payload instanceof EntryPayload.Noop noop)
        {
            versions.seenInLog(index, noop.machineVersion());
        }
        return index;
    }

    private void flushInternal()
    {
        emitUnflushed();
        current.onFlush();
    }

    void emitUnflushed()
    {
        if (log.hasUnflushed())
        {
            actions.add(new RaftAction.AppendToLog(log.takeUnflushed()));
        }
    }

    Member findMember(final ServerId id)
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

    boolean isVoter(final ServerId id)
    {
        final Member member = findMember(id);
        return null != member && member.isVoter();
    }

    /**
     * @param id a server.
     * @return whether it is a member of the configuration in force, voter or not.
     */
    boolean isMember(final ServerId id)
    {
        return null != findMember(id);
    }

    // ------------------------------------------------------------------------------------------------ versions

    /**
     * @return the machine version in force on this member (the cluster's effective version as of its last applied
     *     entry).
     */
    public int effectiveMachineVersion()
    {
        return versions.effective();
    }

    /**
     * @return the machine of the effective version (for overviews).
     */
    public StateMachine<Object, Object> effectiveMachine()
    {
        return versions.machine();
    }

    /**
     * What a leader checks a command with before appending it: between appending a switch to a newer version and
     * applying it, a command appended is applied with that newer version, not the one in force.
     *
     * @return the machine of the version a command appended now is applied with.
     */
    public StateMachine<Object, Object> machineForCommands()
    {
        return AppendEncoding.machineForCommands(this);
    }

    /**
     * @return the version of {@link #machineForCommands()}.
     */
    public int machineVersionForCommands()
    {
        return versions.neededForLog();
    }

    /**
     * @return why this member stopped applying (a machine version its build does not support), or null.
     */
    public String machineVersionError()
    {
        return versions.stoppedBecause();
    }

    // ------------------------------------------------------------------------------------------------ applying

    /**
     * The cluster's deletion committed: this member ends (the runtime deletes its data).
     *
     * @param index of the deletion's entry.
     * @param term  of the deletion's entry.
     */
    void onDeleteCommitted(final long index, final long term)
    {
        current.onDeleteApplied(index, term);
        applier.runEffects(guard.stateEnter(RaftRole.EOL, machineState, lastApplied), false);
        leader.failAllCalls();
        final RoleHandler previous = current;
        current = ended;
        cancelElectionTimer();
        actions.add(new RaftAction.RoleChanged(previous.state(), RaftRole.EOL, currentTerm, leaderId));
        actions.add(new RaftAction.Terminate(true));
    }

    // ------------------------------------------------------------------------------------------------ roles

    void changeRole(final RoleHandler next)
    {
        if (current == next)
        {
            return;
        }
        final RoleHandler previous = current;
        current = next;
        previous.onLeave();
        actions.add(new RaftAction.RoleChanged(previous.state(), next.state(), currentTerm, leaderId));
        if (next.state() != RaftRole.RECOVERING)
        {
            applier.runEffects(guard.stateEnter(next.state(), machineState, lastApplied), false);
        }
    }

    /**
     * @return the handler of the role the member is in now (it may have changed during the event being handled).
     */
    RoleHandler current()
    {
        return current;
    }

    void setElectionTimer()
    {
        setElectionTimer(random.nextLong(config.electionTimeoutMinMs(), config.electionTimeoutMaxMs()));
    }

    void setElectionTimer(final long delay)
    {
        final int last = actions.size() - 1;
        if (last >= 0 && actions.get(last) instanceof RaftAction.SetElectionTimer)
        {
            actions.remove(last);
        }
        electionTimerRunning = true;
        actions.add(new RaftAction.SetElectionTimer(delay));
    }

    void cancelElectionTimer()
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

    void send(final ServerId to, final RaftRpc rpc)
    {
        actions.add(new RaftAction.Send(to, rpc));
    }

    @Override
    public String toString()
    {
        return self + "{" + current.state() + ", term=" + currentTerm + ", leader=" + leaderId + ", last=" +
            log.lastIndex() + ", written=" + log.lastWritten() + ", commit=" + commitIndex + ", applied=" +
            lastApplied + "}";
    }
}

package dev.ra.sim;

import dev.ra.RaftRole;
import dev.ra.ServerId;
import dev.ra.codec.Codec;
import dev.ra.core.CoreConfig;
import dev.ra.core.CoreTestAccess;
import dev.ra.core.MachineFailure;
import dev.ra.core.RaftAction;
import dev.ra.core.RaftEvent;
import dev.ra.core.RecoveredState;
import dev.ra.core.ReplyMode;
import dev.ra.core.ServerCore;
import dev.ra.core.SilentLeader;
import dev.ra.lincheck.History;
import dev.ra.lincheck.OperationHandle;
import dev.ra.protocol.LogEntry;
import dev.ra.protocol.Member;
import dev.ra.protocol.Membership;
import dev.ra.protocol.RaftRpc;
import dev.ra.protocol.SnapshotMeta;
import dev.ra.protocol.UserCommand;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

/**
 * A deterministic simulation of a Raft cluster on the pure cores: one thread, virtual time, a seeded scheduler, a
 * network that drops, duplicates, delays and reorders messages and can be partitioned (both ways or one way), disks
 * that lose whatever was not synced when a server crashes, and a nemesis that crashes and restarts servers,
 * partitions the network, transfers leadership and changes membership while clients run a register workload.
 *
 * <p>After every step the Raft safety properties are checked (election safety, log matching, leader completeness,
 * state machine safety, monotonic commit) and the properties they rest on ({@link SafetyChecker}); a member may
 * crash part way through the actions of one step; at the end the clients' history must be linearizable. The same
 * seed always replays the same run.
 */
public final class Simulation
{
    /**
     * What to simulate.
     *
     * @param seed          of every random choice.
     * @param servers       cluster size.
     * @param durationMs    virtual time with faults; a quiet period follows.
     * @param clients       concurrent clients.
     * @param faults        whether the nemesis runs.
     * @param membership    whether membership changes happen (needs 5 servers).
     * @param bug           a deliberate core bug to inject, or null.
     * @param lyingDisk     whether the disk reports writes durable before they are (a crash then loses them).
     * @param livenessFaults whether messages are sometimes delayed beyond an election timeout and members paused for
     *                      longer than one (drawn from a random stream of their own).
     */
    public record Options(long seed, int servers, long durationMs, int clients, boolean faults, boolean membership,
        CoreTestAccess.Bug bug, boolean lyingDisk, boolean livenessFaults)
    {
        /**
         * @param seed    of the run.
         * @param servers cluster size.
         * @return the usual options: faults on, membership changes with 5 servers.
         */
        public static Options standard(final long seed, final int servers)
        {
            return new Options(seed, servers, 4_000, 4, true, servers >= 5, null, false, true);
        }

        /**
         * @param seed    of the run.
         * @param servers cluster size.
         * @return no nemesis, no liveness faults, no membership changes: the options for {@link #flapLeaderLink}.
         */
        public static Options quiet(final long seed, final int servers)
        {
            return new Options(seed, servers, 3_000, 4, false, false, null, false, false);
        }

        /**
         * @param newBug to inject.
         * @return a copy with a bug.
         */
        public Options withBug(final CoreTestAccess.Bug newBug)
        {
            return new Options(seed, servers, durationMs, clients, faults, membership, newBug, lyingDisk,
                livenessFaults);
        }

        /**
         * @return a copy whose disk lies about durability.
         */
        public Options withLyingDisk()
        {
            return new Options(seed, servers, durationMs, clients, faults, membership, bug, true, livenessFaults);
        }

        /**
         * @return a copy without long message delays and pauses: the schedule a seed had before they were added.
         */
        public Options withoutLivenessFaults()
        {
            return new Options(seed, servers, durationMs, clients, faults, membership, bug, lyingDisk, false);
        }
    }

    /** A safety or liveness violation, with the seed to replay it. */
    public static final class Violation extends AssertionError
    {
        private static final long serialVersionUID = 1L;

        Violation(final String message)
        {
            super(message);
        }
    }

    private static final String CLUSTER = "sim";
    private static final String[] KEYS = {"a", "b", "c"};
    private static final long TICK_MS = 50;
    private static final long ELECTION_TIMEOUT_MIN_MS = 150;
    private static final long ELECTION_TIMEOUT_MAX_MS = 300;
    private static final long OP_TIMEOUT_MS = 1_500;
    private static final long MAX_STEPS = Long.getLong("ra.sim.maxSteps", 2_000_000);
    private static final int TRACE_SIZE = Integer.getInteger("ra.sim.trace", 300);

    private record Scheduled(long time, long seq, Runnable action)
    {
    }

    private record Traced(long time, String node, Object what)
    {
    }

    private final Options options;
    private final SplittableRandom random;
    /** Eager in a third of the seeds, 1–20 ms otherwise; drawn apart from the schedule's random stream. */
    private final long commitNoticeDelayMs;
    private final PriorityQueue<Scheduled> queue = new PriorityQueue<>((a, b) ->
        a.time != b.time ? Long.compare(a.time, b.time) : Long.compare(a.seq, b.seq));
    private final Node[] nodes;
    private final boolean[][] blocked;
    private final boolean[][] view;
    /** Throws on some commands: a thrown command is an operation with a definite outcome, no effect. */
    private final SimKv machine = new SimKv(7, true);
    @SuppressWarnings("unchecked")
    private final Codec<Object> stateCodec = (Codec<Object>)(Codec<?>)machine.stateCodec();
    private final History history = new History(this::now);
    private int failedOperations;
    private final Map<Long, PendingOp> pendingOps = new HashMap<>();
    private final Map<Long, Runnable> nemesisCalls = new HashMap<>();
    private final SafetyChecker safety = new SafetyChecker();
    private SimDamage damage;
    /** Long delays and pauses draw from here, so that runs without them keep their schedules. */
    private final SplittableRandom faultRandom;
    /** Percentage of messages delayed beyond an election timeout while the faults last (0 in some seeds). */
    private final int longDelayPercent;
    private final FaultCoverage coverage = new FaultCoverage();
    private final ArrayDeque<Traced> trace = new ArrayDeque<>();
    private final List<Member> initialMembers = new ArrayList<>();
    private long now;
    private long seq;
    private long nextCallId = 1;
    private int valueCounter;
    private double dropRate;
    private boolean faultsOver;
    private final Map<Integer, ServerId> lastKnownLeader = new HashMap<>();
    private long steps;
    /** Drawn apart from the schedule's random stream, so that a seed runs as before until such a crash happens. */
    private final SplittableRandom midStepCrashes;
    /** The member to crash part way through its next step of several actions, or -1. */
    private int crashMidStep = -1;
    private int midStepCrashCount;
    /** The flapping link between the leader and one follower, or null (see {@link #flapLeaderLink}). */
    private LinkFlapper flapper;
    private CoreTestAccess.DisruptionBug disruption;
    /** Whether restarted members come back with a build of the machine supporting version 2 (see upgradeMachines). */
    private boolean machineUpgrades;
    private CoreTestAccess.VersionBug versionBug;
    private final SplittableRandom upgrades;
    private int finalMachineVersion = -1;

    /**
     * @param options of the run.
     */
    public Simulation(final Options options)
    {
        this.options = options;
        this.random = new SplittableRandom(options.seed());
        final SplittableRandom settings = new SplittableRandom(options.seed() ^ 0x5DEECE66DL);
        this.commitNoticeDelayMs = settings.nextInt(3) == 0 ? 0 : 1 + settings.nextInt(20);
        this.damage = new SimDamage(SimDamage.modeFor(options.seed()), options.seed());
        this.faultRandom = new SplittableRandom(options.seed() ^ 0x2545F4914F6CDD1DL);
        this.longDelayPercent = faultRandom.nextInt(3) == 0 ? 0 : 1 + faultRandom.nextInt(3);
        this.nodes = new Node[options.servers()];
        this.blocked = new boolean[options.servers()][options.servers()];
        this.view = new boolean[options.servers()][options.servers()];
        for (int i = 0; i < nodes.length; i++)
        {
            nodes[i] = new Node(i, new ServerId("s" + (i + 1), "n" + (i + 1)));
            initialMembers.add(Member.voter(nodes[i].id));
            java.util.Arrays.fill(view[i], true);
        }
        safety.initialMembers(initialMembers);
        this.midStepCrashes = new SplittableRandom(options.seed() ^ 0x2545F4914F6CDD1DL);
        this.upgrades = new SplittableRandom(options.seed() ^ 0x9E3779B97F4A7C15L);
    }

    /**
     * @return the leader's effective machine version at the end of a run with {@link #upgradeMachines}, else -1.
     */
    int finalMachineVersion()
    {
        return finalMachineVersion;
    }

    /**
     * A rolling machine upgrade during the run: members start with a build supporting machine version 1, and each
     * restart brings a member back with a build supporting version 2 half the time (a member joining later gets the
     * newest build there is). The versioned register machine mixes each entry's version into its digest, so state
     * machine safety checks that every member applies each index with the same version; at the end, no member may
     * have stopped applying, and if every member runs version 2 the cluster must have switched to it.
     *
     * @param bug a deliberate bug of machine-version upgrades, or null.
     * @return this.
     */
    Simulation upgradeMachines(final CoreTestAccess.VersionBug bug)
    {
        this.machineUpgrades = true;
        this.versionBug = bug;
        for (final Node node : nodes)
        {
            node.machineVersion = 1;
        }
        return this;
    }

    /**
     * @param mode how crashed members' storage is damaged in this run, instead of the seed's default.
     * @return this.
     */
    Simulation damage(final SimDamage.Mode mode)
    {
        this.damage = new SimDamage(mode, options.seed());
        return this;
    }

    /**
     * Flap the link between the leader and one follower until the end of the faults, once the first leader is
     * followed, and fail the run if any term changes or the leader stops leading ({@link LinkFlapper}). Meant for
     * {@link Options#quiet} runs: nothing else changes the leadership there.
     *
     * @param bug a deliberate core bug that lets a member disrupt a leader, or null.
     * @return this.
     */
    Simulation flapLeaderLink(final CoreTestAccess.DisruptionBug bug)
    {
        this.disruption = bug;
        this.flapper = new LinkFlapper(new FlapperView(), options.seed(), options.servers(), options.durationMs());
        return this;
    }

    /**
     * @return the flapping link of this run, or null.
     */
    LinkFlapper flapper()
    {
        return flapper;
    }

    /** The simulation as the link flapper sees it. */
    private final class FlapperView implements LinkFlapper.Cluster
    {
        @Override
        public void schedule(final long delayMs, final Runnable action)
        {
            Simulation.this.schedule(delayMs, action);
        }

        @Override
        public void block(final int from, final int to, final boolean block)
        {
            blocked[from][to] = block;
        }

        @Override
        public void report(final int observer, final RaftEvent event)
        {
            deliver(nodes[observer], event);
        }

        @Override
        public int leader()
        {
            final Node leader = Simulation.this.leader();
            return null == leader ? -1 : leader.index;
        }

        @Override
        public ServerId id(final int member)
        {
            return nodes[member].id;
        }

        @Override
        public long term(final int member)
        {
            return nodes[member].alive ? nodes[member].core.currentTerm() : -1;
        }

        @Override
        public RaftRole role(final int member)
        {
            return nodes[member].alive ? nodes[member].core.role() : null;
        }

        @Override
        public long now()
        {
            return now;
        }
    }

    /**
     * @return the storage damage done in this run.
     */
    SimDamage damage()
    {
        return damage;
    }

    /**
     * Run the whole simulation and check it.
     *
     * @return statistics of the run.
     * @throws Violation with the seed and a trace if anything is wrong.
     */
    public Stats run()
    {
        try
        {
            for (final Node node : nodes)
            {
                node.member = true;
                startNode(node);
            }
            deliver(nodes[0], new RaftEvent.TriggerElection());
            for (int c = 0; c < options.clients(); c++)
            {
                final int clientId = c;
                schedule(random.nextInt(20), () -> nextOp(clientId));
            }
            if (options.faults())
            {
                schedule(200 + random.nextInt(200), this::nemesis);
                if (options.livenessFaults())
                {
                    schedule(300 + faultRandom.nextInt(700), this::pauseSomeone);
                }
            }
            if (null != flapper)
            {
                schedule(300, flapper::start);
            }
            schedule(options.durationMs(), this::endFaults);
            runUntil(options.durationMs() + 6_000);
            checkConverged();
            safety.checkLogMatchingAcross(liveCores());
            final var result = new dev.ra.lincheck.LinearizabilityChecker().check(history);
            if (!result.linearizable())
            {
                throw violation("history not linearizable (" + result.verdict() + "):\n" + result.explanation());
            }
            return new Stats(steps, history.size(), safety.maxCommitted(), safety.leaderTerms());
        }
        catch (final Violation v)
        {
            throw v;
        }
        catch (final RuntimeException | AssertionError e)
        {
            final Violation v = violation("unexpected failure: " + e);
            v.initCause(e);
            throw v;
        }
    }

    /**
     * What a run did.
     *
     * @param steps        events processed.
     * @param operations   client operations recorded.
     * @param committed    highest committed index.
     * @param leaderTerms  terms that had a leader.
     */
    public record Stats(long steps, int operations, long committed, int leaderTerms)
    {
    }

    /**
     * @return client commands that failed because the machine threw on them (a definite outcome).
     */
    public int failedOperations()
    {
        return failedOperations;
    }

    long now()
    {
        return now;
    }

    /**
     * @return how many times a member crashed part way through the actions of one step.
     */
    int midStepCrashCount()
    {
        return midStepCrashCount;
    }

    /**
     * @return what the liveness faults of the run produced (see {@link FaultCoverage}).
     */
    public FaultCoverage coverage()
    {
        return coverage;
    }

    // ------------------------------------------------------------------------------------------------ scheduling

    private void schedule(final long delay, final Runnable action)
    {
        queue.add(new Scheduled(now + delay, seq++, action));
    }

    /**
     * Deliver {@code event} after {@code delay} unless the node crashed, restarted, or reset that timer meanwhile.
     */
    private void scheduleTimer(final Node node, final long delay, final BooleanSupplier stillSet, final RaftEvent event)
    {
        final long incarnation = node.incarnation;
        schedule(delay, () ->
        {
            if (node.alive && node.incarnation == incarnation && stillSet.getAsBoolean())
            {
                deliver(node, event);
            }
        });
    }

    private void runUntil(final long endTime)
    {
        while (!queue.isEmpty() && queue.peek().time <= endTime)
        {
            final Scheduled next = queue.poll();
            now = next.time;
            next.action.run();
            if (++steps > MAX_STEPS)
            {
                throw violation("runaway: more than " + MAX_STEPS + " steps (" + queue.size() + " scheduled)");
            }
            checkSafety();
            if (null != flapper)
            {
                require(flapper.check());
            }
        }
        now = endTime;
    }

    // ------------------------------------------------------------------------------------------------ nodes

    private final class Node
    {
        final int index;
        final ServerId id;
        SimLogStore log = new SimLogStore();
        SimSnapshotStore snapshots = new SimSnapshotStore();
        long term;
        ServerId votedFor;
        long persistedLastApplied;
        /** Storage damage reported at restart until the core says it recovered (see {@link SimDamage}). */
        long damagedAcknowledged;
        boolean termAndVoteLost;
        ServerCore core;
        boolean alive;
        boolean member;
        long incarnation;
        long timerGeneration;
        long commitNoticeGeneration;
        boolean syncScheduled;
        boolean flushScheduled;
        List<Member> bootMembers;
        final PauseState pause = new PauseState();
        /** Peers this member was told went silent (paused), to tell it when they are heard again. */
        final boolean[] toldSilent;

        /** The machine version its build supports: 0 for the unversioned runs. */
        int machineVersion;
        /** Whether it was started before (a restart may upgrade its build). */
        boolean started;

        Node(final int index, final ServerId id)
        {
            this.index = index;
            this.id = id;
            this.toldSilent = new boolean[options.servers()];
        }
    }

    private void startNode(final Node node)
    {
        final SnapshotMeta snapshot = node.snapshots.latest();
        final Object snapshotState = null == snapshot ? null :
            stateCodec.fromBytes(node.snapshots.read(snapshot).unsafeArray());
        final List<Member> members = null == node.bootMembers ? initialMembers : node.bootMembers;
        final CoreConfig config = new CoreConfig(node.id, CLUSTER, members, ELECTION_TIMEOUT_MIN_MS,
            ELECTION_TIMEOUT_MAX_MS, 8, 32, 10, 64, 500, commitNoticeDelayMs);
        if (machineUpgrades)
        {
            node.machineVersion = node.started ? Math.max(node.machineVersion, 1 + upgrades.nextInt(2)) :
                java.util.Arrays.stream(nodes).mapToInt(n -> n.machineVersion).max().orElse(1);
        }
        node.started = true;
        final SimKv build = 0 == node.machineVersion ? machine : machine.withVersion(node.machineVersion);
        node.core = new ServerCore(config, build, node.log, node.snapshots,
            new RecoveredState(node.term, node.votedFor, node.persistedLastApplied, snapshot, snapshotState,
                node.damagedAcknowledged, node.termAndVoteLost),
            random.split());
        CoreTestAccess.inject(node.core, options.bug());
        if (null != versionBug)
        {
            CoreTestAccess.inject(node.core, versionBug);
        }
        if (null != disruption)
        {
            CoreTestAccess.inject(node.core, disruption);
        }
        node.alive = true;
        node.incarnation++;
        node.syncScheduled = false;
        node.flushScheduled = false;
        node.pause.reset();
        java.util.Arrays.fill(node.toldSilent, false);
        java.util.Arrays.fill(view[node.index], true);
        safety.restarted(node.index, node.core);
        execute(node, node.core.start(now));
        final long incarnation = node.incarnation;
        schedule(TICK_MS, () -> tick(node, incarnation));
        refreshFailureDetectors();
    }

    private void tick(final Node node, final long incarnation)
    {
        if (!node.alive || node.incarnation != incarnation)
        {
            return;
        }
        // Ra persists last applied periodically, capped by what is durable locally.
        node.persistedLastApplied = Math.min(node.core.lastApplied(), node.log.lastWrittenIndex());
        // As the runtime does: a core that wants no tick gets none (an idle cluster costs nothing).
        if (node.core.wantsTicks())
        {
            deliver(node, new RaftEvent.Tick());
        }
        schedule(TICK_MS, () -> tick(node, incarnation));
    }

    private void crash(final Node node)
    {
        traceEvent(node, "CRASH");
        node.alive = false;
        node.core = null;
        node.incarnation++;
        node.pause.reset();
        node.log.loseVolatile();
        damageStorage(node);
        // Also without damage: a snapshot of an entry applied before the node's own copy was durable outlives it.
        startAfterSnapshotIfShorter(node.log, node.snapshots);
        // Like a process monitor, peers hear of the crash even if the server restarts before they would notice.
        schedule(10 + random.nextInt(40), () ->
        {
            for (final Node observer : nodes)
            {
                if (observer.alive && observer != node)
                {
                    view[observer.index][node.index] = false;
                    deliver(observer, new RaftEvent.PeerUnreachable(node.id));
                }
            }
            refreshFailureDetectors();
        });
        refreshFailureDetectors();
    }

    private void deliver(final Node node, final RaftEvent event)
    {
        if (!node.alive || node.pause.hold(event))
        {
            return;
        }
        if (event instanceof RaftEvent.RpcReceived received)
        {
            coverage.delivered(received.rpc(), node.core, liveCores());
        }
        traceEvent(node, event);
        if (event instanceof RaftEvent.ConsistentQuery query)
        {
            safety.queryArrived(node.index, query.queryId());
        }
        final long incarnation = node.incarnation;
        execute(node, node.core.handle(event, now));
        if (event instanceof RaftEvent.RpcReceived received && node.alive && node.incarnation == incarnation)
        {
            require(safety.checkTermAdopted(node.core, received.rpc()));
        }
    }

    private void flush(final Node node)
    {
        if (!node.alive)
        {
            return;
        }
        execute(node, node.core.flush(now));
    }

    private void execute(final Node node, final List<RaftAction> reused)
    {
        if (reused.isEmpty())
        {
            return;
        }
        final List<RaftAction> actions = List.copyOf(reused);
        if (null != node.core)
        {
            require(safety.checkNewLeaderReplicates(node.core, actions));
        }
        final long incarnation = node.incarnation;
        final int crashAfter = midStepCrashPoint(node, actions.size());
        for (int i = 0; i < actions.size(); i++)
        {
            if (!node.alive || node.incarnation != incarnation)
            {
                return;
            }
            if (i == crashAfter)
            {
                // The process dies between two actions of one step: only a prefix of them took effect.
                traceEvent(node, "CRASH after " + i + " of " + actions.size() + " actions");
                midStepCrashCount++;
                crashAndRestart(node);
                return;
            }
            executeOne(node, actions.get(i));
        }
    }

    private int midStepCrashPoint(final Node node, final int actionCount)
    {
        if (crashMidStep != node.index || actionCount < 2 || faultsOver || !node.member || null == node.core ||
            node.core.role() == RaftRole.RECOVERING)
        {
            return -1;
        }
        crashMidStep = -1;
        return 1 + midStepCrashes.nextInt(actionCount - 1);
    }

    private void executeOne(final Node node, final RaftAction action)
    {
        if (action instanceof RaftAction.Send send)
        {
            require(safety.checkSent(view(node), node.term, node.votedFor, send.to(), send.rpc()));
            sendRpc(node, send.to(), send.rpc());
        }
        else if (action instanceof RaftAction.AppendToLog append)
        {
            node.log.append(append.entries());
            scheduleSync(node);
        }
        else if (action instanceof RaftAction.PersistTermAndVote persist)
        {
            node.term = persist.term();
            node.votedFor = persist.votedFor();
            require(safety.votePersisted(node.index, node.id, persist.term(), persist.votedFor()));
        }
        else if (action instanceof RaftAction.StorageRecovered)
        {
            node.damagedAcknowledged = 0;
            node.termAndVoteLost = false;
            damage.recovered();
        }
        else if (action instanceof RaftAction.SetElectionTimer timer)
        {
            final long generation = ++node.timerGeneration;
            scheduleTimer(node, timer.delayMs(), () -> node.timerGeneration == generation,
                new RaftEvent.ElectionTimeout());
        }
        else if (action instanceof RaftAction.CancelElectionTimer)
        {
            node.timerGeneration++;
        }
        else if (action instanceof RaftAction.SetCommitNoticeTimer timer)
        {
            final long generation = ++node.commitNoticeGeneration;
            scheduleTimer(node, timer.delayMs(), () -> node.commitNoticeGeneration == generation,
                new RaftEvent.CommitNoticeDue());
        }
        else if (action instanceof RaftAction.ReplyToCaller reply)
        {
            rememberLeader(reply.callId(), node.id);
            completeOp(reply.callId(), reply.reply());
        }
        else if (action instanceof RaftAction.CommandNotTaken notTaken)
        {
            if (notTaken.replyMode() instanceof ReplyMode.AwaitConsensus await)
            {
                retryOp(await.callId(), notTaken.leaderHint());
            }
        }
        else if (action instanceof RaftAction.QueryReady ready)
        {
            final SimKv.State state = (SimKv.State)node.core.machineState();
            require(safety.queryAnswered(node.index, node.core, ready.queryId()));
            final PendingOp op = pendingOps.get(ready.queryId());
            if (null != op)
            {
                rememberLeader(ready.queryId(), node.id);
                completeOp(ready.queryId(), state.data().get(op.key));
            }
        }
        else if (action instanceof RaftAction.CallFailed failed)
        {
            onCallFailed(failed);
        }
        else if (action instanceof RaftAction.CallCompleted completed)
        {
            final Runnable onDone = nemesisCalls.remove(completed.callId());
            if (null != onDone)
            {
                onDone.run();
            }
        }
        else if (action instanceof RaftAction.WriteSnapshot write)
        {
            require(safety.snapshotRequested(view(node), write.meta()));
            final byte[] data = stateCodec.toBytes(write.machineState());
            final long incarnation = node.incarnation;
            schedule(random.nextInt(5), () ->
            {
                if (node.alive && node.incarnation == incarnation)
                {
                    node.snapshots.write(write.meta(), dev.ra.codec.Bytes.wrap(data));
                    deliver(node, new RaftEvent.SnapshotWritten(write.meta()));
                }
            });
        }
        else if (action instanceof RaftAction.TruncateLogUpTo truncate)
        {
            node.log.truncateUpTo(truncate.index());
        }
        else if (action instanceof RaftAction.InstallSnapshot install)
        {
            final Object state = stateCodec.fromBytes(install.data().unsafeArray());
            node.snapshots.write(install.meta(), install.data());
            node.log.resetTo(install.meta().index(), install.meta().term());
            deliver(node, new RaftEvent.SnapshotInstalled(install.meta(), state));
        }
        else if (action instanceof RaftAction.Terminate)
        {
            traceEvent(node, "TERMINATE");
            node.alive = false;
            node.member = false;
        }
        else if (action instanceof RaftAction.RoleChanged || action instanceof RaftAction.MachineEffects ||
            action instanceof RaftAction.MachineFailed ||
            action instanceof RaftAction.NotifyApplied)
        {
            // Nothing to do in the simulation: the register machine has no effects beyond release cursors.
            return;
        }
        else
        {
            throw new IllegalStateException("unhandled action " + action);
        }
    }

    private void scheduleSync(final Node node)
    {
        if (node.syncScheduled)
        {
            return;
        }
        node.syncScheduled = true;
        final long incarnation = node.incarnation;
        schedule(1 + random.nextInt(random.nextInt(4) == 0 ? 30 : 4), () ->
        {
            if (!node.alive || node.incarnation != incarnation)
            {
                return;
            }
            node.syncScheduled = false;
            final long durable = options.lyingDisk() ? node.log.lastIndex() : node.log.sync();
            deliver(node, new RaftEvent.LogWritten(durable, node.log.term(durable)));
        });
    }

    private void scheduleFlush(final Node node)
    {
        if (node.flushScheduled)
        {
            return;
        }
        node.flushScheduled = true;
        final long incarnation = node.incarnation;
        schedule(random.nextInt(3), () ->
        {
            if (node.alive && node.incarnation == incarnation)
            {
                node.flushScheduled = false;
                if (node.pause.paused())
                {
                    // A paused process flushes nothing; it does once it resumes.
                    schedule(1 + random.nextInt(20), () -> scheduleFlush(node));
                    return;
                }
                flush(node);
            }
        });
    }

    // ------------------------------------------------------------------------------------------------ network

    private Node node(final ServerId id)
    {
        for (final Node node : nodes)
        {
            if (node.id.equals(id))
            {
                return node;
            }
        }
        throw new IllegalStateException("unknown server " + id);
    }

    private void sendRpc(final Node from, final ServerId toId, final RaftRpc rpc)
    {
        final Node to = node(toId);
        if (blocked[from.index][to.index] || random.nextDouble() < dropRate)
        {
            return;
        }
        final int copies = random.nextDouble() < 0.02 ? 2 : 1;
        for (int i = 0; i < copies; i++)
        {
            final long incarnation = to.incarnation;
            schedule(messageDelay(), () ->
            {
                if (to.incarnation == incarnation && !blocked[from.index][to.index])
                {
                    deliver(to, new RaftEvent.RpcReceived(from.id, rpc));
                }
            });
        }
    }

    /**
     * The failure detector: after a delay, each live server learns which peers it can hear from (a peer it hears
     * from is alive and its link towards us is open), as the transport's heartbeats would tell it.
     */
    private void refreshFailureDetectors()
    {
        // Each observer's detector has its own delay: some notice in 20 ms, some only after the others elected.
        for (final Node observer : nodes)
        {
            final long delay = 20 + random.nextInt(random.nextBoolean() ? 80 : 700);
            schedule(delay, () -> refreshView(observer));
        }
    }

    private void refreshView(final Node observer)
    {
        if (!observer.alive || observer.pause.paused())
        {
            return;
        }
        for (final Node peer : nodes)
        {
            if (peer == observer || peer.pause.paused())
            {
                // A paused peer's connection stays as it was: nothing can be learned from it until it resumes.
                continue;
            }
            final boolean reachable = peer.alive && !blocked[peer.index][observer.index];
            if (reachable != view[observer.index][peer.index])
            {
                view[observer.index][peer.index] = reachable;
                deliver(observer, reachable ? new RaftEvent.PeerReachable(peer.id) :
                    new RaftEvent.PeerUnreachable(peer.id));
            }
        }
    }

    private void damageStorage(final Node node)
    {
        int voters = 0;
        int damaged = 0;
        for (final Node other : nodes)
        {
            if (other.member)
            {
                voters++;
                damaged += other != node && (other.damagedAcknowledged > 0 || other.termAndVoteLost) ? 1 : 0;
            }
        }
        // While members are added and removed, configurations of 4 voters are in play: one damaged member at most.
        final SimDamage.Damage hit = damage.strike(node.log, damaged, options.membership() ? 1 : (voters - 1) / 2);
        if (null == hit)
        {
            return;
        }
        traceEvent(node, "DAMAGE " + hit);
        if (hit.termAndVoteLost())
        {
            node.term = 0;
            node.votedFor = null;
        }
        if (damage.mode() == SimDamage.Mode.DETECTED)
        {
            if (hit.termAndVoteLost())
            {
                safety.termAndVoteLost(node.index);
            }
            if (hit.keptIndex() < hit.hadIndex())
            {
                node.damagedAcknowledged = Math.max(node.damagedAcknowledged, hit.hadIndex());
            }
            node.termAndVoteLost |= hit.termAndVoteLost();
        }
    }

    /**
     * A log that lost entries its newest snapshot covers starts after the snapshot, as ra-log opens it (its last
     * index is the greater of the two): entries below a durable snapshot are not needed.
     */
    static void startAfterSnapshotIfShorter(final SimLogStore log, final SimSnapshotStore snapshots)
    {
        final SnapshotMeta snapshot = snapshots.latest();
        if (null != snapshot && log.lastIndex() < snapshot.index())
        {
            log.resetTo(snapshot.index(), snapshot.term());
        }
    }

    // ------------------------------------------------------------------------------------------------ nemesis

    private void nemesis()
    {
        if (faultsOver)
        {
            return;
        }
        final int choice = random.nextInt(options.membership() ? 12 : 10);
        switch (choice)
        {
            case 0 -> crashAndRestart(nodes[random.nextInt(nodes.length)]);
            case 1, 2 -> crashAndRestart(leader());
            case 3 -> crashMajority();
            case 4 -> isolate(random.nextInt(nodes.length));
            case 5 -> isolate(null == leader() ? 0 : leader().index);
            case 6 -> splitHalves();
            case 7 -> oneWay();
            case 8 -> healAll();
            case 9 -> transferLeadership();
            case 10 -> removeMember();
            default -> addMember();
        }
        dropRate = random.nextInt(4) == 0 ? random.nextDouble() * 0.1 : 0;
        if (midStepCrashes.nextInt(3) == 0)
        {
            crashMidStep = midStepCrashes.nextInt(nodes.length);
        }
        schedule(150 + random.nextInt(400), this::nemesis);
    }

    private void crashMajority()
    {
        final int count = nodes.length / 2 + 1;
        final int first = random.nextInt(nodes.length);
        for (int i = 0; i < count; i++)
        {
            crashAndRestart(nodes[(first + i) % nodes.length]);
        }
    }

    private void crashAndRestart(final Node victim)
    {
        if (null == victim || !victim.alive || !victim.member)
        {
            return;
        }
        crash(victim);
        schedule(100 + random.nextInt(900), () ->
        {
            if (!victim.alive && victim.member)
            {
                startNode(victim);
            }
        });
    }

    private void isolate(final int victim)
    {
        for (int i = 0; i < nodes.length; i++)
        {
            if (i != victim)
            {
                blocked[i][victim] = true;
                blocked[victim][i] = true;
            }
        }
        refreshFailureDetectors();
    }

    private void splitHalves()
    {
        final boolean[] side = new boolean[nodes.length];
        for (int i = 0; i < nodes.length; i++)
        {
            side[i] = random.nextBoolean();
        }
        for (int i = 0; i < nodes.length; i++)
        {
            for (int j = 0; j < nodes.length; j++)
            {
                blocked[i][j] = side[i] != side[j];
            }
        }
        refreshFailureDetectors();
    }

    private void oneWay()
    {
        final int from = random.nextInt(nodes.length);
        final int to = random.nextInt(nodes.length);
        if (from != to)
        {
            blocked[from][to] = true;
            refreshFailureDetectors();
        }
    }

    private void healAll()
    {
        for (final boolean[] row : blocked)
        {
            java.util.Arrays.fill(row, false);
        }
        refreshFailureDetectors();
    }

    private Node leader()
    {
        Node best = null;
        for (final Node node : nodes)
        {
            if (node.alive && node.core.role() == RaftRole.LEADER &&
                (null == best || node.core.currentTerm() > best.core.currentTerm()))
            {
                best = node;
            }
        }
        return best;
    }

    private void transferLeadership()
    {
        final Node leader = leader();
        if (null == leader)
        {
            return;
        }
        final List<Member> members = leader.core.members();
        final Member target = members.get(random.nextInt(members.size()));
        deliver(leader, new RaftEvent.TransferLeadership(nextCallId++, target.id()));
    }

    private void removeMember()
    {
        final Node leader = leader();
        if (null == leader)
        {
            return;
        }
        final List<Member> members = leader.core.members();
        final long voters = members.stream().filter(Member::isVoter).count();
        if (voters <= 3)
        {
            return;
        }
        final Member leaving = members.get(random.nextInt(members.size()));
        if (leaving.id().equals(leader.id))
        {
            return;
        }
        final long callId = nextCallId++;
        final Node victim = node(leaving.id());
        nemesisCalls.put(callId, () ->
        {
            // Removed for good: stop it and wipe its data so that it can only come back as a new member.
            if (victim.alive)
            {
                crash(victim);
            }
            victim.member = false;
            victim.log = new SimLogStore();
            victim.snapshots = new SimSnapshotStore();
            victim.term = 0;
            victim.votedFor = null;
            victim.persistedLastApplied = 0;
            victim.damagedAcknowledged = 0;
            victim.termAndVoteLost = false;
            safety.wiped(victim.index, victim.id);
        });
        deliver(leader, new RaftEvent.RemoveMember(callId, leaving.id()));
    }

    private void addMember()
    {
        final Node leader = leader();
        if (null == leader)
        {
            return;
        }
        for (final Node candidate : nodes)
        {
            if (!candidate.member && !candidate.alive && candidate.log.lastIndex() == 0)
            {
                candidate.member = true;
                candidate.bootMembers = leader.core.members();
                startNode(candidate);
                final Member joining = new Member(candidate.id, Membership.PROMOTABLE, 0);
                final long callId = nextCallId++;
                nemesisCalls.put(callId, () -> { });
                deliver(leader, new RaftEvent.AddMember(callId, joining));
                return;
            }
        }
    }

    private void endFaults()
    {
        faultsOver = true;
        dropRate = 0;
        for (final Node node : nodes)
        {
            resume(node);
        }
        healAll();
        for (final Node node : nodes)
        {
            if (!node.alive && node.member)
            {
                startNode(node);
            }
        }
        if (safety.leaderTerms() == 0)
        {
            // The first election never completed and every member restarted brand-new, so none sets an election
            // timer (they wait to be told to campaign): as an application whose startCluster failed, start it again.
            // Like startCluster (ClusterFormation), ask the next member if one will not campaign: a member that lost
            // its term and vote refuses, and the others would wait for ever (seed 5001939).
            for (final Node node : nodes)
            {
                if (node.alive && null == node.core.electionRefusal())
                {
                    deliver(node, new RaftEvent.TriggerElection());
                    break;
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ liveness faults

    /**
     * A few messages (a percentage drawn per seed) take longer than an election timeout while the faults last: a vote
     * reply arrives in the next term, an acknowledgement after a newer leader committed.
     */
    private long messageDelay()
    {
        final long usual = 1 + random.nextInt(10);
        if (!options.livenessFaults() || faultsOver || longDelayPercent == 0 ||
            faultRandom.nextInt(100) >= longDelayPercent)
        {
            return usual;
        }
        return ELECTION_TIMEOUT_MAX_MS / 2 + faultRandom.nextInt((int)(4 * ELECTION_TIMEOUT_MAX_MS));
    }

    /**
     * Pause a member (the leader two times in three) for 1.5 to 4 election timeouts, as SIGSTOP would; then, after a
     * while, another. Its peers' silence detectors report it once the suspicion delay has passed.
     */
    private void pauseSomeone()
    {
        if (faultsOver)
        {
            return;
        }
        final Node leader = leader();
        final Node victim = null != leader && faultRandom.nextInt(3) != 0 ? leader :
            nodes[faultRandom.nextInt(nodes.length)];
        final long duration = ELECTION_TIMEOUT_MAX_MS * 3 / 2 +
            faultRandom.nextInt((int)(ELECTION_TIMEOUT_MAX_MS * 5 / 2));
        if (victim.alive && !victim.pause.paused())
        {
            traceEvent(victim, "PAUSE " + duration + " ms");
            victim.pause.pause();
            coverage.pausedLongerThanElectionTimeout();
            final long generation = victim.pause.generation();
            final long incarnation = victim.incarnation;
            for (final Node observer : nodes)
            {
                if (observer != victim)
                {
                    schedule(SilentLeader.suspectAfterMs(ELECTION_TIMEOUT_MIN_MS) + faultRandom.nextInt(40), () ->
                        reportSilent(observer, victim, incarnation, generation));
                }
            }
            schedule(duration, () ->
            {
                if (victim.incarnation == incarnation && victim.pause.generation() == generation)
                {
                    resume(victim);
                }
            });
        }
        schedule(duration + 300 + faultRandom.nextInt(1500), this::pauseSomeone);
    }

    private void reportSilent(final Node observer, final Node victim, final long incarnation, final long generation)
    {
        if (victim.incarnation == incarnation && victim.pause.paused() && victim.pause.generation() == generation &&
            observer.alive && view[observer.index][victim.index] && !blocked[victim.index][observer.index])
        {
            observer.toldSilent[victim.index] = true;
            deliver(observer, new RaftEvent.PeerSilent(victim.id));
        }
    }

    private void resume(final Node node)
    {
        if (!node.alive || !node.pause.paused())
        {
            return;
        }
        traceEvent(node, "RESUME");
        node.pause.resume(event -> deliver(node, event));
        scheduleFlush(node);
        for (final Node observer : nodes)
        {
            if (observer.toldSilent[node.index])
            {
                observer.toldSilent[node.index] = false;
                // Its first frame after the pause: heard again (unless the link is down meanwhile).
                schedule(1 + random.nextInt(10), () ->
                {
                    if (observer.alive && node.alive && view[observer.index][node.index])
                    {
                        deliver(observer, new RaftEvent.PeerReachable(node.id));
                    }
                });
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ clients

    private final class PendingOp
    {
        final int clientId;
        final OperationHandle handle;
        final String key;
        final SimKv.Command command;
        ServerId target;

        PendingOp(final int clientId, final OperationHandle handle, final String key, final SimKv.Command command)
        {
            this.clientId = clientId;
            this.handle = handle;
            this.key = key;
            this.command = command;
        }
    }

    private void nextOp(final int clientId)
    {
        if (now > options.durationMs() + 2_000)
        {
            return;
        }
        final String key = KEYS[random.nextInt(KEYS.length)];
        final long callId = nextCallId++;
        final int kind = random.nextInt(3);
        final PendingOp op;
        if (kind == 0)
        {
            op = new PendingOp(clientId, history.invokeRead(clientId, key), key, null);
        }
        else if (kind == 1)
        {
            final String value = "v" + (++valueCounter);
            op = new PendingOp(clientId, history.invokeWrite(clientId, key, value), key, new SimKv.Put(key, value));
        }
        else
        {
            final String expected = random.nextBoolean() ? null : "v" + random.nextInt(Math.max(1, valueCounter + 1));
            final String value = "v" + (++valueCounter);
            op = new PendingOp(clientId, history.invokeCas(clientId, key, expected, value), key,
                new SimKv.Cas(key, expected, value));
        }
        // Clients mostly go where they last found a leader, as real clients cache it: that is how a deposed
        // leader gets asked, which is what a stale read needs.
        final ServerId cached = lastKnownLeader.get(clientId);
        op.target = null != cached && random.nextInt(4) != 0 ? cached : nodes[random.nextInt(nodes.length)].id;
        pendingOps.put(callId, op);
        submit(callId, op);
        schedule(OP_TIMEOUT_MS, () ->
        {
            final PendingOp timedOut = pendingOps.remove(callId);
            if (null != timedOut)
            {
                history.unknown(timedOut.handle);
                schedule(random.nextInt(20), () -> nextOp(clientId));
            }
        });
    }

    private void submit(final long callId, final PendingOp op)
    {
        final Node target = node(op.target);
        final long incarnation = target.incarnation;
        schedule(1 + random.nextInt(5), () ->
        {
            if (!pendingOps.containsKey(callId) || target.incarnation != incarnation || !target.alive)
            {
                return;
            }
            if (null == op.command)
            {
                deliver(target, new RaftEvent.ConsistentQuery(callId));
            }
            else
            {
                deliver(target, new RaftEvent.ClientCommand(UserCommand.ofValue(op.command),
                    new ReplyMode.AwaitConsensus(callId)));
            }
            if (target.alive)
            {
                scheduleFlush(target);
            }
        });
    }

    private void rememberLeader(final long callId, final ServerId leader)
    {
        final PendingOp op = pendingOps.get(callId);
        if (null != op)
        {
            lastKnownLeader.put(op.clientId, leader);
        }
    }

    private void completeOp(final long callId, final Object reply)
    {
        final PendingOp op = pendingOps.remove(callId);
        if (null == op)
        {
            return;
        }
        if (null == op.command)
        {
            history.ok(op.handle, (String)reply);
        }
        else if (reply instanceof MachineFailure)
        {
            // The machine threw on every member alike: the command is applied as a no-op, definitely.
            history.fail(op.handle);
            failedOperations++;
        }
        else if (op.command instanceof SimKv.Cas)
        {
            history.ok(op.handle, (Boolean)reply);
        }
        else
        {
            history.ok(op.handle);
        }
        schedule(random.nextInt(20), () -> nextOp(op.clientId));
    }

    private void retryOp(final long callId, final ServerId hint)
    {
        final PendingOp op = pendingOps.get(callId);
        if (null == op)
        {
            return;
        }
        op.target = null != hint ? hint : nodes[random.nextInt(nodes.length)].id;
        final long delay = null != hint ? 0 : 20;
        schedule(delay, () ->
        {
            if (pendingOps.containsKey(callId))
            {
                submit(callId, op);
            }
        });
    }

    private void onCallFailed(final RaftAction.CallFailed failed)
    {
        nemesisCalls.remove(failed.callId());
        final PendingOp op = pendingOps.get(failed.callId());
        if (null == op)
        {
            return;
        }
        if (null == op.command)
        {
            retryOp(failed.callId(), failed.leaderHint());
        }
        else
        {
            // Appended, then leadership was lost: it may or may not commit later.
            pendingOps.remove(failed.callId());
            history.unknown(op.handle);
            schedule(random.nextInt(20), () -> nextOp(op.clientId));
        }
    }

    // ------------------------------------------------------------------------------------------------ checks

    private List<ServerCore> liveCores()
    {
        final List<ServerCore> cores = new ArrayList<>();
        for (final Node node : nodes)
        {
            if (node.alive)
            {
                cores.add(node.core);
            }
        }
        return cores;
    }

    private void checkSafety()
    {
        for (final Node node : nodes)
        {
            if (node.alive)
            {
                final String problem = safety.check(node.index, node.core);
                if (null != problem)
                {
                    throw violation(problem);
                }
            }
        }
        final List<MemberView> views = new ArrayList<>(nodes.length);
        for (final Node node : nodes)
        {
            views.add(view(node));
        }
        require(safety.checkMembers(views));
    }

    private MemberView view(final Node node)
    {
        return new MemberView(node.index, node.id, node.alive ? node.core : null, node.log, node.snapshots,
            node.damagedAcknowledged);
    }

    private void require(final String problem)
    {
        if (null != problem)
        {
            throw violation(problem);
        }
    }

    private void checkConverged()
    {
        final Node leader = leader();
        if (null == leader)
        {
            throw violation("liveness: no leader 6 s after the faults stopped");
        }
        for (final Node node : nodes)
        {
            if (node.alive && node.member && leader.core.members().stream().anyMatch(m -> m.id().equals(node.id)) &&
                node.core.lastApplied() < leader.core.commitIndex())
            {
                throw violation("liveness: " + node.core + " has not applied up to the leader's commit index " +
                    leader.core.commitIndex() + " 6 s after the faults stopped");
            }
        }
        if (machineUpgrades)
        {
            checkMachineVersions(leader);
        }
        // Clients stopped 4 s ago and every member has applied everything: nothing is left for a tick to do, so an
        // idle cluster costs its node nothing (the shell skips the ticks of a core that wants none).
        if (leader.core.wantsTicks())
        {
            throw violation("quiescence: " + leader.core + " still wants ticks in an idle, converged cluster");
        }
    }

    private void checkMachineVersions(final Node leader)
    {
        for (final Node node : nodes)
        {
            if (node.alive && node.member && null != node.core.machineVersionError())
            {
                throw violation("machine versions: " + node.core.machineVersionError());
            }
        }
        boolean allUpgraded = true;
        for (final Member member : leader.core.members())
        {
            for (final Node node : nodes)
            {
                if (member.isVoter() && node.id.equals(member.id()))
                {
                    allUpgraded &= node.alive && node.machineVersion == 2;
                }
            }
        }
        finalMachineVersion = leader.core.effectiveMachineVersion();
        if (allUpgraded && leader.core.effectiveMachineVersion() != 2)
        {
            throw violation("liveness: every member runs a build supporting machine version 2 but the leader's " +
                "effective version is " + leader.core.effectiveMachineVersion() + " 6 s after the faults stopped");
        }
    }

    private void traceEvent(final Node node, final Object what)
    {
        if (trace.size() == TRACE_SIZE)
        {
            trace.pollFirst();
        }
        trace.addLast(new Traced(now, node.id.toString(), what));
    }

    private Violation violation(final String problem)
    {
        final StringBuilder text = new StringBuilder();
        text.append("seed ").append(options.seed()).append(" (").append(options).append(") at t=").append(now)
            .append("ms: ").append(problem).append("\nreplay with -Dra.sim.seed=").append(options.seed())
            .append("\nstate:\n");
        for (final Node node : nodes)
        {
            text.append("  ").append(node.alive ? node.core.toString() : node.id + " down").append('\n');
        }
        text.append("last events:\n");
        for (final Traced t : trace)
        {
            text.append("  ").append(t.time).append(" ").append(t.node).append(" <- ").append(t.what).append('\n');
        }
        return new Violation(text.toString());
    }

    static String describe(final LogEntry entry)
    {
        return null == entry ? "none" : entry.toString();
    }
}

package dev.ra.sim;

import dev.ra.RaftRole;
import dev.ra.ServerId;
import dev.ra.codec.Codec;
import dev.ra.core.CoreConfig;
import dev.ra.core.CoreTestAccess;
import dev.ra.core.RaftEvent;
import dev.ra.core.RecoveredState;
import dev.ra.core.ServerCore;
import dev.ra.protocol.JoinPoint;
import dev.ra.protocol.LogEntry;
import dev.ra.protocol.Member;
import dev.ra.protocol.RaftRpc;
import dev.ra.protocol.SnapshotMeta;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
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
 *
 * <p>The clients ({@link SimClients}), the faults ({@link SimNemesis}) and what the members' actions do
 * ({@link SimActions}) are classes of their own, which share the simulation's scheduler, random stream and cluster.
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
    private static final long TICK_MS = 50;
    static final long ELECTION_TIMEOUT_MIN_MS = 150;
    static final long ELECTION_TIMEOUT_MAX_MS = 300;
    private static final long MAX_STEPS = Long.getLong("ra.sim.maxSteps", 2_000_000);
    private static final int TRACE_SIZE = Integer.getInteger("ra.sim.trace", 300);

    private record Scheduled(long time, long seq, Runnable action)
    {
    }

    private record Traced(long time, String node, Object what)
    {
    }

    final Options options;
    final SplittableRandom random;
    /** Eager in a third of the seeds, 1–20 ms otherwise; drawn apart from the schedule's random stream. */
    private final long commitNoticeDelayMs;
    private final PriorityQueue<Scheduled> queue = new PriorityQueue<>((a, b) ->
        a.time != b.time ? Long.compare(a.time, b.time) : Long.compare(a.seq, b.seq));
    final Node[] nodes;
    final boolean[][] blocked;
    final boolean[][] view;
    /** Throws on some commands: a thrown command is an operation with a definite outcome, no effect. */
    private final SimKv machine = new SimKv(7, true);
    @SuppressWarnings("unchecked")
    final Codec<Object> stateCodec = (Codec<Object>)(Codec<?>)machine.stateCodec();
    private final SimClients clients = new SimClients(this);
    private final SimNemesis nemesis;
    private final SimActions actions;
    final SafetyChecker safety = new SafetyChecker();
    private SimDamage damage;
    final FaultCoverage coverage = new FaultCoverage();
    final RetirementChecker retirements = new RetirementChecker(coverage);
    private final ArrayDeque<Traced> trace = new ArrayDeque<>();
    private final List<Member> initialMembers = new ArrayList<>();
    private long now;
    private long seq;
    private long nextCallId = 1;
    /** The share of messages the network loses, as the nemesis last set it. */
    double dropRate;
    private long steps;
    /** The flapping link between the leader and one follower, or null (see {@link #flapLeaderLink}). */
    private LinkFlapper flapper;
    private LeaderPause leaderPause;
    private CoreTestAccess.DisruptionBug disruption;
    /** Which build of the machine each member runs (see {@link #upgradeMachines}). */
    final SimBuilds builds;

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
        this.nemesis = new SimNemesis(this, options.seed());
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
        this.builds = new SimBuilds(options.seed(), options.durationMs());
        this.actions = new SimActions(this, clients, nemesis);
    }

    /**
     * @return the leader's effective machine version at the end of a run with {@link #upgradeMachines}, else -1.
     */
    int finalMachineVersion()
    {
        return builds.finalVersion;
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
        builds.upgrade(nodes, bug);
        return this;
    }

    /**
     * The members the nemesis adds join as voters, not promotable, with whatever build their node was installed with
     * (see {@link SimNemesis#addVotersDirectly}). In a rolling upgrade of an even seed, every member starts with the
     * newer build, so the cluster switches at once and a member added later may run the older one.
     *
     * @return this.
     */
    Simulation addVotersDirectly()
    {
        nemesis.addVotersDirectly();
        builds.startNewerOnEvenSeeds(nodes);
        return this;
    }

    /**
     * @return how many members the nemesis added as voters (not promotable).
     */
    int votersAddedDirectly()
    {
        return nemesis.votersAddedDirectly;
    }

    /**
     * In a rolling upgrade, a quarter of the restarts while the faults last bring a member of the newer build back with
     * the older one, maybe after the switch (which the documentation forbids, and which must still be safe): such a
     * member stops applying at the switch, voter or not, and the operator restarts it with the newer build. In an even
     * seed every member starts with the newer build, so the cluster switches at once and the rollbacks come after.
     *
     * @return this.
     */
    Simulation rollBackSome()
    {
        builds.rollBackSome();
        builds.startNewerOnEvenSeeds(nodes);
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
        this.flapper = new LinkFlapper(new FlapperView(this), options.seed(), options.servers(), options.durationMs());
        return this;
    }

    /**
     * Pause the first leader once everyone follows it, and fail the run if a follower told it went silent does not
     * give up on it soon after the minimum election timeout, or if no new leader is elected ({@link LeaderPause}).
     * Meant for {@link Options#quiet} runs.
     *
     * @param bug a deliberate core bug that delays replacing a silent leader, or null.
     * @return this.
     */
    Simulation pauseLeaderOnce(final CoreTestAccess.DisruptionBug bug)
    {
        this.disruption = bug;
        this.leaderPause = new LeaderPause(this, nemesis, options.seed());
        return this;
    }

    /**
     * @return the leader pause of this run, or null.
     */
    LeaderPause leaderPause()
    {
        return leaderPause;
    }

    /**
     * @return the flapping link of this run, or null.
     */
    LinkFlapper flapper()
    {
        return flapper;
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
            clients.start();
            if (options.faults())
            {
                nemesis.start();
            }
            if (null != flapper)
            {
                schedule(300, flapper::start);
            }
            if (null != leaderPause)
            {
                schedule(300, leaderPause::start);
            }
            schedule(options.durationMs(), nemesis::endFaults);
            runUntil(options.durationMs() + 6_000);
            checkConverged();
            safety.checkLogMatchingAcross(liveCores());
            final var result = new dev.ra.lincheck.LinearizabilityChecker().check(clients.history());
            if (!result.linearizable())
            {
                throw violation("history not linearizable (" + result.verdict() + "):\n" + result.explanation());
            }
            return new Stats(steps, clients.history().size(), safety.maxCommitted(), safety.leaderTerms());
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
        return clients.failedOperations();
    }

    long now()
    {
        return now;
    }

    /**
     * @return a new call id: clients and the nemesis draw from one counter, as a core's replies name only the call.
     */
    long newCallId()
    {
        return nextCallId++;
    }

    /**
     * @return how many times a member crashed part way through the actions of one step.
     */
    int midStepCrashCount()
    {
        return actions.midStepCrashCount();
    }

    /**
     * @return what the liveness faults of the run produced (see {@link FaultCoverage}).
     */
    public FaultCoverage coverage()
    {
        return coverage;
    }

    // ------------------------------------------------------------------------------------------------ scheduling

    void schedule(final long delay, final Runnable action)
    {
        queue.add(new Scheduled(now + delay, seq++, action));
    }

    /**
     * Deliver {@code event} after {@code delay} unless the node crashed, restarted, or reset that timer meanwhile.
     */
    void scheduleTimer(final Node node, final long delay, final BooleanSupplier stillSet, final RaftEvent event)
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
            if (null != leaderPause)
            {
                require(leaderPause.check());
            }
        }
        now = endTime;
    }

    // ------------------------------------------------------------------------------------------------ nodes

    final class Node
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
        /**
         * For a member added back after its removal, the removal's configuration entry (index and term): a committed
         * entry past every entry that counts the former member, which it is started with (as the runtime starts a
         * joining server with the entry that added it); {@link JoinPoint#NONE} otherwise.
         */
        JoinPoint joinedAt = JoinPoint.NONE;
        final PauseState pause = new PauseState();
        /** Peers this member was told went silent (paused), to tell it when they are heard again. */
        final boolean[] toldSilent;

        /** The machine version its build supports: 0 for the unversioned runs. */
        int machineVersion;
        /** Whether it was ever restarted with an older build than it ran (SimBuilds.rollBackSome). */
        boolean rolledBack;
        /** Whether it was started before (a restart may upgrade its build). */
        boolean started;

        Node(final int index, final ServerId id)
        {
            this.index = index;
            this.id = id;
            this.toldSilent = new boolean[options.servers()];
        }
    }

    void startNode(final Node node)
    {
        final SnapshotMeta snapshot = node.snapshots.latest();
        final Object snapshotState = null == snapshot ? null :
            stateCodec.fromBytes(node.snapshots.read(snapshot).unsafeArray());
        final List<Member> members = null == node.bootMembers ? initialMembers : node.bootMembers;
        final CoreConfig config = new CoreConfig(node.id, CLUSTER, members, ELECTION_TIMEOUT_MIN_MS,
            ELECTION_TIMEOUT_MAX_MS, 8, 32, 10, 64, 500, commitNoticeDelayMs);
        builds.choose(node, nodes, now);
        node.started = true;
        final SimKv build = 0 == node.machineVersion ? machine : machine.withVersion(node.machineVersion).withAudits();
        node.core = new ServerCore(config, build, node.log, node.snapshots,
            new RecoveredState(node.term, node.votedFor, node.persistedLastApplied, snapshot, snapshotState,
                node.damagedAcknowledged, node.termAndVoteLost, node.joinedAt),
            random.split());
        CoreTestAccess.inject(node.core, options.bug());
        if (null != builds.bug)
        {
            CoreTestAccess.inject(node.core, builds.bug);
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
        actions.execute(node, node.core.start(now));
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

    /**
     * The operator upgrades a member (as it answers one that stopped applying for want of a newer build): it is stopped
     * and started again with the newest build, without damage to its storage.
     *
     * @param node    to upgrade.
     * @param delayMs until it is stopped.
     * @param downMs  how long it stays down, or -1 for 100 to 300 ms.
     */
    void upgradeByOperator(final Node node, final long delayMs, final long downMs)
    {
        final long incarnation = node.incarnation;
        schedule(delayMs, () ->
        {
            if (node.alive && node.incarnation == incarnation && node.member)
            {
                node.machineVersion = 2;
                crash(node, false);
                restartAfter(node, downMs >= 0 ? downMs : 100 + random.nextInt(200));
            }
        });
    }

    /**
     * Start a member that is down again after a delay, unless it has left the cluster or was started meanwhile.
     *
     * @param node    down now.
     * @param delayMs until it starts.
     */
    void restartAfter(final Node node, final long delayMs)
    {
        schedule(delayMs, () ->
        {
            if (!node.alive && node.member)
            {
                startNode(node);
            }
        });
    }

    void crash(final Node node)
    {
        crash(node, true);
    }

    private void crash(final Node node, final boolean mayDamage)
    {
        traceEvent(node, mayDamage ? "CRASH" : "STOP AND UPGRADE");
        node.alive = false;
        node.core = null;
        node.incarnation++;
        node.pause.reset();
        node.log.loseVolatile();
        if (builds.upgrading())
        {
            node.log.readBack();
        }
        if (mayDamage)
        {
            damageStorage(node);
        }
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

    void deliver(final Node node, final RaftEvent event)
    {
        if (!node.alive || node.pause.hold(event))
        {
            return;
        }
        if (event instanceof RaftEvent.RpcReceived received)
        {
            coverage.delivered(received.rpc(), node.core, liveCores());
            coverage.votesAsked(received.rpc(), node.joinedAt);
        }
        else if (event instanceof RaftEvent.ElectionTimeout)
        {
            coverage.electionTimedOut(node.core, node.joinedAt);
        }
        traceEvent(node, event);
        if (event instanceof RaftEvent.ConsistentQuery query)
        {
            safety.queryArrived(node.index, query.queryId());
        }
        final long incarnation = node.incarnation;
        // In a versioned run, a client's command as the runtime's check on the member's loop hands it over.
        actions.execute(node, node.core.handle(builds.upgrading() ? SimCommandCheck.checked(node.core, event) : event,
            now));
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
        actions.execute(node, node.core.flush(now));
    }

    void scheduleFlush(final Node node)
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

    Node node(final ServerId id)
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

    Node leader()
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

    /**
     * @param leader a member.
     * @return whether every member is up, in the leader's term, and, but the leader, a follower.
     */
    boolean everyoneFollows(final Node leader)
    {
        for (final Node node : nodes)
        {
            if (!node.alive || node.core.currentTerm() != leader.core.currentTerm() ||
                node != leader && node.core.role() != RaftRole.FOLLOWER)
            {
                return false;
            }
        }
        return true;
    }

    void sendRpc(final Node from, final ServerId toId, final RaftRpc rpc)
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
            schedule(nemesis.messageDelay(), () ->
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
    void refreshFailureDetectors()
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
            // ra-log keeps the last applied index in the same two meta files.
            node.term = 0;
            node.votedFor = null;
            node.persistedLastApplied = 0;
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
        require(retirements.check(safety::committedAt, safety.maxCommitted(), initialMembers, nodes));
    }

    MemberView view(final Node node)
    {
        return new MemberView(node.index, node.id, node.alive ? node.core : null, node.log, node.snapshots,
            node.damagedAcknowledged);
    }

    void require(final String problem)
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
        require(ConvergedVersions.unpromoted(nodes, leader));
        if (builds.upgrading())
        {
            require(ConvergedVersions.upgrade(nodes, leader));
            builds.finalVersion = leader.core.effectiveMachineVersion();
        }
        // Clients stopped 4 s ago and every member has applied everything: nothing is left for a tick to do, so an
        // idle cluster costs its node nothing (the shell skips the ticks of a core that wants none).
        if (leader.core.wantsTicks())
        {
            throw violation("quiescence: " + leader.core + " still wants ticks in an idle, converged cluster");
        }
    }

    void traceEvent(final Node node, final Object what)
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

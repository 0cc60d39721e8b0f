package dev.ra.sim;

import static dev.ra.sim.Simulation.ELECTION_TIMEOUT_MAX_MS;
import static dev.ra.sim.Simulation.ELECTION_TIMEOUT_MIN_MS;

import dev.ra.RaftRole;
import dev.ra.core.RaftAction;
import dev.ra.core.RaftEvent;
import dev.ra.core.SilentLeader;
import dev.ra.protocol.JoinPoint;
import dev.ra.protocol.Member;
import dev.ra.protocol.Membership;
import dev.ra.sim.Simulation.Node;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * The faults of a {@link Simulation}. The nemesis strikes every 150 to 550 ms while the faults last: it crashes and
 * restarts members (any member, the leader, a majority), partitions the network (one member off, two halves, one
 * direction of one link) or heals it, transfers leadership, removes and adds members, sets the rate of dropped
 * messages, and sometimes picks a member to crash part way through its next step. The liveness faults, drawn from a
 * random stream of their own, delay a few messages beyond an election timeout and pause members for longer than one.
 * When the faults end, the network heals and every member resumes or restarts.
 */
final class SimNemesis
{
    /** The longest a message takes outside the liveness faults' long delays: 1 to this many milliseconds. */
    static final int USUAL_MAX_DELAY_MS = 10;
    private final Simulation sim;
    private final Map<Long, Consumer<RaftAction.CallCompleted>> nemesisCalls = new HashMap<>();
    /** Long delays and pauses draw from here, so that runs without them keep their schedules. */
    private final SplittableRandom faultRandom;
    /** Percentage of messages delayed beyond an election timeout while the faults last (0 in some seeds). */
    private final int longDelayPercent;
    private boolean faultsOver;
    /** Drawn apart from the schedule's random stream, so that a seed runs as before until such a crash happens. */
    private final SplittableRandom midStepCrashes;
    /** The member to crash part way through its next step of several actions, or -1. */
    private int crashMidStep = -1;
    /** Whether members join as voters, with the build of a freshly installed node (see {@link #addVotersDirectly}). */
    private boolean directVoters;
    /** Additions of voters (not promotable) that completed so far. */
    int votersAddedDirectly;

    SimNemesis(final Simulation sim, final long seed)
    {
        this.sim = sim;
        this.faultRandom = new SplittableRandom(seed ^ 0x2545F4914F6CDD1DL);
        this.longDelayPercent = faultRandom.nextInt(3) == 0 ? 0 : 1 + faultRandom.nextInt(3);
        this.midStepCrashes = new SplittableRandom(seed ^ 0x2545F4914F6CDD1DL);
    }

    /**
     * From now on, the members the nemesis adds join as voters (not promotable), each with the build its node was
     * installed with (in a rolling upgrade, the older build or the newer one), and the nemesis changes the membership
     * more often (3 of 16 draws each for removals and additions, against 1 of 12).
     */
    void addVotersDirectly()
    {
        directVoters = true;
    }

    /**
     * Start the nemesis and, with liveness faults, the pauses.
     */
    void start()
    {
        sim.schedule(200 + sim.random.nextInt(200), this::nemesis);
        if (sim.options.livenessFaults())
        {
            sim.schedule(300 + faultRandom.nextInt(700), this::pauseSomeone);
        }
        if (sim.builds.upgradesByHandOvers())
        {
            sim.schedule(sim.builds.nextHandOverUpgradeMs(), this::upgradeWithHandOver);
        }
    }

    /**
     * The operator's next step of a rolling upgrade with hand-overs ({@link SimBuilds#upgradeByHandOvers}): the leader
     * of the older build is upgraded (stopped, and started again with the newer build a few milliseconds later);
     * once the leader runs the newer build, it hands its leadership to a member of the older build, which is upgraded
     * as soon as the call completes (the leader has told it to campaign), so that the hand-over fails.
     */
    private void upgradeWithHandOver()
    {
        final Node leader = sim.leader();
        final Node next = faultsOver || null == leader ? null : sim.builds.nextToUpgrade(leader, sim.nodes);
        if (next == leader && null != next)
        {
            sim.upgradeByOperator(next, 0, sim.builds.midHandOverDownMs());
        }
        else if (null != next)
        {
            final long callId = sim.newCallId();
            nemesisCalls.put(callId, done -> sim.upgradeByOperator(next, 0, sim.builds.midHandOverDownMs()));
            sim.deliver(leader, new RaftEvent.TransferLeadership(callId, next.id));
        }
        if (!faultsOver)
        {
            sim.schedule(sim.builds.nextHandOverUpgradeMs(), this::upgradeWithHandOver);
        }
    }

    // ------------------------------------------------------------------------------------------------ nemesis

    private void nemesis()
    {
        if (faultsOver)
        {
            return;
        }
        final int choice = sim.random.nextInt(!sim.options.membership() ? 10 : directVoters ? 16 : 12);
        switch (choice)
        {
            case 0 -> crashAndRestart(sim.nodes[sim.random.nextInt(sim.nodes.length)]);
            case 1, 2 -> crashAndRestart(sim.leader());
            case 3 -> crashMajority();
            case 4 -> isolate(sim.random.nextInt(sim.nodes.length));
            case 5 -> isolate(null == sim.leader() ? 0 : sim.leader().index);
            case 6 -> splitHalves();
            case 7 -> oneWay();
            case 8 -> healAll();
            case 9 -> transferLeadership();
            case 10, 12, 14 -> removeMember();
            default -> addMember();
        }
        sim.dropRate = sim.random.nextInt(4) == 0 ? sim.random.nextDouble() * 0.1 : 0;
        if (midStepCrashes.nextInt(3) == 0)
        {
            crashMidStep = midStepCrashes.nextInt(sim.nodes.length);
        }
        sim.schedule(150 + sim.random.nextInt(400), this::nemesis);
    }

    /**
     * @return after how many of {@code actionCount} actions of one step {@code node} crashes, or -1: a member picked
     * by the nemesis crashes part way through its next step of several actions while the faults last.
     */
    int midStepCrashPoint(final Node node, final int actionCount)
    {
        if (crashMidStep != node.index || actionCount < 2 || faultsOver || !node.member || null == node.core ||
            node.core.role() == RaftRole.RECOVERING)
        {
            return -1;
        }
        crashMidStep = -1;
        return 1 + midStepCrashes.nextInt(actionCount - 1);
    }

    private void crashMajority()
    {
        final int count = sim.nodes.length / 2 + 1;
        final int first = sim.random.nextInt(sim.nodes.length);
        for (int i = 0; i < count; i++)
        {
            crashAndRestart(sim.nodes[(first + i) % sim.nodes.length]);
        }
    }

    void crashAndRestart(final Node victim)
    {
        if (null == victim || !victim.alive || !victim.member)
        {
            return;
        }
        sim.crash(victim);
        sim.restartAfter(victim, 100 + sim.random.nextInt(900));
    }

    private void isolate(final int victim)
    {
        for (int i = 0; i < sim.nodes.length; i++)
        {
            if (i != victim)
            {
                sim.blocked[i][victim] = true;
                sim.blocked[victim][i] = true;
            }
        }
        sim.refreshFailureDetectors();
    }

    private void splitHalves()
    {
        final boolean[] side = new boolean[sim.nodes.length];
        for (int i = 0; i < sim.nodes.length; i++)
        {
            side[i] = sim.random.nextBoolean();
        }
        for (int i = 0; i < sim.nodes.length; i++)
        {
            for (int j = 0; j < sim.nodes.length; j++)
            {
                sim.blocked[i][j] = side[i] != side[j];
            }
        }
        sim.refreshFailureDetectors();
    }

    private void oneWay()
    {
        final int from = sim.random.nextInt(sim.nodes.length);
        final int to = sim.random.nextInt(sim.nodes.length);
        if (from != to)
        {
            sim.blocked[from][to] = true;
            sim.refreshFailureDetectors();
        }
    }

    private void healAll()
    {
        for (final boolean[] row : sim.blocked)
        {
            java.util.Arrays.fill(row, false);
        }
        sim.refreshFailureDetectors();
    }

    private void transferLeadership()
    {
        final Node leader = sim.leader();
        if (null == leader)
        {
            return;
        }
        final List<Member> members = leader.core.members();
        final Member target = members.get(sim.random.nextInt(members.size()));
        sim.deliver(leader, new RaftEvent.TransferLeadership(sim.newCallId(), target.id()));
    }

    private void removeMember()
    {
        final Node leader = sim.leader();
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
        final Member leaving = members.get(sim.random.nextInt(members.size()));
        if (leaving.id().equals(leader.id))
        {
            return;
        }
        final long callId = sim.newCallId();
        final Node victim = sim.node(leaving.id());
        nemesisCalls.put(callId, removal ->
        {
            // Removed for good: stop it and wipe its data so that it can only come back as a new member, started with
            // the removal's entry as the point it joins at.
            if (victim.alive)
            {
                sim.crash(victim);
            }
            victim.member = false;
            victim.log = new SimLogStore();
            victim.snapshots = new SimSnapshotStore();
            victim.term = 0;
            victim.votedFor = null;
            victim.persistedLastApplied = 0;
            victim.damagedAcknowledged = 0;
            victim.termAndVoteLost = false;
            victim.joinedAt = new JoinPoint(removal.index(), removal.term());
            sim.safety.wiped(victim.index, victim.id);
        });
        sim.deliver(leader, new RaftEvent.RemoveMember(callId, leaving.id()));
    }

    private void addMember()
    {
        final Node leader = sim.leader();
        if (null == leader)
        {
            return;
        }
        for (final Node candidate : sim.nodes)
        {
            if (!candidate.member && !candidate.alive && candidate.log.lastIndex() == 0)
            {
                candidate.member = true;
                candidate.bootMembers = leader.core.members();
                if (directVoters && candidate.machineVersion > 0)
                {
                    // A node installed again: the older build, or the newer one half the time (startNode's draw).
                    candidate.machineVersion = 1;
                }
                sim.startNode(candidate);
                final Member joining = directVoters ? Member.voter(candidate.id) :
                    new Member(candidate.id, Membership.PROMOTABLE, 0);
                final long callId = sim.newCallId();
                nemesisCalls.put(callId, added -> votersAddedDirectly += joining.isVoter() ? 1 : 0);
                sim.deliver(leader, new RaftEvent.AddMember(callId, joining));
                return;
            }
        }
    }

    /**
     * A call completed: if the nemesis made it, it finishes what it started (a removed member is wiped).
     */
    void callCompleted(final RaftAction.CallCompleted completed)
    {
        final Consumer<RaftAction.CallCompleted> onDone = nemesisCalls.remove(completed.callId());
        if (null != onDone)
        {
            onDone.accept(completed);
        }
    }

    /**
     * A call failed: if the nemesis made it, there is nothing to finish (a member not removed stays as it is).
     */
    void callFailed(final long callId)
    {
        nemesisCalls.remove(callId);
    }

    /**
     * End the faults: heal the network, resume and restart every member, and make sure a first leader is elected.
     */
    void endFaults()
    {
        faultsOver = true;
        sim.dropRate = 0;
        for (final Node node : sim.nodes)
        {
            resume(node);
        }
        healAll();
        for (final Node node : sim.nodes)
        {
            if (!node.alive && node.member)
            {
                sim.startNode(node);
            }
        }
        if (sim.safety.leaderTerms() == 0)
        {
            // The first election never completed and every member restarted brand-new, so none sets an election
            // timer (they wait to be told to campaign): as an application whose startCluster failed, start it again.
            // Like startCluster (ClusterFormation), ask the next member if one will not campaign: a member that lost
            // its term and vote refuses, and the others would wait for ever (seed 5001939).
            for (final Node node : sim.nodes)
            {
                if (node.alive && null == node.core.electionRefusal())
                {
                    sim.deliver(node, new RaftEvent.TriggerElection());
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
    long messageDelay()
    {
        final long usual = 1 + sim.random.nextInt(USUAL_MAX_DELAY_MS);
        if (!sim.options.livenessFaults() || faultsOver || longDelayPercent == 0 ||
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
        final Node leader = sim.leader();
        final Node victim = null != leader && faultRandom.nextInt(3) != 0 ? leader :
            sim.nodes[faultRandom.nextInt(sim.nodes.length)];
        final long duration = ELECTION_TIMEOUT_MAX_MS * 3 / 2 +
            faultRandom.nextInt((int)(ELECTION_TIMEOUT_MAX_MS * 5 / 2));
        if (victim.alive && !victim.pause.paused())
        {
            sim.traceEvent(victim, "PAUSE " + duration + " ms");
            victim.pause.pause();
            sim.coverage.pausedLongerThanElectionTimeout();
            final long generation = victim.pause.generation();
            final long incarnation = victim.incarnation;
            reportSilentSoon(victim, faultRandom, observer -> { });
            sim.schedule(duration, () ->
            {
                if (victim.incarnation == incarnation && victim.pause.generation() == generation)
                {
                    resume(victim);
                }
            });
        }
        sim.schedule(duration + 300 + faultRandom.nextInt(1500), this::pauseSomeone);
    }

    /**
     * A member was just paused: each other member's silence detector reports it once the suspicion delay and up to
     * 40 ms more have passed, if it is still paused (the same pause), the observer alive and the link up.
     *
     * @param victim the member just paused.
     * @param random draws each report's delay, in the order of the members.
     * @param told   run for each observer a report reached, when it does.
     */
    void reportSilentSoon(final Node victim, final SplittableRandom random, final Consumer<Node> told)
    {
        final long generation = victim.pause.generation();
        final long incarnation = victim.incarnation;
        for (final Node observer : sim.nodes)
        {
            if (observer != victim)
            {
                sim.schedule(SilentLeader.suspectAfterMs(ELECTION_TIMEOUT_MIN_MS) + random.nextInt(40), () ->
                {
                    if (reportSilent(observer, victim, incarnation, generation))
                    {
                        told.accept(observer);
                    }
                });
            }
        }
    }

    private boolean reportSilent(final Node observer, final Node victim, final long incarnation,
        final long generation)
    {
        if (victim.incarnation == incarnation && victim.pause.paused() && victim.pause.generation() == generation &&
            observer.alive && sim.view[observer.index][victim.index] && !sim.blocked[victim.index][observer.index])
        {
            observer.toldSilent[victim.index] = true;
            sim.deliver(observer, new RaftEvent.PeerSilent(victim.id));
            return true;
        }
        return false;
    }

    void resume(final Node node)
    {
        if (!node.alive || !node.pause.paused())
        {
            return;
        }
        sim.traceEvent(node, "RESUME");
        node.pause.resume(event -> sim.deliver(node, event));
        sim.scheduleFlush(node);
        for (final Node observer : sim.nodes)
        {
            if (observer.toldSilent[node.index])
            {
                observer.toldSilent[node.index] = false;
                // Its first frame after the pause: heard again (unless the link is down meanwhile).
                sim.schedule(1 + sim.random.nextInt(USUAL_MAX_DELAY_MS), () ->
                {
                    if (observer.alive && node.alive && sim.view[observer.index][node.index])
                    {
                        sim.deliver(observer, new RaftEvent.PeerReachable(node.id));
                    }
                });
            }
        }
    }
}

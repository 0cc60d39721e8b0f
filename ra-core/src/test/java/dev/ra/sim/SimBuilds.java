package dev.ra.sim;

import dev.ra.core.CoreTestAccess;
import dev.ra.protocol.Member;
import dev.ra.sim.Simulation.Node;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Which build of the machine each member of a {@link Simulation} runs: version 0 (unversioned) unless the run is a
 * rolling upgrade ({@link Simulation#upgradeMachines}), where members start with a build supporting version 1 and a
 * restart brings one back with version 2 half the time; optionally every member starts with version 2, and some
 * restarts roll a member back to version 1, or the operator upgrades the members one by one with leadership
 * hand-overs ({@link #upgradeByHandOvers}). Each draw comes from a random stream of its own, so that the schedules of
 * runs without them stay as they were.
 *
 * <p>Mutable; owned by the simulation.
 */
final class SimBuilds
{
    private final long seed;
    private final long faultsEndMs;
    private final SplittableRandom upgrades;
    /** Whether restarted members may come back with a build of the machine supporting version 2. */
    private boolean upgrading;
    /** A deliberate bug of machine-version upgrades, or null. */
    CoreTestAccess.VersionBug bug;
    /** Draws the operator's upgrades with hand-overs (see {@link #upgradeByHandOvers}), or null. */
    private SplittableRandom handOvers;
    /** Draws the restarts that roll a member back to the older build (see {@link #rollBackSome}), or null. */
    private SplittableRandom rollbacks;
    /** The leader's effective machine version at the end of a rolling upgrade, else -1. */
    int finalVersion = -1;
    /** How many times a voter stopped applying, which only a rollback may cause. */
    int votersStopped;

    /**
     * @param seed        of the run.
     * @param faultsEndMs when the faults end: no rollback after it.
     */
    SimBuilds(final long seed, final long faultsEndMs)
    {
        this.seed = seed;
        this.faultsEndMs = faultsEndMs;
        this.upgrades = new SplittableRandom(seed ^ 0x9E3779B97F4A7C15L);
    }

    /**
     * A rolling upgrade the operator carries out with hand-overs, instead of the restarts that bring the newer build at
     * random (a restart keeps the build): every 200 to 500 ms while the faults last it upgrades the leader if it runs
     * the older build (stops it, and starts it again with the newer one within 20 ms), else has it hand its leadership
     * to a member of the older build and upgrades that member as soon as the call completes (TimeoutNow sent), so the
     * target never gets TimeoutNow and the hand-over fails. When that member was the last voter of the older build,
     * the switch its report brings is appended while the leader keeps new commands back (ParkedCommands): commands the
     * runtime checked with the version before must not be appended after it.
     */
    void upgradeByHandOvers()
    {
        handOvers = new SplittableRandom(seed ^ 0x3C6EF372FE94F82BL);
    }

    /**
     * @return whether the operator upgrades members with hand-overs ({@link #upgradeByHandOvers}).
     */
    boolean upgradesByHandOvers()
    {
        return upgrading && null != handOvers;
    }

    /**
     * @return until the operator's next upgrade with a hand-over.
     */
    long nextHandOverUpgradeMs()
    {
        return 200 + handOvers.nextInt(300);
    }

    /**
     * @param leader of the cluster.
     * @param nodes  of the run.
     * @return the leader if it runs the older build, else a live member of the older build drawn at random, or null
     *     if none is left: the member the operator upgrades next.
     */
    Node nextToUpgrade(final Node leader, final Node[] nodes)
    {
        if (leader.machineVersion < 2)
        {
            return leader;
        }
        final List<Node> older = new ArrayList<>();
        for (final Member member : leader.core.members())
        {
            for (final Node node : nodes)
            {
                if (node.id.equals(member.id()) && node.alive && node.machineVersion < 2)
                {
                    older.add(node);
                }
            }
        }
        return older.isEmpty() ? null : older.get(handOvers.nextInt(older.size()));
    }

    /**
     * @return how long a member the operator upgrades stays down: a quick restart, so that the target of a hand-over
     *     reports its newer build before the hand-over has failed.
     */
    long midHandOverDownMs()
    {
        return 1 + handOvers.nextInt(20);
    }

    /**
     * A rolling upgrade: every member starts with a build of version 1.
     *
     * @param nodes  of the run.
     * @param newBug a deliberate bug of machine-version upgrades, or null.
     */
    void upgrade(final Node[] nodes, final CoreTestAccess.VersionBug newBug)
    {
        upgrading = true;
        bug = newBug;
        for (final Node node : nodes)
        {
            node.machineVersion = 1;
        }
    }

    /**
     * In a rolling upgrade of an even seed, every member starts with the newer build, so the cluster switches at once
     * and what the run does to builds happens after the switch.
     *
     * @param nodes of the run.
     */
    void startNewerOnEvenSeeds(final Node[] nodes)
    {
        for (final Node node : nodes)
        {
            node.machineVersion = upgrading && seed % 2 == 0 ? 2 : node.machineVersion;
        }
    }

    /**
     * A quarter of the restarts while the faults last bring a member back with the older build.
     */
    void rollBackSome()
    {
        rollbacks = new SplittableRandom(seed ^ 0xBB67AE8584CAA73BL);
    }

    /**
     * @return whether members may be rolled back to the older build in this run, so that a voter may stop applying.
     */
    boolean rollsBack()
    {
        return null != rollbacks;
    }

    /**
     * @return whether the run is a rolling upgrade.
     */
    boolean upgrading()
    {
        return upgrading;
    }

    /**
     * Choose the build of a member about to start: the first start, the newest build there is; a restart, the build
     * it ran or version 2 half the time (or, rolled back, version 1).
     *
     * @param node  about to start.
     * @param nodes of the run.
     * @param now   the simulated time.
     */
    void choose(final Node node, final Node[] nodes, final long now)
    {
        if (!upgrading)
        {
            return;
        }
        // With the operator's upgrades (upgradeByHandOvers), a restart keeps the build: it alone upgrades members.
        node.machineVersion = node.started ? Math.max(node.machineVersion, null != handOvers ? 1 :
            1 + upgrades.nextInt(2)) :
            Arrays.stream(nodes).mapToInt(n -> n.machineVersion).max().orElse(1);
        if (null != rollbacks && node.started && now < faultsEndMs && rollbacks.nextInt(4) == 0)
        {
            node.rolledBack |= node.machineVersion > 1;
            node.machineVersion = 1;
        }
    }
}

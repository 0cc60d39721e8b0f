package dev.ra.sim;

import dev.ra.protocol.Member;
import dev.ra.protocol.Membership;
import dev.ra.sim.Simulation.Node;

/**
 * What must hold of members' builds and memberships once a run has converged (every member applied the leader's commit
 * index, 6 s after the faults stopped): each check returns the violated property, or null.
 */
final class ConvergedVersions
{
    private ConvergedVersions()
    {
    }

    /**
     * A promotable member that has caught up is promoted once its build supports the log: one that stayed promotable
     * would never count in quorums, and a voter added while the log needs a machine version joins as one.
     *
     * @param nodes  of the run.
     * @param leader the converged leader.
     * @return the violation, or null.
     */
    static String unpromoted(final Node[] nodes, final Node leader)
    {
        final int effective = leader.core.effectiveMachineVersion();
        for (final Member member : leader.core.members())
        {
            for (final Node node : nodes)
            {
                if (member.membership() == Membership.PROMOTABLE && node.id.equals(member.id()) && node.alive &&
                    node.core.lastApplied() >= member.promotionTarget() &&
                    (0 == effective || node.machineVersion >= effective))
                {
                    return "liveness: promotable " + node.core + " (build of version " + node.machineVersion +
                        ", promotion target " + member.promotionTarget() + ") was not promoted by " + leader.core +
                        " (version " + effective + ") 6 s after the faults stopped";
                }
            }
        }
        return null;
    }

    /**
     * In a rolling upgrade: no member stopped applying (a non-voter that did was restarted with the newer build), and
     * the cluster switched to version 2 if every voter runs a build that supports it.
     *
     * @param nodes  of the run.
     * @param leader the converged leader.
     * @return the violation, or null.
     */
    static String upgrade(final Node[] nodes, final Node leader)
    {
        for (final Node node : nodes)
        {
            if (node.alive && node.member && null != node.core.machineVersionError())
            {
                return "machine versions: " + node.core.machineVersionError();
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
        if (allUpgraded && leader.core.effectiveMachineVersion() != 2)
        {
            return "liveness: every member runs a build supporting machine version 2 but the leader's effective " +
                "version is " + leader.core.effectiveMachineVersion() + " 6 s after the faults stopped";
        }
        return null;
    }
}

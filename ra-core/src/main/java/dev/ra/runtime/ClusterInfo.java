package dev.ra.runtime;

import dev.ra.ServerId;
import dev.ra.StateMachine;
import java.util.List;

/**
 * What this node knows of a cluster it hosts or started: its machine (for codecs), its members and the last leader
 * seen, which clients use to find another member when the one they address does not run (like Ra's leaderboard).
 */
final class ClusterInfo
{
    final String clusterName;
    final String machineName;
    final StateMachine<Object, Object> machine;
    volatile List<ServerId> members;
    volatile ServerId leader;
    /**
     * How many member lists this node has learned ({@link ClusterDirectory#learnMembers}): a call that found a member
     * deleted before the latest one takes a list that names it again for news that it was added back.
     */
    volatile long membersLearned;
    /**
     * The members this node forgot when a call found every member it knew deleted, known again if it learns the
     * cluster's members after all ({@link ClusterDirectory#everyMemberDeleted}).
     */
    volatile List<ServerId> forgottenMembers = List.of();

    ClusterInfo(final String clusterName, final String machineName, final StateMachine<Object, Object> machine,
        final List<ServerId> members)
    {
        this.clusterName = clusterName;
        this.machineName = machineName;
        this.machine = machine;
        this.members = List.copyOf(members);
    }
}

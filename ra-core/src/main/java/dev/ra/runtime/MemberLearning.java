package dev.ra.runtime;

import dev.ra.ServerId;
import dev.ra.protocol.ServerRequest;
import java.util.List;
import java.util.Set;

/**
 * How this node's calls keep what it knows of a cluster's members current (as etcd clients refresh their endpoints
 * and Ra's {@code ra:members} does): a member list it is given ({@code registerCluster}, a start) is only where to
 * begin, and members are added and removed after it. A call that hears of a leader this node does not count as a
 * member, or finds a member it knew removed, asks the cluster for its members ({@link ServerRequest.Members},
 * one such call per cluster at a time), and every answer to such a call updates the node's directory
 * ({@link ClusterDirectory#learnMembers}). Without it a node that hosts no member (or whose member follows, and
 * learns only on role changes) never knew of the new members: calls could not address them, and once every member
 * it was told of was replaced it took the cluster for deleted.
 */
final class MemberLearning
{
    private MemberLearning()
    {
    }

    /**
     * A call was answered, or redirected, naming a leader.
     *
     * @param cluster      as this node knows it, or null.
     * @param leader       named by the answer, or null.
     * @param timeoutNanos for the members call, if one is made.
     */
    static void heardOf(final MessageRouter router, final ClusterInfo cluster, final ServerId leader,
        final long timeoutNanos)
    {
        if (null != cluster && null != leader && !cluster.members.contains(leader))
        {
            ask(router, cluster, leader, timeoutNanos);
        }
    }

    /**
     * A member this node knew was deleted (removed from its cluster, most often): ask one it does not know gone.
     *
     * @param cluster      as this node knows it.
     * @param gone         the members the call found deleted.
     * @param timeoutNanos for the members call, if one is made.
     */
    static void memberGone(final MessageRouter router, final ClusterInfo cluster, final Set<ServerId> gone,
        final long timeoutNanos)
    {
        final ServerId leader = cluster.leader;
        if (null != leader && !gone.contains(leader))
        {
            ask(router, cluster, leader, timeoutNanos);
            return;
        }
        for (final ServerId member : cluster.members)
        {
            if (!gone.contains(member))
            {
                ask(router, cluster, member, timeoutNanos);
                return;
            }
        }
    }

    /**
     * A members call was answered: the members of the cluster, as its leader has them.
     */
    @SuppressWarnings("unchecked")
    static void answered(final MessageRouter router, final ClusterInfo cluster, final Object members)
    {
        if (null != cluster && members instanceof List<?> list && !list.isEmpty() &&
            list.stream().allMatch(ServerId.class::isInstance))
        {
            router.clusters().learnMembers(cluster, (List<ServerId>)list);
        }
    }

    private static void ask(final MessageRouter router, final ClusterInfo cluster, final ServerId who,
        final long timeoutNanos)
    {
        if (!cluster.askingMembers.compareAndSet(false, true))
        {
            return;
        }
        try
        {
            // Its answer is learned as any members call's is (ClientCall.ok).
            new ClientCall(router, who, new ServerRequest.Members(), cluster, timeoutNanos, null).start().future
                .whenComplete((members, error) -> cluster.askingMembers.set(false));
        }
        catch (final RuntimeException closing)
        {
            cluster.askingMembers.set(false);
        }
    }
}

package dev.ra.runtime;

import dev.ra.ServerId;
import dev.ra.protocol.ServerRequest;
import java.util.List;
import java.util.Set;

/**
 * How this node's calls keep what it knows of a cluster's members current (as etcd clients refresh their endpoints
 * and Ra's {@code ra:members} does): a member list it is given ({@code registerCluster}, a start) is only where to
 * begin, and members are added and removed after it. A call that hears of a leader this node does not count as a
 * member, or finds a member it knew removed, asks the cluster for its members ({@link ServerRequest.Members}), and
 * every answer to such a call updates the node's directory ({@link ClusterDirectory#learnMembers}). Without it a
 * node that hosts no member (or whose member follows, and learns only on role changes) never knew of the new
 * members: calls could not address them, and once every member it was told of was replaced it took the cluster for
 * deleted.
 *
 * <p>One members call per cluster is under way at a time for the calls that began before it started; a call that
 * began after it asks again (its own members call then serves it, and those after). The older call's answer may be
 * held up (a slow link, a busy member) past later changes: were every later call to wait for it, a members call held
 * while every member was replaced would keep the node from ever learning the new ones.
 */
final class MemberLearning
{
    private MemberLearning()
    {
    }

    /**
     * A call was answered, or redirected, naming a leader.
     *
     * @param cluster as this node knows it, or null.
     * @param leader  named by the answer, or null.
     * @param asker   the call that heard of it.
     */
    static void heardOf(final MessageRouter router, final ClusterInfo cluster, final ServerId leader,
        final ClientCall asker)
    {
        if (null != cluster && null != leader && !cluster.members.contains(leader))
        {
            ask(router, cluster, leader, asker);
        }
    }

    /**
     * A member this node knew was deleted (removed from its cluster, most often): ask the member its node named, else
     * one this node does not know gone.
     *
     * @param cluster     as this node knows it.
     * @param gone        the members the call found deleted.
     * @param memberAfter named by the deleted member's node (one of its last configuration), or null.
     * @param asker       the call that found them deleted.
     */
    static void memberGone(final MessageRouter router, final ClusterInfo cluster, final Set<ServerId> gone,
        final ServerId memberAfter, final ClientCall asker)
    {
        if (null != memberAfter)
        {
            ask(router, cluster, memberAfter, asker);
            return;
        }
        final ServerId leader = cluster.leader;
        if (null != leader && !gone.contains(leader))
        {
            ask(router, cluster, leader, asker);
            return;
        }
        for (final ServerId member : cluster.members)
        {
            if (!gone.contains(member))
            {
                ask(router, cluster, member, asker);
                return;
            }
        }
    }

    /**
     * @param cluster as this node knows it.
     * @param asker   a call of the cluster.
     * @return whether a members call started since the asker began is still under way (and the asker is not it): what
     *     this node knows of the members may be about to change.
     */
    static boolean learningFor(final MessageRouter router, final ClusterInfo cluster, final ClientCall asker)
    {
        final ClientCall learning = router.clusters().membersCall(cluster);
        return null != learning && learning != asker && servesCallsOf(learning, asker);
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
        final ClientCall asker)
    {
        final ClientCall call = new ClientCall(router, who, new ServerRequest.Members(), cluster, asker.timeoutNanos(),
            null);
        final ClusterDirectory directory = router.clusters();
        ClientCall underWay;
        do
        {
            underWay = directory.membersCall(cluster);
            if (null != underWay && servesCallsOf(underWay, asker))
            {
                return;
            }
        }
        // Another asker got in first: the call it started may serve this one too, or it may have ended already.
        while (!directory.replaceMembersCall(cluster, underWay, call));
        try
        {
            // Its answer is learned as any members call's is (ClientCall.ok).
            call.start().future.whenComplete((members, error) -> directory.membersCallEnded(cluster, call));
        }
        catch (final RuntimeException closing)
        {
            directory.membersCallEnded(cluster, call);
        }
    }

    /**
     * @return whether the members call started no earlier than the asker: its answer tells of the cluster as it is
     *     since the asker began.
     */
    private static boolean servesCallsOf(final ClientCall membersCall, final ClientCall asker)
    {
        return membersCall.startNanos() - asker.startNanos() >= 0;
    }
}

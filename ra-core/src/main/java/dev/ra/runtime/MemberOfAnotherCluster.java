package dev.ra.runtime;

import dev.ra.MembershipChangeException;
import dev.ra.ServerId;
import dev.ra.protocol.ServerRequest;

/**
 * Refuses adding a server to a cluster when this node knows the server as a member of another cluster. Raft messages
 * carry no cluster identity, so a member added by mistake would take the other cluster's log for its own: it would
 * follow the wrong leader, apply the wrong entries and then stop on a conflict with what it had committed. Only a
 * node that knows both clusters can tell: the caller's node checks before sending, and every member that takes the
 * call (the leader among them) checks against its own node's {@link ClusterDirectory} before anything is appended.
 */
final class MemberOfAnotherCluster
{
    private MemberOfAnotherCluster()
    {
    }

    /**
     * The caller's node's check, before the call is sent.
     *
     * @param clusters what this node knows of clusters.
     * @param server   addressed by the call.
     * @param request  any request; only {@link ServerRequest.AddMember} is checked.
     * @return null if this node knows nothing against the request, else the refusal to fail the call with.
     */
    static MembershipChangeException refusedBeforeSending(final ClusterDirectory clusters, final ServerId server,
        final ServerRequest request)
    {
        final ClusterInfo cluster = clusters.get(server);
        final String refusal = refusal(clusters, null == cluster ? null : cluster.clusterName, request);
        return null == refusal ? null : new MembershipChangeException(request.getClass().getSimpleName() +
            " refused by node " + clusters.nodeId() + ": " + refusal, MembershipChangeException.Reason.NOT_PERMITTED);
    }

    /**
     * @param clusters    what this node knows of clusters.
     * @param clusterName of the cluster the request is addressed to, or null if unknown here.
     * @param request     any request; only {@link ServerRequest.AddMember} is checked.
     * @return null if this node knows nothing against the request, else why it is refused.
     */
    static String refusal(final ClusterDirectory clusters, final String clusterName, final ServerRequest request)
    {
        if (null == clusterName || !(request instanceof ServerRequest.AddMember add))
        {
            return null;
        }
        final ServerId member = add.member();
        final ClusterInfo known = clusters.get(member);
        if (null == known || known.clusterName.equals(clusterName))
        {
            return null;
        }
        return member + " is a member of cluster '" + known.clusterName + "' (as node " + clusters.nodeId() +
            " knows), so it cannot be added to cluster '" + clusterName + "': a server belongs to one cluster";
    }
}

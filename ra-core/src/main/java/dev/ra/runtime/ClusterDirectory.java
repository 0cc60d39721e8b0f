package dev.ra.runtime;

import dev.ra.ServerId;
import dev.ra.StateMachine;
import dev.ra.UnknownServerException;
import dev.ra.codec.Codec;
import dev.ra.codec.Codecs;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * What this node knows of clusters, by member: the {@link ClusterInfo} of every cluster it hosts a member of or
 * registered (its machine, for codecs; its members; its last leader), and the clusters whose start failed here
 * ({@link FailedStarts}). Clients, the router and the server registry all look clusters up here. Thread-safe.
 */
final class ClusterDirectory
{
    private final String nodeId;
    private final Map<ServerId, ClusterInfo> clusters = new ConcurrentHashMap<>();
    private final FailedStarts failedStarts = new FailedStarts();

    ClusterDirectory(final String nodeId)
    {
        this.nodeId = nodeId;
    }

    /**
     * @return the id of this node.
     */
    String nodeId()
    {
        return nodeId;
    }

    /**
     * Remember a cluster under each of its members; a failed start of it is forgotten.
     *
     * @return the cluster's info.
     */
    ClusterInfo register(final String clusterName, final String machineName,
        final StateMachine<Object, Object> machine, final List<ServerId> members)
    {
        final ClusterInfo info = new ClusterInfo(clusterName, machineName, machine, members);
        for (final ServerId member : members)
        {
            clusters.put(member, info);
        }
        failedStarts.clear(members);
        return info;
    }

    /**
     * What this node knows of the members now, to be put back if a start that registers them is refused (their
     * cluster runs already, under another machine perhaps): its clients must go on encoding and checking its commands
     * with its own machine.
     *
     * @return puts back the cluster each member was known under; a member unknown now is left as it is then.
     */
    Runnable restorer(final List<ServerId> members)
    {
        final Map<ServerId, ClusterInfo> known = new HashMap<>();
        for (final ServerId member : members)
        {
            final ClusterInfo info = clusters.get(member);
            if (null != info)
            {
                known.put(member, info);
            }
        }
        return () -> clusters.putAll(known);
    }

    /**
     * @return the cluster of a member, or null if unknown here.
     */
    ClusterInfo get(final ServerId member)
    {
        return null == member ? null : clusters.get(member);
    }

    /**
     * @return the cluster of a member, or null if unknown here; throws if the cluster's start failed here.
     * @throws dev.ra.ClusterUnavailableException naming the reason, if the start of the member's cluster failed here.
     */
    ClusterInfo getChecked(final ServerId member)
    {
        final ClusterInfo cluster = clusters.get(member);
        if (null == cluster)
        {
            failedStarts.check(member);
        }
        return cluster;
    }

    /**
     * @param member of a cluster.
     * @param hint   what the caller should do, appended to the error.
     * @return the member's cluster.
     * @throws UnknownServerException if its cluster is unknown here.
     */
    ClusterInfo require(final ServerId member, final String hint)
    {
        final ClusterInfo cluster = getChecked(member);
        if (null == cluster)
        {
            throw new UnknownServerException(member, "server " + member + " is unknown to node " + nodeId + ": " +
                hint);
        }
        return cluster;
    }

    boolean knowsAny(final List<ServerId> members)
    {
        return members.stream().anyMatch(clusters::containsKey);
    }

    /**
     * Forget a cluster whose start failed (except under the members hosted here), recording the reason.
     */
    void forgetFailedStart(final List<ServerId> members, final String reason, final Predicate<ServerId> hosted)
    {
        for (final ServerId member : members)
        {
            if (!hosted.test(member))
            {
                clusters.remove(member);
            }
        }
        failedStarts.record(members, reason);
    }

    /**
     * @return the message codec of the member's machine, or the generic codec if unknown.
     */
    Codec<Object> messageCodec(final ServerId member)
    {
        final ClusterInfo info = get(member);
        return null == info ? Codecs.generic() : info.machine.messageCodec();
    }

    /**
     * @return the reply codec of the member's machine, or the generic codec if unknown.
     */
    Codec<Object> replyCodec(final ServerId member)
    {
        final ClusterInfo info = get(member);
        return null == info ? Codecs.generic() : info.machine.replyCodec();
    }
}

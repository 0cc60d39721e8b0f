package dev.ra.runtime;

import dev.ra.ServerId;
import dev.ra.core.ServerCore;
import dev.ra.protocol.Member;
import java.util.ArrayList;
import java.util.List;

/**
 * Keeps what this node's directory says of a hosted server's cluster (its members, its last leader) as the server's
 * configuration has it, for the node's calls: on every change of the configuration, whatever the server's role (a
 * follower's does not change while members are added and removed), not only when its role changes. Without it a node
 * whose member follows could not address a member added meanwhile (unknown to the node, its machine too), and took
 * the members it knew for the cluster's. Loop thread of the server only.
 */
final class HostedClusterEntry
{
    private final ServerId server;
    private final ClusterInfo cluster;
    private final ClusterDirectory directory;
    /** The configuration last taken in (the core keeps one list per configuration): compared by identity. */
    private List<Member> seen;

    /**
     * @param server    hosted here.
     * @param cluster   as the server started with it.
     * @param directory of this node.
     */
    HostedClusterEntry(final ServerId server, final ClusterInfo cluster, final ClusterDirectory directory)
    {
        this.server = server;
        this.cluster = cluster;
        this.directory = directory;
    }

    /**
     * After each step of the server: take in its configuration if it changed (an entry of one appended, or
     * truncated, or a snapshot installed).
     */
    void refreshIfChanged(final ServerCore core)
    {
        if (core.members() != seen)
        {
            refresh(core);
        }
    }

    /**
     * Take in the server's configuration and the cluster's leader: every member is known under the cluster here
     * ({@link ClusterDirectory#learnMembers}), those added since too.
     */
    void refresh(final ServerCore core)
    {
        final List<Member> members = core.members();
        seen = members;
        final List<ServerId> ids = new ArrayList<>(members.size());
        for (final Member m : members)
        {
            ids.add(m.id());
        }
        if (!ids.equals(cluster.members))
        {
            directory.learnMembers(cluster, ids);
        }
        // This node's clients look the cluster up in its directory, which a later registration of the cluster
        // (registerCluster at every boot, another member started here) points at another object: keep it current too.
        final ClusterInfo known = directory.get(server);
        if (null != known && known != cluster && known.clusterName.equals(cluster.clusterName))
        {
            known.members = cluster.members;
            known.leader = cluster.leader;
        }
    }
}

package dev.ra.examples.group;

import dev.ra.ProcessRef;
import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.examples.support.ClusterClient;
import java.util.List;
import java.util.Objects;

/**
 * The typed client of a {@link GroupMachine} cluster. Thread-safe; blocking calls. Join and leave are idempotent, so
 * they are retried across leader changes.
 */
public final class GroupClient
{
    private final ClusterClient cluster;

    /**
     * @param system  to send calls through; it must host a member or have started the cluster.
     * @param members of the group cluster.
     */
    public GroupClient(final RaSystem system, final List<ServerId> members)
    {
        this(new ClusterClient(system, members));
    }

    /**
     * @param cluster client with its own timeouts.
     */
    public GroupClient(final ClusterClient cluster)
    {
        this.cluster = Objects.requireNonNull(cluster, "cluster");
    }

    /**
     * Add a process to a group; it stays until it leaves or ends.
     *
     * @param group  to join.
     * @param member the process, typically one spawned with {@link RaSystem#spawn}.
     * @return true if it was not a member yet (after a retry, possibly false although this call added it).
     */
    public boolean join(final String group, final ProcessRef member)
    {
        return cluster.<Boolean>command(new GroupCommand.Join(group, member), true);
    }

    /**
     * Remove a process from a group.
     *
     * @param group  to leave.
     * @param member the process.
     * @return true if it was a member (after a retry, possibly false although this call removed it).
     */
    public boolean leave(final String group, final ProcessRef member)
    {
        return cluster.<Boolean>command(new GroupCommand.Leave(group, member), true);
    }

    /**
     * The members of a group, linearizably.
     *
     * @param group to list.
     * @return its members in join order; empty for an unknown group.
     */
    public List<ProcessRef> members(final String group)
    {
        return cluster.<GroupState, List<ProcessRef>>consistentQuery(state -> state.members(group));
    }

    /**
     * The members of a group as the member on this node sees them; possibly stale.
     *
     * @param group to list.
     * @return its members in join order.
     */
    public List<ProcessRef> localMembers(final String group)
    {
        return cluster.<GroupState, List<ProcessRef>>localQuery(state -> state.members(group));
    }
}

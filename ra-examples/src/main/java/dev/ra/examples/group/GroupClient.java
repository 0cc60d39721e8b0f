package dev.ra.examples.group;

import dev.ra.ProcessRef;
import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.examples.support.ClusterClient;
import dev.ra.examples.support.NumberedCalls;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * The typed client of a {@link GroupMachine} cluster. Thread-safe; blocking calls. Join and leave are idempotent, so
 * they are retried across leader changes. The client numbers its calls (machine version 2;
 * {@link dev.ra.examples.support.ClientSequences}): a retry answers as the first attempt did, and a first attempt
 * that lands after this client went on with later calls about the same member (a join overtaken by its retry, then a
 * leave) is refused and adds nobody. A cluster at version 1 refuses the numbered commands before the log and is sent
 * the ones carrying a request id, which answer retries alike within the last 1,000 of them; one at version 0 is sent
 * the plain ones.
 */
public final class GroupClient
{
    private final ClusterClient cluster;
    private final NumberedCalls calls;

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
        this.calls = new NumberedCalls(cluster);
    }

    /**
     * Add a process to a group; it stays until it leaves or ends. The command is numbered, so a retry whose first
     * attempt was applied answers as that attempt did. A cluster still at machine version 0 is sent the plain join,
     * whose retry may answer false although this call added the process.
     *
     * @param group  to join.
     * @param member the process, typically one spawned with {@link RaSystem#spawn}.
     * @return true if it was not a member yet.
     */
    public boolean join(final String group, final ProcessRef member)
    {
        return calls.send("group call", number -> new GroupCommand.NumberedJoin(group, member, number),
            () -> joinOnce(group, member));
    }

    private boolean joinOnce(final String group, final ProcessRef member)
    {
        return cluster.newerCommand(joining(group, member),
            () -> cluster.<Boolean>command(new GroupCommand.Join(group, member), true));
    }

    /**
     * Remove a process from a group; answered once per call, as {@link #join} is.
     *
     * @param group  to leave.
     * @param member the process.
     * @return true if it was a member.
     */
    public boolean leave(final String group, final ProcessRef member)
    {
        return calls.send("group call", number -> new GroupCommand.NumberedLeave(group, member, number),
            () -> leaveOnce(group, member));
    }

    private boolean leaveOnce(final String group, final ProcessRef member)
    {
        return cluster.newerCommand(leaving(group, member),
            () -> cluster.<Boolean>command(new GroupCommand.Leave(group, member), true));
    }

    /**
     * @return the command one call of {@link #join} sends to a cluster at version 1, every attempt of it alike.
     */
    static GroupCommand joining(final String group, final ProcessRef member)
    {
        return new GroupCommand.JoinOnce(group, member, UUID.randomUUID().toString());
    }

    /**
     * @return the command one call of {@link #leave} sends to a cluster at version 1, every attempt of it alike.
     */
    static GroupCommand leaving(final String group, final ProcessRef member)
    {
        return new GroupCommand.LeaveOnce(group, member, UUID.randomUUID().toString());
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

package dev.ra.runtime;

import dev.ra.ServerId;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * What one {@link ClientCall} found of the members it asked (which do not run, which were deleted) and so which
 * member it asks next. Not thread-safe: used holding the call's lock.
 */
final class MembersTried
{
    /** The cluster of the call, or null if unknown on the call's node. */
    private final ClusterInfo cluster;
    /** Whether a node is silent (paused, cut off): its members are asked last. */
    private final Predicate<String> silentNode;
    /** Members found not running, skipped when looking for another; allocated on first use (rare). */
    private Set<ServerId> unavailable;
    /**
     * Members whose node said they were deleted, with {@link ClusterInfo#membersLearned} then; allocated on first use
     * (rare).
     */
    private Map<ServerId, Long> deletedMembers;
    /** Whether every member known was found not running, and none answered since. */
    private boolean noneRunning;

    /**
     * @param cluster    of the call, or null.
     * @param silentNode whether a node is silent.
     */
    MembersTried(final ClusterInfo cluster, final Predicate<String> silentNode)
    {
        this.cluster = cluster;
        this.silentNode = silentNode;
    }

    private List<ServerId> members()
    {
        return null == cluster ? List.of() : cluster.members;
    }

    /**
     * @return the first member after {@code current} in the cluster's member list whose node is not silent and that
     *     the call did not find not running, or null if there is none.
     */
    ServerId nextAnswering(final ServerId current)
    {
        final List<ServerId> members = members();
        final int at = Math.max(0, members.indexOf(current));
        for (int i = 1; i < members.size(); i++)
        {
            final ServerId candidate = members.get((at + i) % members.size());
            if (!silentNode.test(candidate.node()) && (null == unavailable || !unavailable.contains(candidate)))
            {
                return candidate;
            }
        }
        return null;
    }

    /**
     * The member after {@code current} in the cluster's member list, preferring members whose node is not silent,
     * passing over those the call found deleted, or null if there is none (or the members are not known here).
     */
    ServerId nextMember(final ServerId current)
    {
        final List<ServerId> members = members();
        if (members.size() < 2)
        {
            return null;
        }
        final int at = Math.max(0, members.indexOf(current));
        ServerId fallback = null;
        for (int i = 1; i < members.size(); i++)
        {
            final ServerId candidate = members.get((at + i) % members.size());
            if (!silentNode.test(candidate.node()) && !deleted(candidate))
            {
                return candidate;
            }
            fallback = null == fallback && !deleted(candidate) ? candidate : fallback;
        }
        return fallback;
    }

    /**
     * The server does not run (or could not be reached): the call asks another.
     *
     * @return the member to ask next (the last leader known, else the first member not found down), or null if every
     *     member known was found down: they may be restarting, so the call starts over after a pause.
     */
    ServerId notRunning(final ServerId server)
    {
        if (null == unavailable)
        {
            unavailable = new HashSet<>();
        }
        unavailable.add(server);
        if (null != cluster.leader && !unavailable.contains(cluster.leader))
        {
            return cluster.leader;
        }
        for (final ServerId member : cluster.members)
        {
            if (!unavailable.contains(member))
            {
                return member;
            }
        }
        unavailable.clear();
        noneRunning = true;
        return null;
    }

    /**
     * @return whether the call found the member not running (or not reachable) since it last started over.
     */
    boolean foundNotRunning(final ServerId member)
    {
        return null != unavailable && unavailable.contains(member);
    }

    /**
     * A member that runs answered (whatever it said).
     */
    void answeredByRunningMember()
    {
        noneRunning = false;
    }

    /**
     * @return whether every member known was found not running (or not reachable), and none answered since.
     */
    boolean noneRunning()
    {
        return noneRunning;
    }

    /**
     * The server's node said it was deleted.
     */
    void foundDeleted(final ServerId server)
    {
        if (null == deletedMembers)
        {
            deletedMembers = new HashMap<>();
        }
        deletedMembers.put(server, cluster.membersLearned);
    }

    /**
     * @return whether every member known, and the last leader heard of (not among them yet, perhaps), was found
     *     deleted.
     */
    boolean everyMemberDeleted()
    {
        final ServerId leader = cluster.leader;
        return null != deletedMembers && deletedMembers.keySet().containsAll(cluster.members) &&
            (null == leader || deletedMembers.containsKey(leader));
    }

    /**
     * @return the members found deleted.
     */
    Set<ServerId> deleted()
    {
        return null == deletedMembers ? Set.of() : Set.copyOf(deletedMembers.keySet());
    }

    /**
     * Whether the call found the server deleted, and has not learned since that it is a member again: a server of
     * that id may be created again and added back (and lead), and a member list learned after the deletion that names
     * it says so.
     */
    boolean deleted(final ServerId server)
    {
        final Long learnedBefore = null == deletedMembers ? null : deletedMembers.get(server);
        if (null == learnedBefore)
        {
            return false;
        }
        if (null != cluster && cluster.membersLearned != learnedBefore && cluster.members.contains(server))
        {
            deletedMembers.remove(server);
            return false;
        }
        return true;
    }
}

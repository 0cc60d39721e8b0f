package dev.ra.examples.group;

import dev.ra.ProcessRef;
import dev.ra.examples.support.ClientSequences;
import dev.ra.examples.support.CursorTracked;
import dev.ra.examples.support.RememberedReplies;
import dev.ra.examples.support.Persistent;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The state of the {@link GroupMachine}: for each non-empty group, its members in join order.
 *
 * @param groups      members by group name; a group with no members is not kept.
 * @param cursorIndex log index of the last release cursor (see {@link CursorTracked}).
 * @param replies     to the last joins and leaves that carried a request id (machine version 1; none before).
 * @param sequences   of the clients' numbered calls (machine version 2; none before).
 */
public record GroupState(Map<String, List<ProcessRef>> groups, long cursorIndex, RememberedReplies replies,
    ClientSequences sequences) implements CursorTracked<GroupState>
{
    /** No groups. */
    public static final GroupState EMPTY = new GroupState(Map.of(), 0);

    /** Checks that the parts are not null. */
    public GroupState
    {
        Objects.requireNonNull(groups, "groups");
        Objects.requireNonNull(replies, "replies");
        Objects.requireNonNull(sequences, "sequences");
    }

    /**
     * A state of machine version 1's shape, with no numbered calls.
     *
     * @param groups      members by group name.
     * @param cursorIndex log index of the last release cursor.
     * @param replies     to the last joins and leaves that carried a request id.
     */
    public GroupState(final Map<String, List<ProcessRef>> groups, final long cursorIndex,
        final RememberedReplies replies)
    {
        this(groups, cursorIndex, replies, ClientSequences.NONE);
    }

    /**
     * A state of machine version 0's shape, remembering no replies.
     *
     * @param groups      members by group name.
     * @param cursorIndex log index of the last release cursor.
     */
    public GroupState(final Map<String, List<ProcessRef>> groups, final long cursorIndex)
    {
        this(groups, cursorIndex, RememberedReplies.NONE);
    }

    /**
     * @return this state remembering one more reply.
     */
    GroupState answered(final String requestId, final boolean reply)
    {
        return new GroupState(groups, cursorIndex, replies.with(requestId, reply), sequences);
    }

    /**
     * @param group to look up.
     * @return its members in join order, empty for an unknown group.
     */
    public List<ProcessRef> members(final String group)
    {
        return groups.getOrDefault(group, List.of());
    }

    /**
     * @param process to look up.
     * @return the groups it belongs to, in group creation order.
     */
    public List<String> groupsOf(final ProcessRef process)
    {
        final List<String> result = new ArrayList<>();
        for (final Map.Entry<String, List<ProcessRef>> e : groups.entrySet())
        {
            if (e.getValue().contains(process))
            {
                result.add(e.getKey());
            }
        }
        return result;
    }

    /**
     * @return every process that is a member of some group, each once, in a deterministic order.
     */
    public Set<ProcessRef> allMembers()
    {
        final Set<ProcessRef> all = new LinkedHashSet<>();
        for (final List<ProcessRef> members : groups.values())
        {
            all.addAll(members);
        }
        return all;
    }

    GroupState join(final String group, final ProcessRef member)
    {
        return new GroupState(Persistent.put(groups, group, Persistent.append(members(group), member)), cursorIndex,
            replies, sequences);
    }

    GroupState leave(final String group, final ProcessRef member)
    {
        final List<ProcessRef> remaining = Persistent.removeIf(members(group), member::equals);
        return new GroupState(remaining.isEmpty() ? Persistent.remove(groups, group) :
            Persistent.put(groups, group, remaining), cursorIndex, replies, sequences);
    }

    GroupState leaveAll(final ProcessRef member)
    {
        GroupState state = this;
        for (final String group : groupsOf(member))
        {
            state = state.leave(group, member);
        }
        return state;
    }

    @Override
    public GroupState withCursorIndex(final long index)
    {
        return new GroupState(groups, index, replies, sequences);
    }

    /**
     * @return this state with the clients' numbered calls replaced.
     */
    GroupState withSequences(final ClientSequences next)
    {
        return new GroupState(groups, cursorIndex, replies, next);
    }
}

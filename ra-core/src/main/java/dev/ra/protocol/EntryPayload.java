package dev.ra.protocol;

import dev.ra.BuiltinCommand;
import java.util.List;

/**
 * What a log entry carries: a user command, or one of the entries Ra writes for itself.
 */
public sealed interface EntryPayload permits UserCommand, EntryPayload.Noop, EntryPayload.Builtin,
    EntryPayload.ClusterChange, EntryPayload.DeleteCluster
{
    /**
     * Written by every new leader at the start of its term; committing it commits everything before it (§5.4.2).
     *
     * @param machineVersion of the leader's machine.
     */
    record Noop(int machineVersion) implements EntryPayload
    {
    }

    /**
     * A command Ra appends for the machine (a monitor or timer fired on the leader).
     *
     * @param command for {@link dev.ra.StateMachine#applyBuiltin}.
     */
    record Builtin(BuiltinCommand command) implements EntryPayload
    {
        /** Checks that {@code command} is not null. */
        public Builtin
        {
            java.util.Objects.requireNonNull(command, "command");
        }
    }

    /**
     * A new cluster configuration, in force from the moment it is appended (single-server changes, thesis §4.3).
     *
     * @param members of the new configuration.
     */
    record ClusterChange(List<Member> members) implements EntryPayload
    {
        /** Takes an unmodifiable copy of {@code members}, whose elements must not be null. */
        public ClusterChange
        {
            members = List.copyOf(members);
        }
    }

    /**
     * Deletes the cluster: each member that applies it stops and deletes its data.
     */
    record DeleteCluster() implements EntryPayload
    {
    }
}

package dev.ra.examples.group;

import dev.ra.ProcessRef;
import java.util.Objects;

/**
 * The commands of the {@link GroupMachine}.
 */
public sealed interface GroupCommand
{
    /**
     * Add {@code member} to {@code group} (creating the group). Replies {@code Boolean.TRUE} if the process was not
     * yet a member, {@code Boolean.FALSE} if it already was (joining twice is harmless).
     *
     * @param group  to join.
     * @param member the process joining.
     */
    record Join(String group, ProcessRef member) implements GroupCommand
    {
        /** Checks that {@code group} and {@code member} are not null. */
        public Join
        {
            Objects.requireNonNull(group, "group");
            Objects.requireNonNull(member, "member");
        }
    }

    /**
     * Remove {@code member} from {@code group}. Replies {@code Boolean.TRUE} if it was a member, {@code Boolean.FALSE}
     * otherwise (leaving an unknown group is not an error).
     *
     * @param group  to leave.
     * @param member the process leaving.
     */
    record Leave(String group, ProcessRef member) implements GroupCommand
    {
        /** Checks that {@code group} and {@code member} are not null. */
        public Leave
        {
            Objects.requireNonNull(group, "group");
            Objects.requireNonNull(member, "member");
        }
    }
}

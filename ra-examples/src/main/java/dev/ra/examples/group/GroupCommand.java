package dev.ra.examples.group;

import dev.ra.ProcessRef;
import dev.ra.examples.support.CommandNumber;
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
     * {@link Join}, answered once per request: the reply is remembered under {@code requestId}, and a command of the
     * same request id (a retry whose first attempt was applied but its reply lost) changes nothing and gets that
     * reply again, instead of {@code FALSE} for the first attempt's own join. Machine version 1 of
     * {@link GroupMachine}; a cluster still at version 0 refuses it before the log.
     *
     * @param group     to join.
     * @param member    the process joining.
     * @param requestId unique to the call, the same for each of its attempts.
     */
    record JoinOnce(String group, ProcessRef member, String requestId) implements GroupCommand
    {
        /** Checks that the parts are not null. */
        public JoinOnce
        {
            Objects.requireNonNull(group, "group");
            Objects.requireNonNull(member, "member");
            Objects.requireNonNull(requestId, "requestId");
        }
    }

    /**
     * {@link Leave}, answered once per request, as {@link JoinOnce} is. Machine version 1 of {@link GroupMachine}.
     *
     * @param group     to leave.
     * @param member    the process leaving.
     * @param requestId unique to the call, the same for each of its attempts.
     */
    record LeaveOnce(String group, ProcessRef member, String requestId) implements GroupCommand
    {
        /** Checks that the parts are not null. */
        public LeaveOnce
        {
            Objects.requireNonNull(group, "group");
            Objects.requireNonNull(member, "member");
            Objects.requireNonNull(requestId, "requestId");
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

    /**
     * {@link Join}, numbered by its client ({@link dev.ra.examples.support.ClientSequences}): a retry of a join
     * applied already gets its first reply, and an attempt that comes after its client went on with later calls
     * about the same member (a leave, say) is answered {@link dev.ra.examples.support.StaleCommand} and adds nobody.
     * Machine version 2 of {@link GroupMachine}; a cluster at an older version refuses it before the log.
     *
     * @param group  to join.
     * @param member the process.
     * @param number of the call, the same for each of its attempts.
     */
    record NumberedJoin(String group, ProcessRef member, CommandNumber number) implements GroupCommand
    {
        /** Checks that the parts are not null. */
        public NumberedJoin
        {
            Objects.requireNonNull(group, "group");
            Objects.requireNonNull(member, "member");
            Objects.requireNonNull(number, "number");
        }
    }

    /**
     * {@link Leave}, numbered as {@link NumberedJoin} is. Machine version 2 of {@link GroupMachine}.
     *
     * @param group  to leave.
     * @param member the process.
     * @param number of the call, the same for each of its attempts.
     */
    record NumberedLeave(String group, ProcessRef member, CommandNumber number) implements GroupCommand
    {
        /** Checks that the parts are not null. */
        public NumberedLeave
        {
            Objects.requireNonNull(group, "group");
            Objects.requireNonNull(member, "member");
            Objects.requireNonNull(number, "number");
        }
    }
}

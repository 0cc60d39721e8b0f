package dev.ra.runtime;

import dev.ra.MembershipChangeException;
import dev.ra.core.CallError;

/**
 * Translates the core's refusal of a membership change or leadership transfer into the public API's
 * {@link MembershipChangeException.Reason}, so that the API does not expose the core's {@link CallError}.
 */
final class MembershipRefusals
{
    private MembershipRefusals()
    {
    }

    static MembershipChangeException.Reason reason(final CallError error)
    {
        return switch (error)
        {
            case ALREADY_MEMBER -> MembershipChangeException.Reason.ALREADY_MEMBER;
            case NOT_MEMBER -> MembershipChangeException.Reason.NOT_MEMBER;
            case NON_VOTER -> MembershipChangeException.Reason.NON_VOTER;
            case NOT_UP_TO_DATE -> MembershipChangeException.Reason.NOT_UP_TO_DATE;
            case LEADERSHIP_LOST -> MembershipChangeException.Reason.LEADERSHIP_LOST;
            case NOT_PERMITTED -> MembershipChangeException.Reason.NOT_PERMITTED;
            // A call redirects, retries or reports as a command's outcome these before it could fail as a refused
            // change; they are listed (no default) so that a new CallError has to be placed here.
            case NOT_LEADER, CLUSTER_CHANGE_NOT_PERMITTED, INVALID_COMMAND, COMMAND_FAILED, REPLY_NOT_ENCODABLE,
                OVERLOADED ->
                MembershipChangeException.Reason.NOT_PERMITTED;
        };
    }
}

package dev.ra.core;

/**
 * Why the core refused a call (as opposed to a protocol outcome, which is a value in a reply).
 */
public enum CallError
{
    /** This member is not the leader; the action carries the leader hint if one is known. */
    NOT_LEADER,
    /** A membership change is in progress, or the leader has not yet committed an entry of its term. */
    CLUSTER_CHANGE_NOT_PERMITTED,
    /** The server to add is already a member. */
    ALREADY_MEMBER,
    /** The server to remove or promote is not a member. */
    NOT_MEMBER,
    /** The leadership transfer target is not a voter. */
    NON_VOTER,
    /** The leadership transfer target has not caught up with the leader's log, or the leader does not reach it. */
    NOT_UP_TO_DATE,
    /** The member stopped being leader before the call completed. */
    LEADERSHIP_LOST,
    /** The call is not allowed in the member's current state. */
    NOT_PERMITTED,
    /**
     * The command's bytes do not decode with the machine's command codec: the leader refuses it rather than append
     * an entry that every member would fail to apply.
     */
    INVALID_COMMAND,
    /**
     * The machine's {@code apply} threw on the command: it is committed, counts as applied and left the state
     * unchanged on every member (a definite outcome).
     */
    COMMAND_FAILED,
    /**
     * The command was applied, but the machine's reply codec cannot encode its reply for the caller on another node.
     */
    REPLY_NOT_ENCODABLE,
    /**
     * The leader holds as many commands appended and not yet applied as {@link CoreConfig#maxUncommittedBytes()}
     * allows (the cluster commits slower than commands arrive): nothing was appended; the caller may retry later, on
     * the same leader (retrying elsewhere would not help).
     */
    OVERLOADED
}

package dev.ra;

import java.util.Objects;

/**
 * A membership change or leadership transfer was refused by the leader, for the {@link #reason() reason} given.
 */
public final class MembershipChangeException extends RaException
{
    private static final long serialVersionUID = 1L;

    /**
     * Why the leader refused a membership change or a leadership transfer.
     */
    public enum Reason
    {
        /** The server to add is already a member. */
        ALREADY_MEMBER,
        /** The server to remove, or the leadership transfer target, is not a member. */
        NOT_MEMBER,
        /**
         * The leadership transfer target does not vote: a {@link MemberKind#NON_VOTER}, or a
         * {@link MemberKind#PROMOTABLE} member the leader has not promoted yet.
         */
        NON_VOTER,
        /**
         * The leadership transfer target has not caught up with the leader's log, or the leader does not reach it
         * (stopped, its node down).
         */
        NOT_UP_TO_DATE,
        /**
         * The leader lost its leadership before the change committed: the change may or may not take effect (ask
         * {@link RaSystem#members}).
         */
        LEADERSHIP_LOST,
        /** The change is not allowed in the member's current state. */
        NOT_PERMITTED
    }

    private final Reason reason;

    /**
     * @param message saying which change.
     * @param reason  why the leader refused it.
     */
    public MembershipChangeException(final String message, final Reason reason)
    {
        super(message + ": " + reason);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /**
     * @return why the leader refused the change.
     */
    public Reason reason()
    {
        return reason;
    }
}

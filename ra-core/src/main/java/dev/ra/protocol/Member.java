package dev.ra.protocol;

import dev.ra.ServerId;
import java.util.Objects;

/**
 * One member of a cluster configuration.
 *
 * @param id              of the member.
 * @param membership      whether it votes.
 * @param promotionTarget for a {@link Membership#PROMOTABLE} member, the log index its match index must reach before
 *                        the leader promotes it; 0 otherwise.
 */
public record Member(ServerId id, Membership membership, long promotionTarget)
{
    /** Checks that {@code id} and {@code membership} are not null. */
    public Member
    {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(membership, "membership");
    }

    /**
     * @param id of the member.
     * @return a voting member.
     */
    public static Member voter(final ServerId id)
    {
        return new Member(id, Membership.VOTER, 0);
    }

    /**
     * @return true if this member votes.
     */
    public boolean isVoter()
    {
        return membership == Membership.VOTER;
    }
}

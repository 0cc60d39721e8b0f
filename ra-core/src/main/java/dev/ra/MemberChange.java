package dev.ra;

import dev.ra.protocol.JoinPoint;
import java.util.Objects;

/**
 * The outcome of {@link RaSystem#addMember} or {@link RaSystem#removeMember}: the configuration entry the leader
 * appended. The new configuration is in force from the moment it is appended (as in Ra); the call completes once the
 * entry has committed.
 *
 * @param index  of the configuration entry.
 * @param term   of the configuration entry.
 * @param leader that appended it.
 */
public record MemberChange(long index, long term, ServerId leader)
{
    /**
     * Requires the leader (not null).
     */
    public MemberChange
    {
        Objects.requireNonNull(leader, "leader");
    }

    /**
     * @return this change as the point a member it added joins at.
     */
    JoinPoint joinPoint()
    {
        return new JoinPoint(index, term);
    }
}

package dev.ra.examples.leader;

import dev.ra.ServerId;
import dev.ra.examples.support.CursorTracked;

/**
 * The state of the {@link FollowTheLeaderMachine}: the latest leadership claim.
 *
 * @param leader      the member whose claim was applied last, or {@code null} before the first claim.
 * @param epoch       log index of that claim: a fencing token for the companion's work, strictly increasing with every
 *                    claim; 0 before the first.
 * @param sinceMs     leader time at which the claim was applied.
 * @param cursorIndex log index of the last release cursor (see {@link CursorTracked}).
 */
public record LeadershipState(ServerId leader, long epoch, long sinceMs, long cursorIndex)
    implements CursorTracked<LeadershipState>
{
    /** No claim yet. */
    public static final LeadershipState NONE = new LeadershipState(null, 0, 0, 0);

    /**
     * @param server to check.
     * @param epoch  the companion was started for.
     * @return true if {@code server}'s claim at {@code epoch} is still the latest one.
     */
    public boolean isCurrent(final ServerId server, final long epoch)
    {
        return this.epoch == epoch && server.equals(leader);
    }

    @Override
    public LeadershipState withCursorIndex(final long index)
    {
        return new LeadershipState(leader, epoch, sinceMs, index);
    }
}

package dev.ra.examples.leader;

import dev.ra.ServerId;
import java.util.Objects;

/**
 * The commands of the {@link FollowTheLeaderMachine}.
 */
public sealed interface LeaderCommand
{
    /**
     * "I am the leader now": appended by a member when it becomes Raft leader. The log index of this entry becomes
     * the leadership epoch. Replies the epoch.
     *
     * @param leader the member that became leader.
     */
    record Claim(ServerId leader) implements LeaderCommand
    {
        /** Checks that {@code leader} is not null. */
        public Claim
        {
            Objects.requireNonNull(leader, "leader");
        }
    }
}

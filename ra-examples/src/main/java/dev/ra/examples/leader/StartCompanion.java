package dev.ra.examples.leader;

import dev.ra.ServerId;
import java.util.Objects;

/**
 * The argument of the {@link dev.ra.Effect.ModCall} that asks the leader's node to start the companion.
 *
 * @param leader  the member whose claim was applied; a node that does not host it ignores the call (the claim may be
 *                applied by a later leader).
 * @param epoch   of the claim, the companion's fencing token.
 * @param graceMs to wait before starting the companion, so that the previous leader's companion has noticed it lost
 *                its leadership and stopped.
 */
public record StartCompanion(ServerId leader, long epoch, long graceMs)
{
    /** Checks that {@code leader} is not null. */
    public StartCompanion
    {
        Objects.requireNonNull(leader, "leader");
    }
}

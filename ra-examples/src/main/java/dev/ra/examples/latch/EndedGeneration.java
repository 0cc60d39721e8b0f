package dev.ra.examples.latch;

import dev.ra.ProcessRef;
import java.util.List;
import java.util.Objects;

/**
 * A barrier generation that is over, kept for a while so that a party's retried await, or a party that missed its
 * message, learns the outcome.
 *
 * @param generation that ended.
 * @param tripped    true if every party arrived, false if it broke and was reset.
 * @param parties    that waited in it.
 * @param resetBy    request id of the reset that ended it, so that a retry of that reset is recognised; {@code ""}
 *                   if it tripped.
 */
public record EndedGeneration(long generation, boolean tripped, List<ProcessRef> parties, String resetBy)
{
    /** Checks that {@code parties} and {@code resetBy} are not null. */
    public EndedGeneration
    {
        Objects.requireNonNull(parties, "parties");
        Objects.requireNonNull(resetBy, "resetBy");
    }
}

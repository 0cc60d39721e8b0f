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
 */
public record EndedGeneration(long generation, boolean tripped, List<ProcessRef> parties)
{
    /** Checks that {@code parties} is not null. */
    public EndedGeneration
    {
        Objects.requireNonNull(parties, "parties");
    }
}

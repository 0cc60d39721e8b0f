package dev.ra.examples.latch;

/**
 * Message to a waiting party: every party arrived and the barrier tripped.
 *
 * @param name       of the barrier.
 * @param generation that tripped.
 */
public record BarrierTripped(String name, long generation)
{
}

package dev.ra.examples.latch;

/**
 * Message to a waiting party: the generation it waits in broke (a party gave up or went down, or a reset).
 *
 * @param name       of the barrier.
 * @param generation that broke.
 */
public record BarrierBroken(String name, long generation)
{
}

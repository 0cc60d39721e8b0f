package dev.ra.examples.latch;

/**
 * Message to a waiter: the latch reached 0. At least once; a lost one is made up for by polling (see
 * {@link LatchClient#await}).
 *
 * @param name  of the latch.
 * @param round that reached 0.
 */
public record LatchOpened(String name, long round)
{
}
